import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CompanionApi, OperationName } from '../../common/api/companion-api.js';
import { isOperationName, OPERATION_NAMES } from '../../common/api/operations.js';
import { validateArguments } from '../../common/api/request-schemas.js';
import { isCompanionError } from '../../common/errors/companion-error.js';

function code(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return isCompanionError(error) ? error.code : 'not a CompanionError';
  }
}

describe('the CompanionApi contract', () => {
  it('lists every operation exactly once at run time', () => {
    expectTypeOf<(typeof OPERATION_NAMES)[number]>().toEqualTypeOf<OperationName>();
    expect(new Set(OPERATION_NAMES).size).toBe(OPERATION_NAMES.length);
    expect(isOperationName('probe')).toBe(true);
    expect(isOperationName('constructor')).toBe(false);
    expect(isOperationName('onEvent')).toBe(false);
  });

  it('every operation returns a Promise', () => {
    type Results = { [K in OperationName]: ReturnType<CompanionApi[K]> };
    expectTypeOf<Results[OperationName]>().toMatchTypeOf<Promise<unknown>>();
  });

  it('accepts well-formed requests', () => {
    expect(validateArguments('probe', [{ url: 'https://bdc.example', runId: 'r1' }])).toEqual([
      { url: 'https://bdc.example', runId: 'r1' },
    ]);
    expect(validateArguments('listInstallations', [])).toEqual([]);
    expect(
      validateArguments('testPush', [
        {
          installation: 'a',
          repo: 'P/r',
          branch: 'main',
          message: 'm',
          put: [{ path: 'x', content: 'y' }],
          delete: [],
        },
      ]),
    ).toHaveLength(1);
  });

  it('refuses unknown keys, wrong types, oversize values and extra arguments', () => {
    expect(code(() => validateArguments('probe', [{ url: 'https://x', evil: 1 }]))).toBe(
      'INPUT_INVALID',
    );
    expect(code(() => validateArguments('probe', [{ url: 42 }]))).toBe('INPUT_INVALID');
    expect(code(() => validateArguments('probe', []))).toBe('INPUT_INVALID');
    expect(code(() => validateArguments('checkCa', [{ pem: 'x'.repeat(65 * 1024) }]))).toBe(
      'INPUT_INVALID',
    );
    expect(code(() => validateArguments('listInstallations', [{}]))).toBe('INPUT_INVALID');
    expect(
      code(() => validateArguments('getAuthStatus', [{ installation: 'a' }, { more: 1 }])),
    ).toBe('INPUT_INVALID');
    expect(
      code(() =>
        validateArguments('testPush', [
          { installation: 'a', repo: 'no-slash', branch: 'b', message: 'm', put: [], delete: [] },
        ]),
      ),
    ).toBe('INPUT_INVALID');
    expect(code(() => validateArguments('updateSettings', [{ proxy: { kind: 'socks' } }]))).toBe(
      'INPUT_INVALID',
    );
    expect(code(() => validateArguments('probe', [null]))).toBe('INPUT_INVALID');
    expect(code(() => validateArguments('probe', [[]]))).toBe('INPUT_INVALID');
  });

  it('error messages name the path, never echo the value (it may be a secret)', () => {
    try {
      validateArguments('signInWithPat', [{ installation: 'a', token: 'x'.repeat(5000) }]);
      expect.unreachable();
    } catch (error) {
      expect(String((error as Error).message)).toContain('signInWithPat.token');
      expect(JSON.stringify(error)).not.toContain('xxxxxxxx');
    }
  });

  it('hands the handler the same request whether the transport kept undefined keys or not', () => {
    expect(validateArguments('probe', [{ url: 'https://bdc.example', runId: undefined }])).toEqual([
      { url: 'https://bdc.example' },
    ]);
    expect(
      Object.keys(validateArguments('probe', [{ url: 'https://x', caPems: undefined }])[0]),
    ).toEqual(['url']);
  });

  it('refuses a __proto__ key from JSON as an unknown key, without touching any prototype', () => {
    const request = JSON.parse('{"url":"https://x","__proto__":{"polluted":true}}') as unknown;
    expect(code(() => validateArguments('probe', [request]))).toBe('INPUT_INVALID');
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('names the nested path of the first problem', () => {
    const run = () =>
      validateArguments('testPush', [
        {
          installation: 'a',
          repo: 'P/r',
          branch: 'b',
          message: 'm',
          put: [{ path: '', content: 'y' }],
          delete: [],
        },
      ]);
    expect(run).toThrow(/testPush\.put\[0\]\.path/);
    expect(() =>
      validateArguments('updateInstallation', [
        {
          installation: 'a',
          relay: { tls: { kind: 'files', certFile: '/c', keyFile: '/k', x: 1 } },
        },
      ]),
    ).toThrow(/updateInstallation\.relay\.tls/);
  });
});
