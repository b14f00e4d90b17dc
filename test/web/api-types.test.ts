import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { generateWebTypes, webTypesPath } from '../../scripts/generate-web-types.ts';

// web/src/api/openapi.ts is generated from the OpenAPI document the server serves, and the
// console's types (web/src/api/types.ts) are named after it; a route whose schema changed without
// regenerating it would leave the console typed against an API that no longer exists.
describe('web/src/api/openapi.ts', () => {
  it('is what scripts/generate-web-types.ts generates from the served document now', async () => {
    const committed = readFileSync(webTypesPath, 'utf8');
    const generated = await generateWebTypes();
    assert.ok(generated.includes("'/api/v1/projects/{projectId}/sources/{sourceId}'"), 'generated no paths');
    assert.ok(
      committed === generated,
      'web/src/api/openapi.ts is out of date: run `npm run docs` (node scripts/generate-web-types.ts) and commit it',
    );
  });
});
