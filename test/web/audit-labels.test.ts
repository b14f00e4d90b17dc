import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { failureReasons } from '../../src/channels/message-outcome.ts';
import { errorCodes } from '../../src/errors.ts';
import { auditActions, auditActorTypes, auditTargetTypes, permissionNames } from '../../web/src/api/types.ts';
import { en, type MessageKey } from '../../web/src/i18n/messages.ts';

// What the server writes and the console shows by name (issue 13): every audit action has a
// label and is offered in the audit filter, every target and actor type has a label, and every
// per-event ingest code has a verify reason, so no raw key reaches the page in either language
// (test/web/zh-cn-messages.test.ts then checks each has its Chinese text).

const srcDir = join(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The modules that write audit entries, and their text. */
const writers = sourceFiles(srcDir)
  .filter((path) => !path.endsWith('audit-log.ts'))
  .map((path) => ({ path, text: readFileSync(path, 'utf8') }))
  .filter(({ text }) => /audit\.record(?:ForAccount|Instance)?\(|#audit\(/.test(text));

/**
 * The action names in those modules: every `'area.what'` literal that is not a permission name.
 * Written as plain literals (also in ternaries and unions), so a new action cannot hide.
 */
function writtenActions(): string[] {
  const permissions = new Set<string>(permissionNames);
  const found = new Set<string>();
  for (const { text } of writers)
    for (const match of text.matchAll(/'([a-z_]+(?:\.[a-z_]+)+)'/g)) {
      const name = match[1] as string;
      if (!permissions.has(name)) found.add(name);
    }
  return [...found].sort();
}

function writtenTargetTypes(): string[] {
  const found = new Set<string>();
  for (const { text } of writers)
    // `target: { type: … }`, or a ternary's branch on its own line (`? { type: … }`).
    for (const match of text.matchAll(/(?:target: |^\s*[?:] )\{ type: '([a-z_]+)', id\b/gm))
      found.add(match[1] as string);
  return [...found].sort();
}

const missingKeys = (keys: readonly string[]) => keys.filter((key) => !Object.hasOwn(en, key));

describe('audit log and verify labels', () => {
  it('finds the modules that write audit entries', () => {
    assert.ok(writers.length >= 8, `only ${writers.length} audit writers found`);
    assert.ok(writtenActions().includes('channel.created'));
  });

  it('offers every action the server writes in the filter, and only those', () => {
    assert.deepEqual([...auditActions].sort(), writtenActions());
  });

  it('labels every action, target type and actor type', () => {
    assert.deepEqual(missingKeys(auditActions.map((a) => `audit.action.${a}`)), []);
    assert.deepEqual(missingKeys(auditTargetTypes.map((type) => `audit.targetType.${type}`)), []);
    assert.deepEqual(missingKeys(auditActorTypes.map((type) => `audit.actorType.${type}`)), []);
    const targets = new Set<string>(auditTargetTypes);
    assert.deepEqual(
      writtenTargetTypes().filter((type) => !targets.has(type)),
      [],
      'add these target types to auditTargetTypes',
    );
  });

  it('says every ingest rejection code in words on the verify page', () => {
    const codes = Object.keys(errorCodes).filter((code) => code.startsWith('TP_ERR_INGEST_'));
    assert.ok(
      codes.includes('TP_ERR_INGEST_INVALID_UTF8') && codes.includes('TP_ERR_INGEST_NUMBER_OUT_OF_RANGE'),
    );
    assert.deepEqual(
      missingKeys([...codes, 'TP_ERR_PROFILE_MERGE_CONFLICT'].map((c) => `verify.reason.${c}`)),
      [],
    );
  });

  it('says every failure reason of a test send in words', () => {
    assert.deepEqual(missingKeys(failureReasons.map((r) => `channels.reason.${r}`)), []);
  });

  it('labels in the console only what exists', () => {
    const labelled = (prefix: string) =>
      (Object.keys(en) as MessageKey[])
        .filter((k) => k.startsWith(prefix))
        .map((k) => k.slice(prefix.length));
    const actions = new Set<string>(auditActions);
    assert.deepEqual(
      labelled('audit.action.').filter((a) => !actions.has(a)),
      [],
    );
    assert.deepEqual(
      labelled('verify.reason.').filter((code) => !Object.hasOwn(errorCodes, code)),
      [],
    );
  });
});
