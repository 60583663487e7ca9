import { describe, expect, it } from 'vitest';
import { newPat, patWithSlashAndPlus, SimState } from '../../../sim/state/sim-state.js';

describe('token scopes and permissions', () => {
  const state = new SimState();
  const ops = state.addProject('OPS');
  const dev = state.addProject('DEV');
  const infra = state.addRepo('OPS', 'infra');
  const tools = state.addRepo('OPS', 'tools');
  const app = state.addRepo('DEV', 'app');

  it('PATs look like BDC’s: BBDC- prefix, base64 body that may hold / and +', () => {
    expect(newPat()).toMatch(/^BBDC-[A-Za-z0-9+/]{44}$/);
    const pat = patWithSlashAndPlus();
    expect(pat).toContain('/');
    expect(pat).toContain('+');
  });

  it('a user token applies everywhere: project permissions imply repository permissions', () => {
    const token = state.tokens.get(
      state.addToken({
        user: 'u',
        projectPermission: 'PROJECT_WRITE',
        repoPermission: 'REPO_READ',
      }),
    )!;
    const principal = state.tokenPrincipal(token);
    expect(principal.repoLevel(ops, infra)).toBe(2);
    expect(principal.repoLevel(dev, app)).toBe(2);
    expect(principal.projectLevel(dev)).toBe(2);
  });

  it('a project token stays inside its project', () => {
    const token = state.tokens.get(
      state.addToken({ user: 'p', project: 'OPS', projectPermission: 'PROJECT_ADMIN' }),
    )!;
    expect(token.kind).toBe('project');
    const principal = state.tokenPrincipal(token);
    expect(principal.repoLevel(ops, tools)).toBe(3);
    expect(principal.repoLevel(dev, app)).toBe(0);
    expect(principal.projectLevel(dev)).toBe(-1);
  });

  it('a repository token stays inside its repository; its project is only viewable', () => {
    const token = state.tokens.get(
      state.addToken({ user: 'r', project: 'OPS', repo: 'infra', repoPermission: 'REPO_WRITE' }),
    )!;
    expect(token.kind).toBe('repository');
    const principal = state.tokenPrincipal(token);
    expect(principal.repoLevel(ops, infra)).toBe(2);
    expect(principal.repoLevel(ops, tools)).toBe(0);
    expect(principal.projectLevel(ops)).toBe(0); // PROJECT_VIEW
    expect(principal.projectLevel(dev)).toBe(-1);
  });

  it('anonymous callers see public projects only, read-only', () => {
    const open = state.addProject('OPEN', 'Open', { public: true });
    const docs = state.addRepo('OPEN', 'docs');
    const anonymous = state.anonymous();
    expect(anonymous.repoLevel(open, docs)).toBe(1);
    expect(anonymous.repoLevel(ops, infra)).toBe(0);
    expect(anonymous.projectLevel(ops)).toBe(-1);
  });
});
