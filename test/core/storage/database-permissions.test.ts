import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, openDatabase } from '../../../core/storage/database.js';

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

// Regression (issue 15, "Also"): companion.db and its WAL files were created under the umask
// (0644 here), readable by every local user, with push history and queued webhook bodies in them.
describe('the companion database', () => {
  it('is created 0600 with its -wal and -shm, whatever the umask', () => {
    const home = mkdtempSync(join(tmpdir(), 'db-mode-'));
    homes.push(home);
    const previous = process.umask(0o022);
    try {
      const database = openDatabase(home);
      database.prepare('CREATE TABLE IF NOT EXISTS probe (id INTEGER)').run();
      const path = join(home, DATABASE_FILE);
      expect(mode(path)).toBe(0o600);
      expect(mode(`${path}-wal`)).toBe(0o600);
      expect(mode(`${path}-shm`)).toBe(0o600);
      database.close();
    } finally {
      process.umask(previous);
    }
  });

  it('tightens a database an older version left readable by others', () => {
    const home = mkdtempSync(join(tmpdir(), 'db-mode-'));
    homes.push(home);
    openDatabase(home).close();
    const path = join(home, DATABASE_FILE);
    chmodSync(path, 0o644);
    writeFileSync(`${path}-wal`, '');
    chmodSync(`${path}-wal`, 0o644);
    const database = openDatabase(home);
    expect(mode(path)).toBe(0o600);
    expect(mode(`${path}-wal`)).toBe(0o600);
    database.close();
  });
});
