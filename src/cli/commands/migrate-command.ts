import { loadConfig } from '../../config/load-config.ts';
import { openStore, storeOptionsFromConfig } from '../../store/store.ts';
import type { Command } from '../command.ts';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Bring the database schema up to date (running it again is a no-op).',
  usage: 'migrate [--check]',
  options: { check: { type: 'boolean', default: false } },
  optionHelp: [
    ['--check', 'Only report the schema version and pending migrations; exit 1 if any are pending'],
  ],
  async run(values, _positionals, io) {
    const config = loadConfig(io.env);
    const store = await openStore(storeOptionsFromConfig(config));
    try {
      if (values.check) {
        const { version, pending } = await store.checkSchema();
        io.out(`schema version ${version}, ${pending} pending migration(s) on ${store.description}`);
        return pending > 0 ? 1 : 0;
      }
      const result = await store.migrate();
      for (const m of result.applied) io.out(`applied ${String(m.id).padStart(4, '0')} ${m.name}`);
      io.out(`schema version ${result.version} on ${store.description}`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
