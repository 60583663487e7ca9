import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../../common/models/probe.js';
import { explainMismatch } from '../../../core/trust/ca-fix-check.js';
import { validateCaPem } from '../../../core/trust/validate-ca.js';
import { makeCert } from '../net/test-pki.js';

function probeNeeding(missingIssuer: string, proxy?: string): ProbeResult {
  return {
    kind: 'probe-result',
    url: 'https://bdc.corp',
    baseUrl: 'https://bdc.corp',
    ok: false,
    steps: [],
    version: undefined,
    supported: false,
    displayName: undefined,
    buildNumber: undefined,
    addresses: ['10.0.0.5'],
    addressClass: 'private',
    relayNeeded: true,
    proxy,
    tls: {
      trusted: false,
      chain: [],
      verification: {
        kind: 'untrusted',
        code: 'TLS_UNTRUSTED',
        reason: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
        missingIssuer,
      },
    },
    error: { code: 'TLS_UNTRUSTED', message: 'untrusted' },
  };
}

describe('explainMismatch', () => {
  const pasted = validateCaPem(makeCert({ commonName: 'Corp Root CA', ca: true }).certPem);
  const subject = pasted.certificates[0]!.subject;

  it('names the CA the chain needs next to the one pasted', () => {
    const text = explainMismatch(probeNeeding('CN=Other Root, O=Elsewhere'), pasted);
    expect(text).toContain('"CN=Other Root, O=Elsewhere"');
    expect(text).toContain(`"${subject}"`);
  });

  it('spots a CA re-issued under the same name', () => {
    const text = explainMismatch(probeNeeding(subject), pasted);
    expect(text).toContain('re-issued');
    expect(text).toContain(pasted.certificates[0]!.sha256);
  });

  it('mentions a proxy that may inspect TLS', () => {
    const text = explainMismatch(probeNeeding('CN=Proxy CA', 'http://proxy.corp:3128'), pasted);
    expect(text).toContain('may inspect TLS');
  });
});
