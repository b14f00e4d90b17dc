import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCidrList } from '../../src/config/cidr.ts';
import { isTouchpointError } from '../../src/errors.ts';
import { blockedRangeOf, decideAddress } from '../../src/net/address-policy.ts';
import { checkTargetUrl, type CheckTargetOptions } from '../../src/net/check-target-url.ts';
import { maskUrl } from '../../src/net/mask-url.ts';

const none: CheckTargetOptions = { allowTargets: [] };

function refused(url: string, options: CheckTargetOptions = none): Record<string, unknown> {
  try {
    checkTargetUrl(url, options);
  } catch (error) {
    assert.ok(isTouchpointError(error, 'TP_ERR_TARGET_INVALID'), `${url}: ${String(error)}`);
    assert.equal(error.status, 400);
    return error.details ?? {};
  }
  assert.fail(`${url} was accepted`);
}

test('public URLs pass and come back normalized', () => {
  const target = checkTargetUrl('HTTPS://Hooks.Example.COM./in?x=1#frag', none);
  assert.equal(target.hostname, 'hooks.example.com');
  assert.equal(target.port, 443);
  assert.equal(target.address, undefined);
  assert.equal(checkTargetUrl('http://93.184.216.34/', none).address, '93.184.216.34');
  assert.equal(checkTargetUrl('http://[2606:2800:220:1:248:1893:25c8:1946]/', none).port, 80);
});

test('SSRF-01 loopback and unspecified targets are refused at save time with TP_ERR_TARGET_INVALID', () => {
  for (const url of [
    'http://127.0.0.1/',
    'http://localhost/',
    'http://[::1]/',
    'http://0.0.0.0/',
    'http://[::]/',
  ]) {
    assert.equal(refused(url).reason, 'blocked_address', url);
  }
});

test('SSRF-02 private, reserved, link-local, CGNAT, benchmark and multicast addresses are refused', () => {
  const cases: [string, string][] = [
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['169.254.169.254', 'link-local'],
    ['198.18.0.1', 'benchmark'],
    ['192.0.0.1', 'ietf-protocol'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['[fc00::1]', 'unique-local'],
    ['[fe80::1]', 'link-local'],
  ];
  for (const [host, range] of cases) {
    assert.deepEqual(refused(`http://${host}/`).range, range, host);
  }
  // Neighbours just outside the blocks pass, so the table is not simply "refuse everything".
  for (const host of ['172.32.0.1', '100.128.0.1', '198.20.0.1', '11.0.0.1', '223.255.255.255'])
    assert.equal(checkTargetUrl(`http://${host}/`, none).address, host);
});

test('SSRF-03 encoded IPv4 forms are normalized by WHATWG parsing before the guard judges them', () => {
  for (const url of [
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://0x7f.1/',
  ]) {
    const details = refused(url);
    assert.equal(details.host, '127.0.0.1', url);
    assert.equal(details.range, 'loopback', url);
  }
});

test('SSRF-04 IPv4 embedded in IPv6 (mapped, compatible, NAT64, 6to4, ISATAP) is judged by the embedded address', () => {
  for (const url of [
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[::ffff:a00:1]/',
    'http://[::127.0.0.1]/',
    'http://[64:ff9b::7f00:1]/',
    'http://[2002:7f00:1::]/',
    'http://[::5efe:7f00:1]/',
    'http://[2001:db8:1:2:0:5efe:a00:1]/',
    'http://[2a00:1450:1:2:200:5efe:a9fe:a9fe]/',
  ]) {
    refused(url);
  }
  assert.match(blockedRangeOf('2002:a9fe:a9fe::') ?? '', /link-local \(embedded in 6to4\)/);
  assert.match(blockedRangeOf('2a00:1450:1:2:0:5efe:7f00:1') ?? '', /loopback \(embedded in isatap\)/);
  // The same embeddings of a public address pass.
  for (const url of [
    'http://[::ffff:93.184.216.34]/',
    'http://[64:ff9b::5db8:d822]/',
    'http://[2002:5db8:d822::1]/',
    'http://[2a00:1450:1:2:0:5efe:5db8:d822]/',
  ]) {
    assert.ok(checkTargetUrl(url, none).address, url);
  }
});

test('SSRF-10 schemes other than http and https are refused with TP_ERR_URL_SCHEME_INVALID', () => {
  for (const url of [
    'file:///etc/passwd',
    'gopher://x/',
    'ftp://example.com/',
    'ws://example.com/',
    'data:text/plain,hi',
    'javascript:alert(1)',
  ]) {
    assert.throws(
      () => checkTargetUrl(url, none),
      (error: unknown) => isTouchpointError(error, 'TP_ERR_URL_SCHEME_INVALID') && error.status === 400,
      url,
    );
  }
});

test('SSRF-11 userinfo tricks: the parsed host is what is checked, and credentials are never echoed', () => {
  assert.equal(refused('http://evil.com@127.0.0.1/').host, '127.0.0.1');
  assert.equal(refused('http://127.0.0.1#@evil.com/').host, '127.0.0.1');
  // WHATWG reads "\" as "/" in http URLs: the host really is evil.com (its DNS answer is judged at connect).
  assert.equal(checkTargetUrl('http://evil.com\\@127.0.0.1/', none).hostname, 'evil.com');
  const details = refused('http://admin:hunter2@10.0.0.1/hook');
  assert.ok(!JSON.stringify(details).includes('hunter2'));
  assert.equal(details.url, 'http://***:***@10.0.0.1/hook');
  assert.equal(maskUrl('https://u:p@example.com/x'), 'https://***:***@example.com/x');
  assert.equal(maskUrl('not a url hunter2'), '<unparseable url>');
  assert.equal(
    maskUrl('https://bots.example.com/send?key=hunter2&debug=1&access_token=hunter3'),
    'https://bots.example.com/send?key=[redacted]&debug=1&access_token=[redacted]',
  );
});

test('SSRF-12 any port 1-65535 is allowed on public hosts; port 0 and 65536 are refused', () => {
  for (const port of [22, 6379, 5432, 1, 65535]) {
    assert.equal(checkTargetUrl(`http://93.184.216.34:${port}/`, none).port, port);
    assert.equal(checkTargetUrl(`https://hooks.example.com:${port}/`, none).port, port);
  }
  assert.equal(refused('http://93.184.216.34:0/').reason, 'port');
  assert.equal(refused('http://93.184.216.34:65536/').reason, 'unparseable');
});

test('SSRF-13 localhost spellings (trailing dot, case, full-width, subdomains) are normalized and refused', () => {
  for (const url of [
    'http://localhost./',
    'http://LOCALHOST/',
    'http://LocalHost.:8080/',
    'http://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/',
    'http://api.localhost/',
    'http://127.0.0.1./',
  ]) {
    refused(url);
  }
  // localhost is loopback in both families: allowing both makes it reachable, allowing one does not.
  assert.ok(checkTargetUrl('http://localhost./', { allowTargets: parseCidrList('127.0.0.1/32,::1/128') }));
  refused('http://localhost/', { allowTargets: parseCidrList('127.0.0.1/32') });
});

test('SSRF-15 an allowlisted CIDR is reachable, its neighbours stay blocked', () => {
  const options = { allowTargets: parseCidrList('10.1.2.0/24') };
  assert.equal(checkTargetUrl('http://10.1.2.3/', options).address, '10.1.2.3');
  assert.equal(checkTargetUrl('http://[::ffff:10.1.2.200]/', options).address, '::ffff:a01:2c8');
  assert.equal(refused('http://10.1.3.1/', options).range, 'private');
  assert.deepEqual(decideAddress('10.1.2.9', options.allowTargets), { allowed: true, via: '10.1.2.0/24' });
  assert.deepEqual(decideAddress('10.1.3.1', options.allowTargets), { allowed: false, range: 'private' });
});

test('blockedRangeOf covers the IPv6 special blocks and leaves global unicast alone', () => {
  const cases: [string, string | undefined][] = [
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['ff02::1', 'multicast'],
    ['fec0::1', 'site-local'],
    ['fd12:3456::1', 'unique-local'],
    ['2001:db8::1', 'documentation'],
    ['2001::1', 'ietf-protocol'],
    ['64:ff9b:1::1', 'reserved'],
    ['100::1', 'reserved'],
    ['2a00:1450:4001:81c::200e', undefined],
    ['8.8.8.8', undefined],
  ];
  for (const [address, range] of cases) assert.equal(blockedRangeOf(address), range, address);
});
