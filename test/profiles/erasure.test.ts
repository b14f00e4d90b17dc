// Issue 20 item 4, the Erasure acceptance: after a user is erased, no table of the live database
// (listed from the database itself, not by hand) holds any of their ID values, property values or
// tp_uids; an audience that matched them no longer does; their queued message is cancelled and
// their delivered one keeps its state but loses what named them; an event of theirs still in the
// profile applier's backlog, or an old one sent again, does not bring them back, while a new
// event after the erasure creates a fresh profile. Both databases.
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { Json } from '../channels/channel-fixture.ts';
import { storeKinds, testPostgresUrl, type TestDatabase } from '../support/stores.ts';
import {
  deliveryFixture,
  ok,
  scriptableReceiver,
  type DeliveryFixture,
  type ScriptableReceiver,
} from '../delivery/support/delivery-fixture.ts';

/** Every row of every table of the live database, as JSON text per table. */
async function dumpTables(db: TestDatabase): Promise<Map<string, string>> {
  const dump = new Map<string, string>();
  if (db.kind === 'sqlite') {
    const path = (db.options as { path: string }).path;
    const conn = new DatabaseSync(path, { readOnly: true });
    try {
      const tables = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .all() as { name: string }[];
      for (const { name } of tables)
        dump.set(name, JSON.stringify(conn.prepare(`SELECT * FROM "${name}"`).all()));
    } finally {
      conn.close();
    }
    return dump;
  }
  const client = new pg.Client({ connectionString: testPostgresUrl });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
      [db.schema],
    );
    for (const { table_name: name } of tables.rows)
      dump.set(name, JSON.stringify((await client.query(`SELECT * FROM "${db.schema}"."${name}"`)).rows));
  } finally {
    await client.end();
  }
  return dump;
}

/** Which tables hold which of `needles`. */
async function scan(db: TestDatabase, needles: readonly string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const [table, text] of await dumpTables(db))
    for (const needle of needles) if (text.includes(needle)) hits.push(`${table}: ${needle}`);
  return hits;
}

const USER = 'erase-u-7f3a';
const ANON = 'erase-anon-7f3a';
const EMAIL = 'erase-7f3a@example.com';
const NAME = 'Canary Name 7f3a';
const PAGE = 'canary-page-7f3a';
const BACKLOG = 'backlog-canary-7f3a';

for (const kind of storeKinds) {
  describe(`erasing a user [${kind}]`, () => {
    let d: DeliveryFixture;
    let receiver: ScriptableReceiver;
    let channel: Json;
    let sourceKey: string;
    let tpUid: string;
    let anonTpUid: string;
    let delivered: string;
    let queued: string;
    let erasedAt: number;
    let n = 0;
    const ingest = async (batch: Json[]) => {
      const res = await d.f.t.app.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { authorization: `Basic ${Buffer.from(`${sourceKey}:`).toString('base64')}` },
        payload: { batch: batch.map((e) => ({ messageId: `em-${(n += 1)}`, ...e })) },
      });
      assert.equal(res.statusCode, 200, res.body);
    };
    const apply = () => d.f.t.deps.profiles.applier.applyPending({ settleMs: 0 });
    const findProfile = async (idType: string, value: string) =>
      (
        await d.f.as('adminA', d.f.a, {
          url: `${d.base}/profiles?id_type=${idType}&value=${encodeURIComponent(value)}`,
        })
      ).json().items[0] as { tp_uid: string; event_count: number } | undefined;
    const estimate = async () => {
      const res = await d.f.as('adminA', d.f.a, {
        method: 'POST',
        url: `${d.base}/workspaces/${d.workspaceId}/audiences/estimate`,
        payload: {
          conditions: {
            type: 'group',
            combinator: 'and',
            conditions: [{ type: 'property', property: 'tier', operator: 'equals', value: 'gold-erase' }],
          },
        },
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().size as number;
    };
    const needles = () => [USER, ANON, EMAIL, NAME, PAGE, BACKLOG, tpUid, anonTpUid];

    before(async () => {
      d = await deliveryFixture(kind);
      // The first request fails with an answer that names the user (kept as the attempt's
      // response excerpt), the retry succeeds.
      receiver = await scriptableReceiver((i) =>
        i === 0 ? { status: 500, body: `no such user ${USER}` } : { body: ok() },
      );
      await d.users([{ userId: 'keep-u-1', traits: { tier: 'gold-erase', name: 'Keeper' } }]);
      channel = await d.channel(`${receiver.origin}/hook`);
      const app = (
        await d.f.as('adminA', d.f.a, {
          method: 'POST',
          url: `${d.base}/apps`,
          payload: { name: 'Erase', app_type: 'app' },
        })
      ).json();
      const source = (
        await d.f.as('adminA', d.f.a, {
          method: 'POST',
          url: `${d.base}/sources`,
          payload: { name: 'Erase src', app_id: app.id, platforms: [{ platform: 'android' }] },
        })
      ).json();
      sourceKey = source.credentials.app_key;

      // An anonymous profile, a known one, then an event naming both: one merged into the other.
      await ingest([{ type: 'track', anonymousId: ANON, event: 'Viewed', properties: { page: PAGE } }]);
      await apply();
      anonTpUid = (await findProfile('anonymous_id', ANON))!.tp_uid;
      await ingest([
        { type: 'identify', userId: USER, traits: { email: EMAIL, name: NAME, tier: 'gold-erase' } },
      ]);
      await apply();
      await ingest([{ type: 'track', userId: USER, anonymousId: ANON, event: 'Linked' }]);
      // A refused event naming the user: a verify buffer entry.
      await ingest([{ type: 'track', userId: USER, event: 'Bad', properties: { '#bad\u0000': 1 } }]);
      await apply();
      const profile = (await findProfile('user_id', USER))!;
      tpUid = profile.tp_uid;
      assert.equal((await findProfile('anonymous_id', ANON))?.tp_uid, tpUid, 'the two profiles merged');
      assert.notEqual(anonTpUid, tpUid);

      // One message delivered (after a failed attempt), one left queued.
      const first = await d.send({
        channel_id: channel.id,
        template_values: { title: 'Hi', content: `Hello ${NAME}` },
        recipients: [{ id_type: 'user_id', id: USER }],
      });
      assert.equal(first.statusCode, 202, JSON.stringify(first.json));
      const [one] = (
        await d.f.as('adminA', d.f.a, { url: `${d.base}/messages?send_id=${first.json.send_id}` })
      ).json().items as { ops_request_id: string }[];
      delivered = one!.ops_request_id;
      await d.deliverUntil(async () => (await d.message(delivered)).message.state === 'delivered');
      const second = await d.send({
        channel_id: channel.id,
        template_values: { title: 'Again', content: `Hello again ${NAME}` },
        recipients: [{ id_type: 'user_id', id: USER }],
      });
      assert.equal(second.statusCode, 202, JSON.stringify(second.json));
      const [two] = (
        await d.f.as('adminA', d.f.a, { url: `${d.base}/messages?send_id=${second.json.send_id}` })
      ).json().items as { ops_request_id: string }[];
      queued = two!.ops_request_id;

      // The user's say names them too: a suppression by ID value, one of the profile itself, and
      // an unsubscribe from the channel by e-mail.
      for (const [url, payload] of [
        ['/suppressions', { id_type: 'user_id', value: USER, reason: 'complained' }],
        ['/suppressions', { tp_uid: tpUid }],
        [`/channels/${channel.id}/unsubscribes`, { id_type: 'email', value: EMAIL }],
      ] as const) {
        const res = await d.f.as('adminA', d.f.a, { method: 'POST', url: `${d.base}${url}`, payload });
        assert.equal(res.statusCode, 201, res.body);
      }
    });
    after(async () => {
      await receiver.close();
      await d.close();
    });

    test('before the erasure the scan finds the user in the tables that hold them', async () => {
      // An event still waiting for the profile applier when the user is erased.
      await ingest([{ type: 'track', userId: USER, event: 'Late', properties: { note: BACKLOG } }]);
      const hits = await scan(d.f.t.db, needles());
      for (const table of [
        'profiles',
        'profile_identities',
        'events',
        'verify_buffer',
        'messages',
        'message_attempts',
        'suppressions',
        'unsubscribes',
      ])
        assert.ok(
          hits.some((h) => h.startsWith(`${table}:`)),
          `${table} should hold the user before: ${hits.join(', ')}`,
        );
      assert.equal(await estimate(), 2);
    });

    test('erasing answers counts; nothing of the user is left in any table', async () => {
      const res = await d.f.as('adminA', d.f.a, { method: 'DELETE', url: `${d.base}/profiles/${anonTpUid}` });
      erasedAt = Date.now();
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.status, 'erased');
      assert.equal(body.profiles, 2, 'the profile and the one merged into it');
      assert.equal(body.identities, 3);
      assert.equal(body.events, 3, 'Viewed, identify, Linked (Bad was refused)');
      assert.equal(body.verify_entries, 1);
      assert.equal(body.consent_entries, 3, 'the suppressions and the unsubscribe naming the user');
      assert.equal(body.messages_cancelled, 1);
      assert.equal(body.messages_stripped, 2);
      assert.equal(body.attempts_stripped, 2);
      assert.equal(body.blocked_identities, 3);
      // The backlog event is dropped by the applier, not applied.
      await apply();
      assert.deepEqual(await scan(d.f.t.db, needles()), []);
      const tables = [...(await dumpTables(d.f.t.db)).keys()];
      assert.ok(tables.includes('erasure_tombstones') && tables.includes('messages'), tables.join());
      assert.equal(await findProfile('user_id', USER), undefined);
      const again = await d.f.as('adminA', d.f.a, { method: 'DELETE', url: `${d.base}/profiles/${tpUid}` });
      assert.equal(again.statusCode, 404, again.body);
    });

    test('the audience that matched the user no longer does', async () => {
      assert.equal(await estimate(), 1);
    });

    test('the queued message is cancelled; the delivered one keeps its state and loses push ID and values', async () => {
      const cancelled = (await d.message(queued)).message;
      assert.equal(cancelled.state, 'failed');
      assert.equal(cancelled.last_reason, 'erased');
      const detail = await d.message(delivered);
      const kept = detail.message;
      assert.equal(kept.state, 'delivered');
      assert.equal(kept.push_id, '(erased)');
      assert.equal(kept.tp_uid ?? null, null);
      assert.deepEqual(kept.params ?? {}, {});
      assert.equal(detail.attempts.length, 2, 'the attempts stay, stripped');
      // Nothing is sent for the cancelled message.
      const before = receiver.received.length;
      await d.f.t.deps.dispatcher.run(new AbortController().signal);
      assert.equal(receiver.received.length, before);
    });

    test('an old event sent again after the erasure does not bring the user back', async () => {
      await sleep(5);
      await ingest([
        {
          type: 'identify',
          userId: USER,
          traits: { email: EMAIL, name: NAME },
          timestamp: new Date(erasedAt - 60_000).toISOString(),
        },
      ]);
      await apply();
      assert.equal(await findProfile('user_id', USER), undefined);
      assert.equal(await findProfile('email', EMAIL), undefined);
      assert.deepEqual(await scan(d.f.t.db, needles()), []);
    });

    // On SQLite this also checks that erasing the newest events does not hand their ids out again
    // below the applier's cursor (src/store/sql/delete-events.ts).
    test('a new event after the erasure creates a fresh profile', async () => {
      await sleep(5);
      await ingest([{ type: 'track', userId: USER, event: 'Returned', timestamp: new Date().toISOString() }]);
      await apply();
      const fresh = await findProfile('user_id', USER);
      assert.ok(fresh, 'a fresh profile');
      assert.notEqual(fresh.tp_uid, tpUid);
      assert.notEqual(fresh.tp_uid, anonTpUid);
      assert.equal(fresh.event_count, 1);
      // The anonymous id is not re-attached by the fresh profile's event.
      assert.equal(await findProfile('anonymous_id', ANON), undefined);
    });

    test('the audit log records the erasure with counts and no value that names the user', async () => {
      const res = await d.f.as('adminA', d.f.a, { url: `/api/v1/projects/${d.f.a.project.id}/audit` });
      assert.equal(res.statusCode, 200, res.body);
      const entry = (res.json().items as Json[]).find((e) => e.action === 'profile.erased');
      assert.ok(entry, res.body);
      assert.equal(entry.details.events, 3);
      const text = JSON.stringify(entry);
      for (const needle of needles()) assert.ok(!text.includes(needle), needle);
    });
  });
}
