import { describe, expect, it } from 'vitest';
import { catalogue } from '../../../common/errors/catalogue.js';
import {
  CompanionError,
  isCompanionError,
  toErrorShape,
} from '../../../common/errors/companion-error.js';

describe('CompanionError', () => {
  it('defaults its hint to the catalogue fix', () => {
    const error = new CompanionError('INPUT_INVALID', 'bad value');
    expect(error.hint).toBe(catalogue.INPUT_INVALID.fix);
  });

  it('keeps its code, message, hint and data through JSON serialisation', () => {
    const error = new CompanionError('FILE_READ_FAILED', 'cannot read ca.pem', {
      hint: 'check the path',
      data: { path: 'ca.pem' },
    });
    const revived = CompanionError.fromShape(JSON.parse(JSON.stringify(error)));
    expect(revived).toBeInstanceOf(CompanionError);
    expect(revived.toJSON()).toEqual({
      code: 'FILE_READ_FAILED',
      message: 'cannot read ca.pem',
      hint: 'check the path',
      hintGui: 'check the path',
      data: { path: 'ca.pem' },
    });
    expect(isCompanionError(revived, 'FILE_READ_FAILED')).toBe(true);
  });

  it('maps an uncatalogued code from the wire to INTERNAL_ERROR, naming it', () => {
    const revived = CompanionError.fromShape({ code: 'FROM_THE_FUTURE', message: 'new thing' });
    expect(revived.code).toBe('INTERNAL_ERROR');
    expect(revived.message).toContain('FROM_THE_FUTURE');
  });

  it('turns unexpected errors into INTERNAL_ERROR shapes', () => {
    expect(toErrorShape(new TypeError('boom'))).toMatchObject({
      code: 'INTERNAL_ERROR',
      message: 'boom',
    });
    expect(toErrorShape('text')).toMatchObject({ code: 'INTERNAL_ERROR', message: 'text' });
  });
});
