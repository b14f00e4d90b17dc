// checkEvent measures an event's JSON size during its checks (issue 14): the figure must equal
// the UTF-8 bytes of JSON.stringify(event) for everything JSON.parse can produce.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkEvent } from '../../src/ingest/check-event.ts';
import { defaultIngestLimits } from '../../src/ingest/limits.ts';

test('checkEvent returns the UTF-8 size of the serialized event without serializing it again', () => {
  const samples: unknown[] = [
    {},
    [],
    { a: [], b: {} },
    {
      s: 'he said "hi" \\ \n\t\u0001 é 中文 😀 </script>',
      n: [1, -0, 1.5e-7, 1e21, 123456789012345680000, -3.25, 0.1],
      t: true,
      f: false,
      z: null,
    },
    { nested: [[[{ x: 'y' }]], [null, true]], 键: 'значение', 'a"b': 1, 'tab\tkey': '\u007f\u2028' },
    JSON.parse(
      '{"type":"track","event":"Product Viewed","properties":{"price":19.99,"sku":"SKU-1","list":[1,2,{"a":"\\u00e9"}]}}',
    ),
  ];
  for (const sample of samples)
    assert.equal(
      checkEvent(sample, defaultIngestLimits),
      Buffer.byteLength(JSON.stringify(sample)),
      JSON.stringify(sample),
    );
  const big = { properties: { blob: 'x'.repeat(defaultIngestLimits.maxEventBytes) } };
  assert.equal(
    (checkEvent(big, defaultIngestLimits) as { code: string }).code,
    'TP_ERR_INGEST_EVENT_TOO_LARGE',
  );
});
