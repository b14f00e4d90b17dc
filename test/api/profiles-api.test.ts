import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTenancyFixture, type TenancyFixture } from '../support/tenancy-fixture.ts';

describe('profiles, event management and verify over the API', () => {
  let f: TenancyFixture;
  let sourceId: string;
  let tpUid: string;
  const base = () => `/api/v1/projects/${f.a.project.id}`;

  before(async () => {
    f = await createTenancyFixture('sqlite');
    const app = (
      await f.as('adminA', f.a, {
        method: 'POST',
        url: `${base()}/apps`,
        payload: { name: 'A', app_type: 'app' },
      })
    ).json();
    const source = (
      await f.as('adminA', f.a, {
        method: 'POST',
        url: `${base()}/sources`,
        payload: { name: 'S', app_id: app.id, platforms: [{ platform: 'android' }] },
      })
    ).json();
    sourceId = source.id;
    const auth = `Basic ${Buffer.from(`${source.credentials.app_key}:`).toString('base64')}`;
    const batch = await f.t.app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: auth, 'content-type': 'application/json' },
      payload: {
        batch: [
          {
            type: 'identify',
            userId: 'u-1',
            messageId: 'm-1',
            traits: { email: 'u1@example.com', vip: true },
          },
          { type: 'track', userId: 'u-1', messageId: 'm-2', event: 'Paid', properties: { amount: 3 } },
          {
            type: 'track',
            userId: 'u-1',
            messageId: 'm-3',
            event: 'Paid',
            properties: { amount: 4, '#bad\u0000': 1 },
          },
        ],
      },
    });
    assert.equal(batch.statusCode, 200, batch.body);
    await f.t.deps.profiles.applier.applyPending({ settleMs: 0 });
  });
  after(() => f.close());

  test('the explorer finds a profile by any identity and shows identities, properties and timeline', async () => {
    const found = await f.as('viewerA', f.a, {
      url: `${base()}/profiles?id_type=email&value=u1@example.com`,
    });
    assert.equal(found.statusCode, 200);
    const [profile] = found.json().items as {
      tp_uid: string;
      properties: unknown;
      identities: { type: string }[];
    }[];
    assert.ok(profile);
    tpUid = profile.tp_uid;
    assert.deepEqual(profile.properties, { email: 'u1@example.com', vip: true });
    assert.deepEqual(profile.identities.map((i) => i.type).sort(), ['email', 'user_id']);
    const events = await f.as('viewerA', f.a, { url: `${base()}/profiles/${tpUid}/events?limit=1` });
    assert.equal(events.json().items.length, 1);
    const next = await f.as('viewerA', f.a, {
      url: `${base()}/profiles/${tpUid}/events?limit=5&cursor=${encodeURIComponent(events.json().next_cursor)}`,
    });
    assert.equal(next.json().items.length, 1);
    const none = await f.as('viewerA', f.a, { url: `${base()}/profiles?id_type=user_id&value=nobody` });
    assert.deepEqual(none.json().items, []);
  });

  test('event management and verify answer; verify lists the refused event with its reason', async () => {
    const events = (await f.as('viewerA', f.a, { url: `${base()}/events` })).json().items as {
      name: string;
      event_count: number;
    }[];
    assert.deepEqual(
      events.map((e) => [e.name, e.event_count]),
      [['Paid', 1]],
    );
    const verify = (await f.as('viewerA', f.a, { url: `${base()}/sources/${sourceId}/verify` })).json()
      .items as {
      verdict: string;
      reasons: { code: string }[];
      message_id: string | null;
    }[];
    assert.equal(verify.filter((e) => e.verdict === 'accepted').length, 2);
    const refused = verify.find((e) => e.verdict === 'rejected');
    assert.ok(refused, JSON.stringify(verify));
    assert.equal(refused.message_id, 'm-3');
    assert.ok(refused.reasons[0]?.code.startsWith('TP_ERR_INGEST_'));
  });

  test('ID type settings need project.manage; bad names are refused', async () => {
    assert.equal(
      (await f.as('viewerA', f.a, { method: 'PUT', url: `${base()}/id-types`, payload: { id_types: [] } }))
        .statusCode,
      403,
    );
    const ok = await f.as('adminA', f.a, {
      method: 'PUT',
      url: `${base()}/id-types`,
      payload: { id_types: [{ name: 'role_id', unique: true }], account_id_is_user_id: false },
    });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json().id_types, [{ name: 'role_id', unique: true }]);
    assert.equal(ok.json().account_id_is_user_id, false);
    const bad = await f.as('adminA', f.a, {
      method: 'PUT',
      url: `${base()}/id-types`,
      payload: { id_types: [{ name: 'Role-Id' }] },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.details.issues[0].path, '/id_types/0/name');
    const reserved = await f.as('adminA', f.a, {
      method: 'PUT',
      url: `${base()}/id-types`,
      payload: { id_types: [{ name: 'anonymous_id' }] },
    });
    assert.equal(reserved.json().error.code, 'TP_ERR_PROFILE_ID_TYPE_RESERVED');
  });

  test('MT-02/MT-05 another project cannot read profiles, events or verify of this one', async () => {
    for (const path of [
      `/profiles/${tpUid}`,
      `/profiles/${tpUid}/events`,
      `/sources/${sourceId}/verify`,
      `/sources/${sourceId}/verify/stream`,
    ]) {
      assert.equal((await f.as('adminB', f.b, { url: `${base()}${path}` })).statusCode, 404, path);
      assert.equal(
        (await f.as('adminB', f.b, { url: `/api/v1/projects/${f.b.project.id}${path}` })).statusCode,
        404,
        `nested ${path}`,
      );
    }
    const lookup = await f.as('adminB', f.b, {
      url: `/api/v1/projects/${f.b.project.id}/profiles?id_type=user_id&value=u-1`,
    });
    assert.deepEqual(lookup.json().items, []);
  });
});

test('the verify buffer is pruned after its retention period', async () => {
  const f = await createTenancyFixture('postgres');
  try {
    const scope = { kind: 'project' as const, projectId: f.a.project.id };
    const old = Date.now() - 100 * 3_600_000;
    await f.t.deps.store.verify.append(scope, [
      { entryId: 'old', sourceId: 'src_x', receivedAt: old, verdict: 'rejected', reasons: [], event: '{}' },
      {
        entryId: 'new',
        sourceId: 'src_x',
        receivedAt: Date.now(),
        verdict: 'rejected',
        reasons: [],
        event: '{}',
      },
    ]);
    assert.equal(await f.t.deps.verify.prune(), 1);
    const left = await f.t.deps.store.verify.recent(scope, 'src_x', 0, 10);
    assert.deepEqual(
      left.map((e) => e.key),
      ['bnew'],
    );
  } finally {
    await f.close();
  }
});
