import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeCron,
  describeEventTrigger,
  durationOf,
  emptySchedule,
  eventTriggerIssues,
  isoToZonedInput,
  minutesOf,
  scheduleOf,
  triggerOf,
  zonedInputToIso,
  type ScheduleDraft,
  type Translate,
} from '../../web/src/pages/campaigns/campaign-schedule.ts';
import type { PropertyRow } from '../../web/src/pages/audiences/audience-model.ts';
import { en } from '../../web/src/i18n/messages.ts';
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
    const e = emptySchedule;
    assert.deepEqual(triggerOf({ ...e, type: 'now', at: 'x', cron: 'y' }, zone), { type: 'now' });
    assert.deepEqual(triggerOf({ ...e, type: 'at', at: '2026-05-01T09:00' }, zone), {
      type: 'at',
      at: '2026-05-01T01:00:00.000Z',
    });
    const cron = triggerOf({ ...e, type: 'cron', cron: ' 0 9 * * 1 ', endAt: '2026-06-30T18:00' }, zone);
    assert.deepEqual(cron, { type: 'cron', cron: '0 9 * * 1', end_at: '2026-06-30T10:00:00.000Z' });
    assert.deepEqual(scheduleOf(cron, zone), {
      ...e,
      type: 'cron',
      cron: '0 9 * * 1',
      endAt: '2026-06-30T18:00',
    });
    assert.deepEqual(triggerOf({ ...e, type: 'cron', cron: '0 9 * * *' }, zone), {
      type: 'cron',
      cron: '0 9 * * *',
      end_at: null,
    });
    // An unreadable time goes to the server as typed, so it is refused with a coded error.
    assert.deepEqual(triggerOf({ ...e, type: 'at', at: 'soon' }, zone), { type: 'at', at: 'soon' });
  });
});

/** The console's English `t`, as the I18nProvider builds it. */
const t: Translate = (key, values) =>
  en[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    values?.[name] === undefined ? whole : String(values[name]),
  );

describe('campaign schedule: event triggers', () => {
  const zone = 'Asia/Shanghai';
  const price: PropertyRow = {
    kind: 'property',
    key: 'k1',
    property: 'price',
    operator: 'greater_than',
    value: '100',
    value2: '',
  };
  const draft: ScheduleDraft = {
    ...emptySchedule,
    type: 'event',
    event: 'Added To Cart',
    filters: [price, { ...price, key: 'k2', property: '' }],
    delay: '10',
    delayUnit: 'minutes',
    startAt: '2026-05-01T09:00',
    unless: true,
    unlessEvent: 'Order Completed',
    unlessWithin: '1',
    unlessUnit: 'hours',
    same: ['cart_id'],
  };

  it('sends the event, typed filters (empty rows left out), minutes and instants, and reads them back', () => {
    const trigger = triggerOf(draft, zone, new Map([['price', ['number']]]));
    assert.deepEqual(trigger, {
      type: 'event',
      event: 'Added To Cart',
      filters: [{ type: 'property', property: 'price', operator: 'greater_than', value: 100 }],
      delay_minutes: 10,
      start_at: '2026-05-01T01:00:00.000Z',
      end_at: null,
      unless: { event: 'Order Completed', within_minutes: 60, same: ['cart_id'], filters: [] },
    });
    const back = scheduleOf(trigger, zone);
    assert.equal(back.type, 'event');
    assert.equal(back.event, 'Added To Cart');
    assert.deepEqual(
      back.filters.map((f) => [f.property, f.operator, f.value]),
      [['price', 'greater_than', '100']],
    );
    assert.deepEqual(
      [back.delay, back.delayUnit, back.startAt, back.endAt],
      ['10', 'minutes', '2026-05-01T09:00', ''],
    );
    assert.deepEqual(
      [back.unless, back.unlessEvent, back.unlessWithin, back.unlessUnit],
      [true, 'Order Completed', '1', 'hours'],
    );
    assert.deepEqual(back.same, ['cart_id']);
    const plain = triggerOf({ ...draft, unless: false }, zone);
    assert.equal(plain.type === 'event' ? plain.unless : 'not an event trigger', null);
  });

  it('sends the filters of the "unless" event typed by its properties, and reads them back', () => {
    const total: PropertyRow = { ...price, key: 'k2', property: 'total', value: '20' };
    const trigger = triggerOf(
      { ...draft, unlessFilters: [total, { ...price, key: 'k3', property: '' }] },
      zone,
      new Map([['price', ['number']]]),
      new Map([['total', ['number']]]),
    );
    assert.ok(trigger.type === 'event' && trigger.unless);
    assert.deepEqual(trigger.unless.filters, [
      { type: 'property', property: 'total', operator: 'greater_than', value: 20 },
    ]);
    const back = scheduleOf(trigger, zone);
    assert.deepEqual(
      back.unlessFilters.map((f) => [f.property, f.operator, f.value]),
      [['total', 'greater_than', '20']],
    );
  });

  it('shows whole hours as hours, anything else in minutes', () => {
    assert.deepEqual(durationOf(120), { value: '2', unit: 'hours' });
    assert.deepEqual(durationOf(90), { value: '90', unit: 'minutes' });
    assert.deepEqual(durationOf(0), { value: '0', unit: 'minutes' });
    assert.equal(minutesOf('3', 'hours'), 180);
    assert.ok(Number.isNaN(minutesOf('1.5', 'minutes')));
    assert.ok(Number.isNaN(minutesOf('', 'minutes')));
  });

  it('names what the editor must have before saving an event trigger', () => {
    assert.deepEqual(eventTriggerIssues(draft), {});
    assert.deepEqual(eventTriggerIssues({ ...emptySchedule, type: 'cron' }), {});
    assert.deepEqual(
      eventTriggerIssues({
        ...draft,
        event: '',
        delay: '31',
        delayUnit: 'hours',
        unlessEvent: '',
        unlessWithin: '0',
        filters: [{ ...price, operator: '' }],
      }),
      {
        '/trigger/event': 'validation.required',
        '/trigger/unless/event': 'validation.required',
        '/trigger/unless/within_minutes': 'campaigns.durationRange',
        '/trigger/filters/0/operator': 'validation.required',
      },
    );
    assert.deepEqual(eventTriggerIssues({ ...draft, delay: '721', delayUnit: 'hours' }), {
      '/trigger/delay_minutes': 'campaigns.durationRange',
    });
    // An empty delay is "at once".
    assert.deepEqual(eventTriggerIssues({ ...draft, delay: '' }), {});
  });

  it('reads the trigger in words', () => {
    const trigger = triggerOf(draft, zone, new Map([['price', ['number']]]));
    assert.ok(trigger.type === 'event');
    assert.equal(
      describeEventTrigger(trigger, t),
      'Each time Added To Cart happens (price > 100), 10 minutes later, unless Order Completed with the same cart_id within 1 hour',
    );
    assert.equal(
      describeEventTrigger({ ...trigger, filters: [], delay_minutes: 0, unless: null }, t),
      'Each time Added To Cart happens, at once',
    );
    // A filter still being typed reads as such.
    assert.equal(
      describeEventTrigger({ ...trigger, filters: [{ property: 'price' }], unless: null }, t),
      'Each time Added To Cart happens (price …), 10 minutes later',
    );
    assert.equal(
      describeEventTrigger(
        {
          ...trigger,
          filters: [
            { property: 'sku', operator: 'in', values: ['A', 'B'] },
            { property: 'qty', operator: 'between', values: [1, 5] },
            { property: 'coupon', operator: 'is_set' },
          ],
          delay_minutes: 2880,
          unless: { event: 'Order Completed', within_minutes: 90, same: [], filters: [] },
        },
        t,
      ),
      'Each time Added To Cart happens (sku is one of "A", "B", qty between 1 and 5, coupon is set), 2 days later, unless Order Completed within 90 minutes',
    );
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
    assert.equal(stepOf('/frequency_cap/count'), 'schedule');
    assert.equal(stepOf('/quiet_hours'), 'schedule');
  });

  it('names a variable after a property so ${name} can be written', () => {
    assert.equal(variableNameOf('nickname'), 'nickname');
    assert.equal(variableNameOf('first name'), 'first_name');
    assert.equal(variableNameOf('$city'), '_city');
    assert.equal(variableNameOf('2fa'), '_2fa');
  });
});
