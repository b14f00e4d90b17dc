import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { glob } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

// The console's modules form a tree of layers (api, i18n, ui, areas, app); a cycle between them
// makes the load order decide what is initialised and hides which layer owns what. This reads
// every relative import in web/src and fails on any cycle, naming it.

const root = resolve(import.meta.dirname, '../../web/src');
const importPattern =
  /^\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/gm;

/** Every module below `dir` with the modules it imports by a relative path (type-only ones too). */
export async function importGraph(dir: string): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for await (const file of glob('**/*.{ts,tsx}', { cwd: dir })) {
    const text = readFileSync(join(dir, file), 'utf8');
    const targets: string[] = [];
    for (const match of text.matchAll(importPattern)) {
      const spec = match[1] ?? match[2];
      if (!spec || !/\.tsx?$/.test(spec)) continue;
      targets.push(relative(dir, resolve(dirname(join(dir, file)), spec)));
    }
    graph.set(file, targets);
  }
  return graph;
}

/** The cycles of a graph, each as the path that closes it (`a → b → a`). */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

describe('web/src imports', () => {
  it('finds a cycle when there is one (the check can fail)', () => {
    const graph = new Map([
      ['ui/layout.tsx', ['pages/change-password.tsx']],
      ['pages/change-password.tsx', ['ui/auth-layout.tsx']],
      ['ui/auth-layout.tsx', ['ui/layout.tsx']],
      ['main.tsx', ['ui/layout.tsx']],
    ]);
    assert.deepEqual(findCycles(graph), [
      ['ui/layout.tsx', 'pages/change-password.tsx', 'ui/auth-layout.tsx', 'ui/layout.tsx'],
    ]);
  });

  it('reads the imports of the console, each to a file that exists', async () => {
    const graph = await importGraph(root);
    assert.ok(graph.size > 20, `only ${graph.size} modules under ${root}`);
    const missing = [...graph].flatMap(([from, targets]) =>
      targets.filter((to) => !graph.has(to)).map((to) => `${from} → ${to}`),
    );
    assert.deepEqual(missing, []);
  });

  it('has no import cycle', async () => {
    const cycles = findCycles(await importGraph(root));
    assert.deepEqual(
      cycles.map((c) => c.join(' → ')),
      [],
    );
  });
});
