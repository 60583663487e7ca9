import { describe, expect, it } from 'vitest';
import { catalogue, type ErrorCode } from '../../../common/errors/catalogue.js';
import { CompanionError, shapeHint } from '../../../common/errors/companion-error.js';
import { speaksCli, speaksGui, type HintSurface } from '../../../common/errors/hint-surface.js';
import {
  manualWebhookRemovalSteps,
  manualWebhookSecretSteps,
  manualWebhookSteps,
  type ManualWebhookPlace,
} from '../../../common/relay/manual-webhook-steps.js';
import { assessRelayUrl } from '../../../core/webhooks/relay-url-check.js';
import { relayUrlWarnings } from '../../../core/webhooks/relay-url-warnings.js';

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
    // An API field name and "the command" are the command line's too (issue 16 item 5).
    expect(speaksCli('or pass the branch to create it from (`createFrom`).')).toBe(true);
    expect(speaksCli('then run the command again.')).toBe(true);
    expect(speaksCli('Write push rules as `PROJECT/repo:branch`')).toBe(false);
    expect(speaksGui('Paste the CA certificate')).toBe(true);
    expect(speaksGui('Give it with --ca-file F')).toBe(false);
  });
});

/** Whether a text shown on `surface` speaks the other surface's language. */
function speaksOther(text: string, surface: HintSurface): boolean {
  return surface === 'gui' ? speaksCli(text) : speaksGui(text);
}

describe('every warning and manual step speaks where it is shown, not only error hints', () => {
  const path = '/webhooks/bitbucket-dc/inst-1';
  const vpn = [{ name: 'tun0', address: '10.8.0.6' }];
  // One URL per warning the relay URL check can give.
  const urls = [
    `http://relay.corp${path}`,
    `https://localhost${path}`,
    `https://laptop.local${path}`,
    `https://127.0.0.1:8787${path}`,
    `https://169.254.10.1${path}`,
    `https://100.101.102.103${path}`,
    `https://10.8.0.6:8787${path}`,
  ];

  it.each(['gui', 'cli'] as const)('relay URL warnings in the %s words', (surface) => {
    const warnings = urls.flatMap((url) => assessRelayUrl(url, 'inst-1', vpn, surface).warnings);
    expect(warnings.length).toBeGreaterThanOrEqual(urls.length);
    for (const warning of warnings) expect(speaksOther(warning, surface), warning).toBe(false);
  });

  it('the service (desktop, serve) shows the GUI words of the plain-http warning', () => {
    const warnings = relayUrlWarnings(
      { platform: { baseUrl: 'https://p', installationId: 'inst-1', caPems: [] } },
      `http://relay.corp${path}`,
      [],
    );
    expect(warnings.join(' ')).toContain('HTTPS between BDC and the relay');
    for (const warning of warnings) expect(speaksCli(warning), warning).toBe(false);
  });

  const places: ManualWebhookPlace[] = [
    { kind: 'repository', project: 'DEMO', slug: 'gitops' },
    { kind: 'project', project: 'DEMO' },
  ];
  it.each(['gui', 'cli'] as const)('manual webhook steps in the %s words', (surface) => {
    for (const place of places) {
      const texts = [
        manualWebhookSteps({ baseUrl: 'https://bdc', place, url: 'https://relay/x' }, surface),
        manualWebhookSteps({ baseUrl: 'https://bdc', place, url: undefined }, surface),
        manualWebhookRemovalSteps('https://bdc', place, surface),
        manualWebhookSecretSteps('https://bdc', place, surface),
      ];
      for (const text of texts) expect(speaksOther(text, surface), text).toBe(false);
    }
  });
});
