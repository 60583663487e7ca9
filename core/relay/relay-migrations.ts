import type { Migration } from '../storage/migration.js';

/** Schema of the relay's delivery queue (owned by the relay). */
export const relayMigrations: readonly Migration[] = [];
