// Row types of every table, as Kysely sees them. They never leave src/store/: repositories map
// rows to domain types (snake_case here, camelCase outside).

export interface InstanceSettingsTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface MigrationsTable {
  id: number;
  name: string;
  applied_at: number;
}

export interface Database {
  instance_settings: InstanceSettingsTable;
  tp_migrations: MigrationsTable;
}
