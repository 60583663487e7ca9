import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processStartTime, tryLock } from '../../../core/io/lock-file.js';
import { newInstallation } from '../../../core/settings/new-installation.js';
import { openSettings } from '../../../core/settings/settings-file.js';

const homes: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function tempHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'lock-file-'));
  homes.push(home);
  return home;
}

/**
 * A separate process that takes `lock` the way the companion does (owner with pid, host and start
 * time from /proc, created by link) and then holds it until it is killed.
 */
async function holder(lock: string): Promise<ChildProcess> {
  const script = `
    const fs = require('fs'), os = require('os');
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const started = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const owner = { pid: process.pid, host: os.hostname(), started, token: 'holder', at: new Date().toISOString() };
    fs.writeFileSync(${JSON.stringify(`${lock}.holder`)}, JSON.stringify(owner));
    fs.linkSync(${JSON.stringify(`${lock}.holder`)}, ${JSON.stringify(lock)});
    fs.unlinkSync(${JSON.stringify(`${lock}.holder`)});
    process.stdout.write('held\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
  return child;
}

async function killHard(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

// Regression (issue 15 item 8): `kill -9` while settings were locked left settings.json.lock, and
// every command — read-only ones too — failed with SETTINGS_WRITE_FAILED until it was 30 s old.
describe('the lock file', () => {
  it('takes over the settings lock of a killed process at once', async () => {
    const home = tempHome();
    const settings = openSettings(home);
    const child = await holder(`${settings.path}.lock`);
    await killHard(child);
    const started = performance.now();
    settings.saveInstallation(newInstallation({ name: 'after-kill', baseUrl: 'https://a.corp' }));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(openSettings(home).findInstallation('after-kill')).toBeDefined();
    expect(existsSync(`${settings.path}.lock`)).toBe(false);
  });

  it('lets reads through while a live process holds the write lock, and makes writers wait for it', async () => {
    const home = tempHome();
    const path = openSettings(home).path;
    const child = await holder(`${path}.lock`);
    // A read-only command opens the settings and lists them without waiting for the writer.
    const started = performance.now();
    expect(openSettings(home).listInstallations()).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1000);
    // A writer waits for the live owner and names it when it gives up.
    let failure: unknown;
    try {
      openSettings(home).saveInstallation(
        newInstallation({ name: 'x', baseUrl: 'https://a.corp' }),
      );
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ code: 'SETTINGS_WRITE_FAILED' });
    expect(String((failure as Error).message)).toContain(`process ${child.pid}`);
  }, 20_000);

  it('does not mistake a reused pid for the owner: the start time must match too', () => {
    const home = tempHome();
    const lock = join(home, 'x.lock');
    // A live pid (this process) with another start time: the owner died and its pid was reused.
    const reused = {
      pid: process.pid,
      host: hostname(),
      started: (processStartTime(process.pid) ?? 0) + 12345,
      token: 'dead-owner',
      at: 'earlier',
    };
    writeFileSync(lock, JSON.stringify(reused));
    const attempt = tryLock(lock);
    expect(attempt.kind).toBe('acquired');
    if (attempt.kind === 'acquired') attempt.release();
    // The same pid with the right start time is alive, and keeps its lock.
    writeFileSync(lock, JSON.stringify({ ...reused, started: processStartTime(process.pid) }));
    expect(tryLock(lock)).toMatchObject({ kind: 'held', owner: { token: 'dead-owner' } });
    expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({ token: 'dead-owner' });
  });

  // The choice recorded in core/io/lock-file.ts: proper-lockfile decides staleness by age only, so
  // after `kill -9` its lock blocks for at least its minimum `stale` (2 s); ours is taken at once.
  it('is measured against proper-lockfile after kill -9', async () => {
    const require = createRequire(import.meta.url);
    const properLockfile = require('proper-lockfile') as {
      lockSync(file: string, options: { stale: number; realpath: boolean }): () => void;
    };
    const home = tempHome();
    const target = join(home, 'target');
    writeFileSync(target, '');
    const script = `
      const lockfile = require(${JSON.stringify(require.resolve('proper-lockfile'))});
      lockfile.lockSync(${JSON.stringify(target)}, { stale: 2000, realpath: false });
      process.stdout.write('held\\n');
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    await killHard(child);
    const started = performance.now();
    for (;;) {
      try {
        properLockfile.lockSync(target, { stale: 2000, realpath: false })();
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const properWait = performance.now() - started;

    const ours = join(home, 'ours.lock');
    await killHard(await holder(ours));
    const oursStarted = performance.now();
    const attempt = tryLock(ours);
    const oursWait = performance.now() - oursStarted;
    expect(attempt.kind).toBe('acquired');
    expect(properWait).toBeGreaterThan(1000);
    expect(oursWait).toBeLessThan(200);
  }, 20_000);
});

describe('the lock file on a process without /proc', () => {
  it('falls back to the pid alone', () => {
    expect(processStartTime(2 ** 30)).toBeNull();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const home = tempHome();
    const lock = join(home, 'y.lock');
    writeFileSync(
      lock,
      JSON.stringify({ pid: Number(dead.stdout), host: hostname(), started: null, token: 't' }),
    );
    expect(tryLock(lock).kind).toBe('acquired');
  });
});
