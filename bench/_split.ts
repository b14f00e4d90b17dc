import { randomUUID } from 'node:crypto';
import { projectScope } from '../src/access/scope.ts';
import { deliveryFixture } from '../test/delivery/support/delivery-fixture.ts';
import { rawFor } from './audience.ts';
import { parseConditions } from '../src/audiences/parse-conditions.ts';
const kind = (process.argv[2] ?? 'sqlite') as 'sqlite' | 'postgres';
const d = await deliveryFixture(kind, { TOUCHPOINT_LOG_LEVEL: 'silent' });
const raw = await rawFor(kind, d.f.t.db);
const projectId = d.f.a.project.id;
const scope = projectScope(projectId);
const N = 100000;
const { run } = await import('./campaign.ts');
void run;
const series = `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ${N - 1})`;
if (kind === 'sqlite') {
  await raw.exec(
    `${series} INSERT INTO profiles (project_id, tp_uid, properties, meta, created_at, updated_at, last_event_at, event_count, merged_into) SELECT ${projectId}, printf('tp_%08d', i), json_object('plan','pro','nickname', printf('P %d', i)), '{}', 0, 0, NULL, 0, NULL FROM s`,
  );
  await raw.exec(
    `${series} INSERT INTO profile_identities (project_id, id_type, value, tp_uid, created_at) SELECT ${projectId}, 'user_id', printf('u%d', i), printf('tp_%08d', i), 0 FROM s`,
  );
}
const q = parseConditions(
  {
    type: 'group',
    combinator: 'and',
    conditions: [{ type: 'property', property: 'plan', operator: 'is_set' }],
  },
  { timeZone: 'UTC', now: Date.now() },
).query;
const store = d.f.t.deps.store;
let t = performance.now();
let pages: string[][] = [];
for await (const p of store.audiences.streamMembers(scope, q, { pageSize: 2000, sendIdType: 'user_id' }))
  pages.push(p);
console.log('pages', (performance.now() - t).toFixed(0), 'ms');
t = performance.now();
let profs = 0;
for (const p of pages) profs += (await store.profiles.getProfiles(scope, p)).length;
console.log('getProfiles', (performance.now() - t).toFixed(0), 'ms', profs);
t = performance.now();
for (let i = 0; i < N; i += 2000) {
  const page = Array.from({ length: 2000 }, (_, k) => ({
    projectId,
    channelId: 'ch',
    opsRequestId: randomUUID(),
    pushId: `u${i + k}`,
    tpUid: `tp_${i + k}`,
    workspaceId: d.workspaceId,
    sendId: null,
    campaignId: 'c',
    taskId: 'c',
    taskInstanceId: 'r',
    params: { title: 'x', content: 'Hello P' },
    customParams: { name: 'P' },
  }));
  await store.transaction((tx) => tx.delivery.enqueue(scope, page as never, Date.now()));
}
console.log('enqueue', (performance.now() - t).toFixed(0), 'ms');
await raw.close();
await d.close();
