import { CompanionError } from '../../common/errors/companion-error.js';
import type { CaCertificate } from '../../core/trust/validate-ca.js';
import { checkCa, readCaFile, readCaStream } from '../../core/use-cases/check-ca.js';
import type { Command } from '../command.js';
import { formatStep, probeJson } from './probe.js';

function certificateJson(certificate: CaCertificate): Record<string, unknown> {
  return {
    subject: certificate.subject,
    issuer: certificate.issuer,
    sha256: certificate.sha256,
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    selfSigned: certificate.selfSigned,
    ca: certificate.ca,
    role: certificate.role,
    keyType: certificate.keyType,
  };
}

/**
 * `ca check <file|->`: validates a CA PEM the way the wizard's trust page does, and with `--url`
 * answers "will this fix it?" by probing the live server with the CA.
 */
export const caCheckCommand: Command = {
  path: ['ca', 'check'],
  summary: 'validate a CA certificate (PEM); with --url, check that it completes the live chain',
  args: '<file|->',
  minPositionals: 1,
  maxPositionals: 1,
  options: {
    url: { type: 'string' },
    'allow-loopback': { type: 'boolean' },
    'partial-chain': { type: 'boolean' },
  },
  optionHelp: [
    ['--url U', 'probe this instance with the CA and say whether its chain now verifies'],
    ['--allow-loopback', 'development only: let the instance be on 127.0.0.1 (simulator, demo)'],
    ['--partial-chain', 'accept an intermediate CA alone (prefer the root)'],
  ],
  async run({ positionals, flags, io, output, json }) {
    const source = positionals[0] as string;
    const text = source === '-' ? await readCaStream(io.stdin) : await readCaFile(source);
    const url = flags['url'];
    const { ca, fix: verdict } = await checkCa(
      { env: io.env, now: () => new Date() },
      {
        pem: text,
        allowIntermediate: flags['partial-chain'] === true,
        ...(typeof url === 'string'
          ? {
              url,
              allowLoopback: flags['allow-loopback'] === true,
              signal: io.stopSignal,
              ...(json ? {} : { onStep: (step) => output.note(formatStep(step, output)) }),
            }
          : {}),
      },
    );
    const document: Record<string, unknown> = {
      certificates: ca.certificates.map(certificateJson),
      warnings: ca.warnings,
      partialChain: ca.intermediateOnly,
    };
    const human: string[] = ca.certificates.flatMap((certificate, index) => [
      `${index + 1}. ${certificate.subject}  (${certificate.role}${certificate.keyType ? `, ${certificate.keyType}` : ''})`,
      `   issuer  ${certificate.issuer}`,
      `   sha256  ${certificate.sha256}`,
      `   valid   ${certificate.notBefore ?? ''} .. ${certificate.notAfter}`,
    ]);
    for (const warning of ca.warnings) human.push(`warning: ${warning}`);

    if (typeof url === 'string' && verdict !== undefined) {
      document['fix'] = {
        url,
        verified: verdict.kind === 'fixes',
        ...(verdict.kind === 'fixes' ? {} : { code: verdict.error.code }),
        probe: probeJson(verdict.probe),
      };
      if (verdict.kind !== 'fixes') {
        output.setFailureDetails(document);
        const cause = verdict.error;
        // Only an untrusted chain means "this CA does not fix it"; an expired or misnamed
        // certificate, or an unreachable server, is reported as itself.
        if (cause.code !== 'TLS_UNTRUSTED') throw CompanionError.fromShape(cause);
        throw new CompanionError(
          'TRUST_DOES_NOT_FIX',
          `With this CA, ${url} still does not verify. ${
            verdict.kind === 'does-not-fix' ? verdict.explanation : cause.message
          }`,
          cause.hint === undefined ? {} : { hint: cause.hint },
        );
      }
      human.push(`${url}: the server chain verifies with this CA.`);
    }
    output.success(document, () => human.join('\n'));
  },
};
