import { describe, expect, it } from 'vitest';
import { catalogue, type ErrorCode } from '../../../common/errors/catalogue.js';
import { CompanionError, shapeHint } from '../../../common/errors/companion-error.js';
import { speaksCli, speaksGui } from '../../../common/errors/hint-surface.js';

const codes = Object.keys(catalogue) as ErrorCode[];

describe('every hint speaks where it is shown', () => {
  it.each(codes)(
    '%s: the GUI wording names no flag or command, the CLI wording no paste or click',
    (code) => {
      const error = new CompanionError(code, 'x').toJSON();
      const gui = shapeHint(error, 'gui') ?? '';
      const cli = shapeHint(error, 'cli') ?? '';
      expect(gui, `GUI hint of ${code}`).not.toBe('');
      expect(cli, `CLI hint of ${code}`).not.toBe('');
      expect(speaksCli(gui), `GUI hint of ${code}: ${gui}`).toBe(false);
      expect(speaksGui(cli), `CLI hint of ${code}: ${cli}`).toBe(false);
    },
  );

  it('shows a precise hint where it fits, and the catalogue wording where it does not', () => {
    const flagged = new CompanionError('TLS_UNTRUSTED', 'x', {
      hint: 'Run `installation update corp --ca-file F`.',
    }).toJSON();
    expect(shapeHint(flagged, 'cli')).toBe('Run `installation update corp --ca-file F`.');
    expect(shapeHint(flagged, 'gui')).toBe(catalogue.TLS_UNTRUSTED.fixGui);
    const pasted = new CompanionError('TRUST_NOT_CA', 'x', {
      hint: 'Paste the root CA named Corp Root.',
    }).toJSON();
    expect(shapeHint(pasted, 'gui')).toBe('Paste the root CA named Corp Root.');
    expect(shapeHint(pasted, 'cli')).toBe(catalogue.TRUST_NOT_CA.fixCli);
  });

  it('drops an older peer’s single hint on the surface it does not fit', () => {
    expect(
      shapeHint({ code: 'AUTH_TOKEN_EMPTY', message: 'x', hint: 'Use --token-stdin.' }, 'gui'),
    ).toBe(catalogue.AUTH_TOKEN_EMPTY.fixGui);
  });

  it('recognises the wordings it is meant to keep apart', () => {
    expect(speaksCli('pass it with --client-secret-stdin')).toBe(true);
    expect(speaksCli('run `auth pat prod`')).toBe(true);
    expect(speaksCli('Sign in again: Installations → Sign in….')).toBe(false);
    expect(speaksGui('Paste the CA certificate')).toBe(true);
    expect(speaksGui('Give it with --ca-file F')).toBe(false);
  });
});
