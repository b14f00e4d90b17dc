// The folders show the architecture (STYLE.md "Layout"): these rules read the source tree and fail
// with the offending file and line. A rule is data: name it, say which files it applies to and
// what it forbids, and give one sample it must flag and one it must let pass (so no rule can
// silently stop matching). Add a rule by appending to `rules`.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, test } from 'node:test';

interface SourceFile {
  /** Repository-relative, `/`-separated: `src/ingest/group-commit.ts`. */
  readonly path: string;
  readonly text: string;
}

interface Violation {
  readonly path: string;
  readonly line: number;
  readonly what: string;
}

interface Rule {
  readonly name: string;
  /** Which files the rule reads. */
  readonly appliesTo: (path: string) => boolean;
  check(file: SourceFile): Violation[];
  /** A file the rule must flag and one it must let pass: proves the rule still bites. */
  readonly samples: { readonly flags: SourceFile; readonly passes: SourceFile };
}

// ---- reading the tree -------------------------------------------------------------------------

function sourceFiles(dir: string): SourceFile[] {
  const files: SourceFile[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const path = posix.join(entry.parentPath.replaceAll('\\', '/'), entry.name);
    files.push({ path, text: readFileSync(path, 'utf8') });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** The code without comments (kept line for line), so prose about a driver is not flagged. */
function codeOf(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

const lineAt = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** Decision 9's list of cross-tenant paths, whitespace folded (reasons may wrap there). */
const scopeInventory = (() => {
  const doc = readFileSync('docs/decisions.md', 'utf8');
  const start = doc.indexOf('9. **Tenant isolation is enforced twice.**');
  const end = doc.indexOf('\n10. ', start);
  assert.ok(start >= 0 && end > start, 'decision 9 is in docs/decisions.md');
  return doc.slice(start, end).replace(/\s+/g, ' ');
})();

/** What a file imports: a repository-relative path for relative specifiers, else the package. */
function importsOf(file: SourceFile): { target: string; line: number }[] {
  const code = codeOf(file.text);
  const found: { target: string; line: number }[] = [];
  const patterns = [
    /(?:^|[;\s])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) {
      const specifier = match[1]!;
      const target = specifier.startsWith('.')
        ? posix.normalize(posix.join(posix.dirname(file.path), specifier))
        : specifier;
      found.push({ target, line: lineAt(code, match.index + match[0].indexOf(specifier)) });
    }
  }
  return found;
}

// ---- rule builders ----------------------------------------------------------------------------

const under = (folder: string) => (path: string) => path.startsWith(`${folder}/`);
const not =
  (...predicates: ((path: string) => boolean)[]) =>
  (path: string) =>
    !predicates.some((p) => p(path));
const is = (file: string) => (path: string) => path === file;
const packageIs = (...names: string[]) => {
  const set = new Set(names);
  return (target: string) => set.has(target) || names.some((n) => target.startsWith(`${n}/`));
};

function importRule(
  name: string,
  appliesTo: (path: string) => boolean,
  forbidden: (target: string) => boolean,
  samples: Rule['samples'],
): Rule {
  return {
    name,
    appliesTo,
    samples,
    check: (file) =>
      importsOf(file)
        .filter((i) => forbidden(i.target))
        .map((i) => ({ path: file.path, line: i.line, what: `imports ${i.target}` })),
  };
}

function textRule(
  name: string,
  appliesTo: (path: string) => boolean,
  patterns: readonly RegExp[],
  samples: Rule['samples'],
): Rule {
  return {
    name,
    appliesTo,
    samples,
    check: (file) => {
      const code = codeOf(file.text);
      return patterns.flatMap((pattern) =>
        [...code.matchAll(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`))].map((m) => ({
          path: file.path,
          line: lineAt(code, m.index),
          what: `matches ${pattern} ("${m[0]}")`,
        })),
      );
    },
  };
}

// ---- the rules --------------------------------------------------------------------------------

const dialectFolder = under('src/store/dialects');
/** The one file that picks a dialect. */
const storeFactory = is('src/store/store.ts');
/** Each reach-channel kind's own folder (STYLE: `src/channels/<kind>/`). */
const channelKindFolders = ['webhook', 'email', 'webpush', 'plugin'];
const databaseDriver = packageIs('pg', 'pg-pool', 'node:sqlite', 'better-sqlite3');

const rules: readonly Rule[] = [
  importRule(
    'outside src/store/, no file imports a dialect, a database driver or Kysely',
    not(under('src/store')),
    (target) => dialectFolder(target) || databaseDriver(target) || packageIs('kysely')(target),
    {
      flags: {
        path: 'src/ingest/group-commit.ts',
        text: "import { isStoreUnavailableError } from '../store/dialects/unavailable-error.ts';",
      },
      passes: { path: 'src/ingest/group-commit.ts', text: "import type { Store } from '../store/store.ts';" },
    },
  ),
  importRule(
    'inside src/store/, only the dialect folders and the factory (store.ts) import a dialect or a driver',
    (path) => under('src/store')(path) && !dialectFolder(path) && !storeFactory(path),
    (target) => dialectFolder(target) || databaseDriver(target),
    {
      flags: {
        path: 'src/store/repositories/events-repository.ts',
        text: "import { fromJson } from '../dialects/dialect.ts';",
      },
      passes: {
        path: 'src/store/repositories/events-repository.ts',
        text: "import { sql, type Kysely } from 'kysely';\nimport { fromJson } from '../json.ts';",
      },
    },
  ),
  importRule(
    'outside src/store/, no file imports table row types or store SQL (schema.ts, sql/, dialect-handle.ts)',
    not(under('src/store')),
    (target) =>
      target === 'src/store/schema.ts' ||
      target === 'src/store/dialect-handle.ts' ||
      under('src/store/sql')(target),
    {
      flags: {
        path: 'src/api/routes/x.ts',
        text: "import type { EventsTable } from '../../store/schema.ts';",
      },
      passes: {
        path: 'src/api/routes/x.ts',
        text: "import type { StoredEvent } from '../../store/repositories/events-repository.ts';",
      },
    },
  ),
  textRule(
    'outside src/store/dialects/, no file tests a database error code or error text',
    (path) => !dialectFolder(path),
    [
      /\b23505\b/, // PostgreSQL unique_violation
      /['"`](?:08|23|40|53|55|57|58)[0-9A-Z]{3}['"`]/, // an SQLSTATE literal
      /\berrcode\b/, // node:sqlite's result code
      /\bERR_SQLITE_ERROR\b/,
      /\bSQLITE_[A-Z]+/,
      /UNIQUE constraint failed/,
      /duplicate key value/i,
      /database is locked/i,
      /Connection terminated/i,
    ],
    {
      flags: {
        path: 'src/sources/sources-service.ts',
        text: 'if (/unique|UNIQUE|23505/.test(String((error as { code?: string }).code))) throw x;',
      },
      passes: {
        path: 'src/config/load-config.ts',
        text: "// SQLITE_BUSY is the dialect's business\nkey: 'TOUCHPOINT_SQLITE_BUSY_TIMEOUT_MS',\nif (error instanceof UniqueViolationError) throw x;",
      },
    },
  ),
  importRule(
    'under src/channels/, no file outside a kind folder imports a kind folder, except the driver registry',
    (path) =>
      under('src/channels')(path) &&
      !channelKindFolders.some((kind) => under(`src/channels/${kind}`)(path)) &&
      !is('src/channels/channel-drivers.ts')(path),
    (target) => channelKindFolders.some((kind) => under(`src/channels/${kind}`)(target)),
    {
      flags: {
        path: 'src/channels/channel-service.ts',
        text: "import { generateV2Key } from './webhook/protocol/sign-v2.ts';",
      },
      passes: {
        path: 'src/channels/channel-service.ts',
        text: "import { channelDrivers } from './channel-drivers.ts';\nimport type { RenderedMessage } from './message.ts';",
      },
    },
  ),
  importRule(
    'domain folders (sources, ingest, profiles, channels, delivery, campaigns) import no file of src/tenancy/ (src/access/ is the neutral seam)',
    (path) =>
      [
        'src/sources',
        'src/ingest',
        'src/profiles',
        'src/channels',
        'src/delivery',
        'src/campaigns',
        'src/audiences',
      ].some((d) => under(d)(path)),
    (target) => under('src/tenancy')(target),
    {
      flags: {
        path: 'src/sources/sources-service.ts',
        text: "import { auditContextOf } from '../tenancy/audit-log-service.ts';",
      },
      passes: {
        path: 'src/sources/sources-service.ts',
        text: "import { auditContextOf } from '../access/caller.ts';",
      },
    },
  ),
  importRule(
    'no domain folder imports Fastify (only src/api/ adapts HTTP)',
    not(under('src/api'), under('src/cli'), is('src/main.ts')),
    packageIs('fastify', '@fastify/cookie', '@fastify/static', '@fastify/swagger', '@fastify/swagger-ui'),
    {
      flags: { path: 'src/delivery/x.ts', text: "import type { FastifyRequest } from 'fastify';" },
      passes: { path: 'src/delivery/x.ts', text: "import type { Store } from '../store/store.ts';" },
    },
  ),
  {
    name: 'every systemScope reason is listed in the inventory of docs/decisions.md (decision 9)',
    appliesTo: under('src'),
    check(file) {
      const found: Violation[] = [];
      const code = codeOf(file.text);
      for (const m of code.matchAll(/\bsystemScope\(\s*(['"`])((?:(?!\1).)+)\1/g))
        if (!scopeInventory.includes(m[2] as string))
          found.push({
            path: file.path,
            line: lineAt(code, m.index),
            what: `systemScope('${m[2]}') is not listed under decision 9`,
          });
      return found;
    },
    samples: {
      flags: { path: 'src/delivery/x.ts', text: "systemScope('a reason nobody wrote down')" },
      passes: { path: 'src/delivery/x.ts', text: "systemScope(\n  'ingest group commit',\n)" },
    },
  },
];

// ---- running them -----------------------------------------------------------------------------

const files = sourceFiles('src');

test('the source tree is read (src/**/*.ts)', () => {
  assert.ok(files.length > 50, `only ${files.length} files found under src/`);
  assert.ok(files.some((f) => f.path === 'src/store/store.ts'));
});

describe('architecture', () => {
  for (const rule of rules) {
    test(rule.name, () => {
      assert.ok(rule.appliesTo(rule.samples.flags.path), 'the flagged sample is in scope');
      assert.notDeepEqual(rule.check(rule.samples.flags), [], 'the rule flags its sample');
      assert.deepEqual(rule.check(rule.samples.passes), [], 'the rule lets its passing sample through');
      const violations = files.filter((f) => rule.appliesTo(f.path)).flatMap((f) => rule.check(f));
      assert.deepEqual(
        violations.map((v) => `${v.path}:${v.line} ${v.what}`),
        [],
        `${rule.name}: fix these files`,
      );
    });
  }
});
