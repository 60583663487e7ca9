import { describe, expect, it } from 'vitest';
import type { CompanionEvent } from '../../../common/api/models.js';
import { pushProgressEmitter } from '../../../core/service/push-progress-events.js';

describe('push-progress events', () => {
  it('tags each report with the run and throttles updates within a phase', () => {
    const sent: CompanionEvent[] = [];
    let clock = 0;
    const report = pushProgressEmitter(
      'run-1',
      (event) => sent.push(event),
      () => clock,
      100,
    );
    report({ phase: 'fetch', attempt: 1, done: 0, total: 10 });
    clock = 10;
    report({ phase: 'fetch', attempt: 1, done: 3, total: 10 }); // dropped: within 100 ms
    clock = 20;
    report({ phase: 'fetch', attempt: 1, done: 10, total: 10 }); // the end of a phase always
    clock = 30;
    report({ phase: 'build', attempt: 1 }); // a new phase always
    clock = 200;
    report({ phase: 'build', attempt: 1, done: 1 }); // after the interval
    clock = 210;
    report({ phase: 'fetch', attempt: 2 }); // a new attempt always
    expect(
      sent.map((event) =>
        event.kind === 'push-progress'
          ? `${event.runId}:${event.progress.attempt}:${event.progress.phase}:${event.progress.done ?? '-'}`
          : event.kind,
      ),
    ).toEqual([
      'run-1:1:fetch:0',
      'run-1:1:fetch:10',
      'run-1:1:build:-',
      'run-1:1:build:1',
      'run-1:2:fetch:-',
    ]);
  });
});
