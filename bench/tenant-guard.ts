// bench/tenant-guard: cost of the tenant guard's check (MT-20) per project-scoped query, on the
// shapes the hot paths build (a pinned select, a multi-row insert, an upsert), against the
// recursive-generator walk it replaced (issue 14), in the same run.
//
//   npm run bench -- tenant-guard [--iterations 200000]
import {
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type OperationNode,
} from 'kysely';
import type { RootOperationNode } from 'kysely';
import type { Database } from '../src/store/schema.ts';
import { TenantGuardPlugin, tenantTables } from '../src/store/tenant-guard.ts';

type Node = OperationNode & Record<string, unknown>;
const isNode = (v: unknown): v is Node =>
  typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string';
function* walk(node: unknown): Generator<Node> {
  if (Array.isArray(node)) {
    for (const item of node) yield* walk(item);
    return;
  }
  if (!isNode(node)) return;
  yield node;
  for (const value of Object.values(node))
    if (typeof value === 'object' && value !== null) yield* walk(value);
}
/** The previous check's two walks (tables touched, then the where clause), for the baseline. */
function recursiveCheck(root: Node): number {
  let n = 0;
  for (const node of walk(root))
    if (node.kind === 'TableNode') {
      const name = (node.table as { identifier?: { name?: string } }).identifier?.name;
      if (name && tenantTables[name]) n++;
    }
  for (const node of walk(root.where)) if (node.kind === 'BinaryOperationNode') n++;
  return n;
}

export async function run(args: string[]): Promise<void> {
  const i = args.indexOf('--iterations');
  const iterations = i >= 0 ? Number(args[i + 1]) : 200_000;
  const db = new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new SqliteIntrospector(k),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
  const shapes: [string, RootOperationNode][] = [
    [
      'select pinned',
      db
        .selectFrom('profile_identities')
        .select(['id_type', 'value', 'tp_uid'])
        .where('project_id', '=', 7)
        .where((eb) => eb.or([eb('id_type', '=', 'user_id'), eb('value', 'in', ['a', 'b', 'c'])]))
        .toOperationNode(),
    ],
    [
      'insert 20 rows',
      db
        .insertInto('profile_identities')
        .values(
          Array.from({ length: 20 }, (_, k) => ({
            project_id: 7,
            id_type: 'user_id',
            value: `u${k}`,
            tp_uid: `t${k}`,
            created_at: 0,
          })),
        )
        .toOperationNode(),
    ],
    [
      'update pinned',
      db
        .updateTable('profiles')
        .set({ updated_at: 1 })
        .where('project_id', '=', 7)
        .where('tp_uid', '=', 'x')
        .toOperationNode(),
    ],
  ];
  const guard = new TenantGuardPlugin(7);
  console.log(`bench/tenant-guard: ${iterations.toLocaleString('en')} checks per shape`);
  for (const [name, node] of shapes) {
    const time = (fn: () => void) => {
      for (let k = 0; k < 2000; k++) fn();
      const started = process.hrtime.bigint();
      for (let k = 0; k < iterations; k++) fn();
      return Number(process.hrtime.bigint() - started) / 1000 / iterations;
    };
    const queryId = { queryId: 'bench' };
    const now = time(() => guard.transformQuery({ node, queryId }));
    const before = time(() => recursiveCheck(node as unknown as Node));
    console.log(
      `  ${name}: ${now.toFixed(2)} µs per check (recursive generators: ${before.toFixed(2)} µs, ${(before / now).toFixed(1)}× faster)`,
    );
  }
}
