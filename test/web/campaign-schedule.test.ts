import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeCron,
  isoToZonedInput,
  scheduleOf,
  triggerOf,
  zonedInputToIso,
} from '../../web/src/pages/campaigns/campaign-schedule.ts';
import { stepOf, variableNameOf } from '../../web/src/pages/campaigns/campaign-model.ts';

// The campaign editor types times as wall-clock times in the project's time zone, whatever zone
// the browser is in, and reads cron expressions back in words (issue 19 point 5).

describe('campaign schedule: times in the project time zone', () => {
  it('reads a datetime-local value in the given zone', () => {
    assert.equal(zonedInputToIso('2026-05-01T09:00', 'Asia/Shanghai'), '2026-05-01T01:00:00.000Z');
    assert.equal(zonedInputToIso('2026-05-01T09:00', 'UTC'), '2026-05-01T09:00:00.000Z');
    assert.equal(zonedInputToIso('2026-01-15T09:30', 'America/New_York'), '2026-01-15T14:30:00.000Z');
    assert.equal(zonedInputToIso('2026-07-15T09:30', 'America/New_York'), '2026-07-15T13:30:00.000Z');
    assert.equal(zonedInputToIso('2026-07-15T09:30:15', 'Europe/Berlin'), '2026-07-15T07:30:15.000Z');
  });

  it('puts a time skipped by daylight saving after the jump, and a repeated one at its first occurrence', () => {
    // 2026-03-08 02:30 does not exist in New York (02:00 EST → 03:00 EDT).
    assert.equal(zonedInputToIso('2026-03-08T02:30', 'America/New_York'), '2026-03-08T07:30:00.000Z');
    // 2026-11-01 01:30 happens twice (EDT, then EST): the first is 05:30Z.
    assert.equal(zonedInputToIso('2026-11-01T01:30', 'America/New_York'), '2026-11-01T05:30:00.000Z');
  });

  it('answers null for what is not a datetime-local value', () => {
    assert.equal(zonedInputToIso('', 'UTC'), null);
    assert.equal(zonedInputToIso('2026-05-01', 'UTC'), null);
    assert.equal(zonedInputToIso('tomorrow 9am', 'UTC'), null);
  });

  it('shows an instant as the wall-clock time of the zone, and round-trips', () => {
    assert.equal(isoToZonedInput('2026-05-01T01:00:00.000Z', 'Asia/Shanghai'), '2026-05-01T09:00');
    assert.equal(isoToZonedInput('2026-07-15T13:30:00Z', 'America/New_York'), '2026-07-15T09:30');
    assert.equal(isoToZonedInput(null, 'UTC'), '');
    assert.equal(isoToZonedInput('not a time', 'UTC'), '');
    for (const zone of ['Asia/Kolkata', 'Australia/Adelaide', 'America/Sao_Paulo', 'Pacific/Chatham']) {
      const iso = zonedInputToIso('2026-02-28T23:45', zone);
      assert.ok(iso, zone);
      assert.equal(isoToZonedInput(iso, zone), '2026-02-28T23:45', zone);
    }
  });

  it('turns the editor’s schedule into a trigger and back', () => {
    const zone = 'Asia/Shanghai';
    assert.deepEqual(triggerOf({ type: 'now', at: 'x', cron: 'y', endAt: '' }, zone), { type: 'now' });
    assert.deepEqual(triggerOf({ type: 'at', at: '2026-05-01T09:00', cron: '', endAt: '' }, zone), {
      type: 'at',
      at: '2026-05-01T01:00:00.000Z',
    });
    const cron = triggerOf({ type: 'cron', at: '', cron: ' 0 9 * * 1 ', endAt: '2026-06-30T18:00' }, zone);
    assert.deepEqual(cron, { type: 'cron', cron: '0 9 * * 1', end_at: '2026-06-30T10:00:00.000Z' });
    assert.deepEqual(scheduleOf(cron, zone), {
      type: 'cron',
      at: '',
      cron: '0 9 * * 1',
      endAt: '2026-06-30T18:00',
    });
    assert.deepEqual(triggerOf({ type: 'cron', at: '', cron: '0 9 * * *', endAt: '' }, zone), {
      type: 'cron',
      cron: '0 9 * * *',
      end_at: null,
    });
    // An unreadable time goes to the server as typed, so it is refused with a coded error.
    assert.deepEqual(triggerOf({ type: 'at', at: 'soon', cron: '', endAt: '' }, zone), {
      type: 'at',
      at: 'soon',
    });
  });
});

describe('campaign schedule: cron in words', () => {
  it('reads five- and six-field expressions in English and Chinese', () => {
    assert.equal(describeCron('0 9 * * 1', 'en'), 'At 09:00, only on Monday');
    assert.match(describeCron('*/10 * * * * *', 'en') ?? '', /10 seconds/);
    const zh = describeCron('0 9 * * 1', 'zh-CN') ?? '';
    assert.match(zh, /星期一/);
    assert.match(zh, /09:00/);
  });

  it('answers null for what it cannot read', () => {
    assert.equal(describeCron('', 'en'), null);
    assert.equal(describeCron('every monday', 'en'), null);
    assert.equal(describeCron('61 * * * *', 'en'), null);
  });
});

describe('campaign editor model', () => {
  it('places an issue on the step that shows its field', () => {
    assert.equal(stepOf('/name'), 'audience');
    assert.equal(stepOf('/audience_id'), 'audience');
    assert.equal(stepOf('/channel_id'), 'channel');
    assert.equal(stepOf('/template_values/title'), 'content');
    assert.equal(stepOf('/variables/0/source'), 'content');
    assert.equal(stepOf('/trigger/cron'), 'schedule');
    assert.equal(stepOf('/conversion/within_days'), 'schedule');
  });

  it('names a variable after a property so ${name} can be written', () => {
    assert.equal(variableNameOf('nickname'), 'nickname');
    assert.equal(variableNameOf('first name'), 'first_name');
    assert.equal(variableNameOf('$city'), '_city');
    assert.equal(variableNameOf('2fa'), '_2fa');
  });
});
