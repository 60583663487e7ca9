import { describe, expect, it } from 'vitest';
import { stepAfter, wizardSteps } from '../../../renderer/src/wizard/wizard-model.js';

describe('wizard steps', () => {
  it('puts the bridge step after the relay, and skips what the build cannot run', () => {
    const all = { relay: true, bridge: true };
    expect(wizardSteps(all).map((step) => step.id)).toEqual([
      'instance',
      'trust',
      'sign-in',
      'relay',
      'bridge',
      'summary',
    ]);
    expect(stepAfter('relay', all)).toBe('bridge');
    expect(stepAfter('bridge', all)).toBe('summary');
    // Without the relay's operations, sign-in leads to the bridge; without either, to the summary.
    expect(stepAfter('sign-in', { relay: false, bridge: true })).toBe('bridge');
    expect(stepAfter('sign-in', { relay: false, bridge: false })).toBe('summary');
    expect(stepAfter('relay', { relay: true, bridge: false })).toBe('summary');
  });
});
