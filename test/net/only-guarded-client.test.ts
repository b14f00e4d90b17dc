import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { glob } from 'node:fs/promises';
import { test } from 'node:test';

/**
 * RELIABILITY SSRF-16: every customer URL goes through src/net/guarded-client.ts. Any other way
 * of opening an outbound HTTP request or socket under src/ fails this test unless it is listed
 * below with the reason it never reaches a customer URL.
 */
const allowed: Readonly<Record<string, string>> = {
  // (none yet) 'src/path/file.ts': 'why this never reaches a customer URL',
};

const outboundPatterns: readonly [RegExp, string][] = [
  [/(?<![\w.$])fetch\s*\(/, 'fetch('],
  [/from\s+['"]undici['"]|require\(\s*['"]undici['"]\s*\)|import\(\s*['"]undici['"]\s*\)/, 'undici'],
  [/\bhttps?\s*\.\s*(request|get)\s*\(/, 'http(s).request/get'],
  [/import\s*\{[^}]*\b(request|get)\b[^}]*\}\s*from\s+['"](node:)?https?['"]/, 'node:http(s) request import'],
  [/\b(net|tls)\s*\.\s*(connect|createConnection)\s*\(/, 'net/tls.connect'],
  [
    /import\s*\{[^}]*\b(connect|createConnection)\b[^}]*\}\s*from\s+['"](node:)?(net|tls)['"]/,
    'net/tls connect import',
  ],
  [/\bnew\s+(WebSocket|EventSource)\s*\(/, 'WebSocket/EventSource'],
];

/** Names of the outbound patterns a source text uses. */
function outboundUses(source: string): string[] {
  return outboundPatterns.filter(([pattern]) => pattern.test(source)).map(([, name]) => name);
}

test('SSRF-16 no file under src/ outside src/net/ opens outbound HTTP or sockets', async () => {
  const offenders: string[] = [];
  let scanned = 0;
  for await (const file of glob('src/**/*.ts')) {
    scanned += 1;
    if (file.startsWith('src/net/') || allowed[file] !== undefined) continue;
    const uses = outboundUses(readFileSync(file, 'utf8'));
    if (uses.length > 0) offenders.push(`${file}: ${uses.join(', ')}`);
  }
  assert.ok(scanned > 10, 'the scan found the source files');
  assert.deepEqual(offenders, [], 'use GuardedClient from src/net/guarded-client.ts for customer URLs');
});

test('SSRF-16 the scanner recognizes each outbound route (so the guard test can fail)', () => {
  const samples: [string, string][] = [
    ['const r = await fetch(url);', 'fetch('],
    ["import { request } from 'undici';", 'undici'],
    ["const { fetch: f } = await import('undici');", 'undici'],
    ['http.request(options, cb);', 'http(s).request/get'],
    ['https.get(url);', 'http(s).request/get'],
    ["import { request } from 'node:https';", 'node:http(s) request import'],
    ['net.connect(80, host);', 'net/tls.connect'],
    ["import { createConnection } from 'node:net';", 'net/tls connect import'],
    ['new WebSocket(url)', 'WebSocket/EventSource'],
  ];
  for (const [source, name] of samples) assert.ok(outboundUses(source).includes(name), source);
  for (const harmless of [
    'prefetch(x)',
    'this.fetchRows(x)',
    "import { isIP } from 'node:net';",
    'store.fetch',
  ]) {
    assert.deepEqual(outboundUses(harmless), [], harmless);
  }
});
