import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { en, zhCN, type MessageKey } from '../../web/src/i18n/messages.ts';

// The console in Simplified Chinese is complete (issue 13): every message has its own Chinese
// text, and the copy addresses the reader one way, 您 (as the products in the seeds do), never 你.
// A message may read the same in both languages only when it is listed here with why.

/** Keys whose English text is also the Chinese one: product names, codes, formats, samples. */
const SAME_IN_BOTH: ReadonlySet<MessageKey> = new Set<MessageKey>([
  // Operating systems, SDKs and the fields they send: names, never translated.
  'platform.android',
  'platform.ios',
  'platform.android.hint',
  'platform.ios.hint',
  'idTypes.from.anonymous_id',
  'idTypes.from.account_id',
  'idTypes.from.distinct_id',
  // A format and a protocol.
  'verify.json',
  'channels.kind.webhook',
]);

/** Text with no letters to translate (placeholders, numbers, punctuation, URLs, code). */
const untranslatable = (text: string) => !/[A-Za-z]{2,}/.test(text.replace(/\{\w+\}/g, ''));

describe('zh-CN messages', () => {
  it('has a Chinese text for every key that differs from the English one unless listed', () => {
    const same = (Object.keys(en) as MessageKey[]).filter(
      (key) => zhCN[key] === en[key] && !SAME_IN_BOTH.has(key) && !untranslatable(en[key]),
    );
    assert.deepEqual(same, [], 'translate these, or list them in SAME_IN_BOTH with why');
    for (const key of Object.keys(en) as MessageKey[])
      assert.ok(typeof zhCN[key] === 'string' && zhCN[key].trim() !== '', `${key} has no Chinese text`);
  });

  it('says 您, never 你', () => {
    const informal = (Object.keys(zhCN) as MessageKey[]).filter((key) => zhCN[key].includes('你'));
    assert.deepEqual(informal, []);
  });

  it('lists only keys that exist and really read the same', () => {
    for (const key of SAME_IN_BOTH) assert.equal(zhCN[key], en[key], key);
  });
});
