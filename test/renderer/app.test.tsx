// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { COMPANION_VERSION } from '../../common/version.js';
import { App } from '../../renderer/src/app.js';

afterEach(cleanup);

describe('App', () => {
  it('names the product and its version', () => {
    render(<App />);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Ankra BDC Companion');
    expect(screen.getByText(`Version ${COMPANION_VERSION}`)).toBeTruthy();
  });
});
