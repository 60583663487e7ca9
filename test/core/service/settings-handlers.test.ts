import { describe, expect, it } from 'vitest';
import { displayProxy } from '../../../core/service/settings-handlers.js';

describe('proxy display', () => {
  it('drops credentials from the proxy URL', () => {
    expect(displayProxy('http://alice:s3cret@proxy.corp:3128')).toBe('http://proxy.corp:3128');
    expect(displayProxy('http://proxy.corp:3128/')).toBe('http://proxy.corp:3128');
    expect(displayProxy(undefined)).toBeUndefined();
    expect(displayProxy('::::')).toBe('(not a URL)');
  });
});
