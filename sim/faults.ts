import type { SimFaults } from './simulator-api.js';

interface FailRule {
  remaining: number;
  readonly status: number;
  readonly pathPrefix?: string;
  readonly retryAfterSeconds?: number;
}

/**
 * Faults on demand (issue 3, item 8). The server consults this before routing; the admin endpoint
 * and the programmatic handle both drive it.
 */
export class FaultState implements SimFaults {
  private latencyMs = 0;
  private failures: FailRule[] = [];
  private resets = 0;
  private stalling = false;
  private races = new Set<string>();
  private readonly stallListeners = new Set<(on: boolean) => void>();

  latency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  failNext(
    count: number,
    status: number,
    options: { readonly pathPrefix?: string; readonly retryAfterSeconds?: number } = {},
  ): void {
    this.failures.push({ remaining: count, status, ...options });
  }

  resetNext(count: number): void {
    this.resets += Math.max(0, count);
  }

  stallHandshakes(on: boolean): void {
    this.stalling = on;
    for (const listener of this.stallListeners) listener(on);
  }

  raceNextPush(project: string, slug: string, branch: string): void {
    this.races.add(raceKey(project, slug, branch));
  }

  clear(): void {
    this.latencyMs = 0;
    this.failures = [];
    this.resets = 0;
    this.races.clear();
    this.stallHandshakes(false);
  }

  get currentLatency(): number {
    return this.latencyMs;
  }

  get handshakesStalled(): boolean {
    return this.stalling;
  }

  onStallChange(listener: (on: boolean) => void): void {
    this.stallListeners.add(listener);
  }

  /** Consumes one injected failure matching the path, if any. */
  takeFailure(path: string): { status: number; retryAfterSeconds?: number } | undefined {
    const rule = this.failures.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (candidate.pathPrefix === undefined || path.startsWith(candidate.pathPrefix)),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    this.failures = this.failures.filter((candidate) => candidate.remaining > 0);
    return {
      status: rule.status,
      ...(rule.retryAfterSeconds !== undefined
        ? { retryAfterSeconds: rule.retryAfterSeconds }
        : {}),
    };
  }

  takeReset(): boolean {
    if (this.resets <= 0) return false;
    this.resets -= 1;
    return true;
  }

  hasRace(project: string, slug: string): boolean {
    const prefix = `${project.toUpperCase()}/${slug}:`;
    return [...this.races].some((key) => key.startsWith(prefix));
  }

  takeRace(project: string, slug: string, branch: string): boolean {
    return this.races.delete(raceKey(project, slug, branch));
  }
}

function raceKey(project: string, slug: string, branch: string): string {
  return `${project.toUpperCase()}/${slug}:${branch.replace(/^refs\/heads\//, '')}`;
}
