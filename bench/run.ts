// `npm run bench -- <name>`: runs one benchmark from bench/<name>.ts. Benchmarks never run in npm test.
const benches: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  ingest: () => import('./ingest.ts'),
  profiles: () => import('./profiles.ts'),
  'tenant-guard': () => import('./tenant-guard.ts'),
  'delivery-crash': () => import('./delivery-crash.ts'),
  outbox: () => import('./outbox.ts'),
  delivery: () => import('./delivery.ts'),
  audience: () => import('./audience.ts'),
  campaign: () => import('./campaign.ts'),
  realtime: () => import('./realtime.ts'),
};

const [name, ...args] = process.argv.slice(2);
const load = name ? benches[name] : undefined;
if (!load) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [options]`);
  process.exit(2);
}
await (await load()).run(args);
