import type { Migration } from '../storage/migration.js';

/** Schema of the push history (owned by the push engine). */
export const historyMigrations: readonly Migration[] = [];
