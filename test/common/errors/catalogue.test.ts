import { describe, expect, it } from 'vitest';
import { catalogue, isErrorCode } from '../../../common/errors/catalogue.js';
import { PRODUCT_LAYERS, readSourceFiles } from '../../helpers/source-files.js';

describe('error catalogue', () => {
  it('has a one-line cause and fix for every code, and codes in UPPER_SNAKE_CASE', () => {
    for (const [code, entry] of Object.entries(catalogue)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/);
      for (const text of [entry.cause, entry.fix]) {
        expect(text.trim().length, `${code} needs a cause and a fix`).toBeGreaterThan(10);
        expect(text, `${code}: one line`).not.toContain('\n');
      }
    }
  });

  it('contains every code the product raises', () => {
    // Type checking already refuses `new CompanionError('UNLISTED', …)`; this also catches codes
    // built by hand, for example an error shape returned as data or sent over HTTP.
    const raised = /(?:CompanionError\(\s*|\bcode:\s*)'([A-Z][A-Z0-9_]+)'/g;
    const missing: string[] = [];
    for (const file of readSourceFiles(PRODUCT_LAYERS)) {
      for (const match of file.text.matchAll(raised)) {
        const code = match[1] as string;
        if (!code.includes('_')) continue;
        if (!isErrorCode(code)) missing.push(`${file.path}: ${code}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
