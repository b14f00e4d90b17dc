import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { endpoints } from '../../web/src/api/endpoints.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';

type Operation = { responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> };
type Schema = { properties?: Record<string, Schema>; items?: Schema; required?: string[] };

// The console's API client is hand-written against the OpenAPI document; this keeps the two in
// step: every operation the console calls must exist with that method and path, and every list it
// pages through must answer `{items, next_cursor}`.
describe('console API client against /api/openapi.json', () => {
  let t: TestApp;
  let paths: Record<string, Record<string, Operation>>;
  before(async () => {
    t = await buildTestApp('sqlite');
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    assert.equal(res.statusCode, 200);
    paths = res.json().paths;
  });
  after(async () => t?.close());

  for (const [name, endpoint] of Object.entries(endpoints)) {
    it(`${name}: ${endpoint.method} ${endpoint.path} is in the document`, () => {
      const operation = paths[endpoint.path]?.[endpoint.method.toLowerCase()];
      assert.ok(operation, `${endpoint.method} ${endpoint.path} is not in /api/openapi.json`);
      if (endpoint.method === 'GET' && name.startsWith('list') && name !== 'listRoles') {
        const schema = operation.responses?.['200']?.content?.['application/json']?.schema;
        assert.ok(schema?.properties?.items, `${name} answers items`);
        assert.ok(schema?.properties?.next_cursor, `${name} answers next_cursor`);
      }
    });
  }
});
