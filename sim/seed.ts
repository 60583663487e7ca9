import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { isProjectPermission, isRepoPermission } from './state/permissions.js';
import type { SimSeed } from './simulator-api.js';

/**
 * Seed files add users, tokens, projects and repositories to a fresh simulator (`sim --seed`).
 * JSON or YAML; validated up front so a typo fails with the field named, before anything starts.
 */
export class SeedError extends Error {
  override readonly name = 'SeedError';
}

export async function readSeedFile(path: string): Promise<SimSeed> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SeedError(`cannot read seed file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new SeedError(`seed file ${path} is not valid: ${(error as Error).message}`);
  }
  return validateSeed(parsed);
}

function fail(where: string, what: string): never {
  throw new SeedError(`seed ${where}: ${what}`);
}

function list(value: unknown, where: string): Record<string, unknown>[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(where, 'must be a list');
  return value.map((item, index) => {
    if (typeof item !== 'object' || item === null) fail(`${where}[${index}]`, 'must be an object');
    return item as Record<string, unknown>;
  });
}

function text(item: Record<string, unknown>, key: string, where: string, required: boolean) {
  const value = item[key];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    fail(`${where}.${key}`, 'must be a non-empty string');
  return value;
}

function count(item: Record<string, unknown>, key: string, where: string) {
  const value = item[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    fail(`${where}.${key}`, 'must be a whole number ≥ 0');
  }
  return value;
}

export function validateSeed(raw: unknown): SimSeed {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    fail('file', 'must be an object');
  const seed = raw as Record<string, unknown>;
  const known = new Set(['users', 'tokens', 'projects', 'repositories']);
  for (const key of Object.keys(seed)) if (!known.has(key)) fail(key, 'is not a known section');

  const users = list(seed['users'], 'users').map((item, index) => {
    const where = `users[${index}]`;
    const id = count(item, 'id', where);
    const displayName = text(item, 'displayName', where, false);
    const emailAddress = text(item, 'emailAddress', where, false);
    return {
      name: text(item, 'name', where, true)!,
      ...(id !== undefined ? { id } : {}),
      ...(displayName !== undefined ? { displayName } : {}),
      ...(emailAddress !== undefined ? { emailAddress } : {}),
    };
  });
  const tokens = list(seed['tokens'], 'tokens').map((item, index) => {
    const where = `tokens[${index}]`;
    const projectPermission = text(item, 'projectPermission', where, false);
    const repoPermission = text(item, 'repoPermission', where, false);
    if (
      projectPermission !== undefined &&
      (!isProjectPermission(projectPermission) || projectPermission === 'PROJECT_VIEW')
    ) {
      fail(`${where}.projectPermission`, 'must be PROJECT_READ, PROJECT_WRITE or PROJECT_ADMIN');
    }
    if (repoPermission !== undefined && !isRepoPermission(repoPermission)) {
      fail(`${where}.repoPermission`, 'must be REPO_READ, REPO_WRITE or REPO_ADMIN');
    }
    const token = text(item, 'token', where, false);
    if (token !== undefined && !token.startsWith('BBDC-'))
      fail(`${where}.token`, 'must start with BBDC-');
    const project = text(item, 'project', where, false);
    const repo = text(item, 'repo', where, false);
    if (repo !== undefined && project === undefined) fail(`${where}.repo`, 'needs project too');
    return {
      user: text(item, 'user', where, true)!,
      ...(token !== undefined ? { token } : {}),
      ...(projectPermission !== undefined
        ? { projectPermission: projectPermission as 'PROJECT_READ' }
        : {}),
      ...(repoPermission !== undefined ? { repoPermission: repoPermission as 'REPO_READ' } : {}),
      ...(project !== undefined ? { project } : {}),
      ...(repo !== undefined ? { repo } : {}),
    };
  });
  const projects = list(seed['projects'], 'projects').map((item, index) => {
    const where = `projects[${index}]`;
    const key = text(item, 'key', where, true)!;
    if (!/^~?[A-Za-z][A-Za-z0-9_]{0,127}$/.test(key))
      fail(`${where}.key`, 'must be a BDC project key');
    const name = text(item, 'name', where, false);
    const description = text(item, 'description', where, false);
    return {
      key,
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(item['public'] !== undefined ? { public: item['public'] === true } : {}),
    };
  });
  const repositories = list(seed['repositories'], 'repositories').map((item, index) => {
    const where = `repositories[${index}]`;
    const slug = text(item, 'slug', where, true)!;
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(slug)) fail(`${where}.slug`, 'must be a repository slug');
    const files = count(item, 'files', where);
    const bytes = count(item, 'bytes', where);
    const prOnly = item['pullRequestOnly'];
    if (
      prOnly !== undefined &&
      (!Array.isArray(prOnly) || prOnly.some((b) => typeof b !== 'string'))
    ) {
      fail(`${where}.pullRequestOnly`, 'must be a list of branch names');
    }
    const description = text(item, 'description', where, false);
    return {
      project: text(item, 'project', where, true)!,
      slug,
      ...(description !== undefined ? { description } : {}),
      ...(files !== undefined ? { files } : {}),
      ...(bytes !== undefined ? { bytes } : {}),
      ...(prOnly !== undefined ? { pullRequestOnly: prOnly as string[] } : {}),
    };
  });
  return { users, tokens, projects, repositories };
}
