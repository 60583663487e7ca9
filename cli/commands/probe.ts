import { CompanionError } from '../../common/errors/companion-error.js';
import { readCaText } from './installation-support.js';
import { probeInstance, tlsEnvironmentNotes } from '../../core/use-cases/probe-instance.js';
import type { Command } from '../command.js';
import type { CertificateSummary } from '../../common/api/models.js';
import type { ProbeResult, ProbeStepResult } from '../../common/models/probe.js';
import type { Output } from '../output.js';
import { listFlag } from '../flag-values.js';

/** One aligned line per step: mark, name, time, then the detail or the failure code and message. */
export function formatStep(step: ProbeStepResult, output: Output): string {
  const mark = step.ok ? output.paint('ok  ', 32) : output.paint('FAIL', 31);
  const time = `${step.ms} ms`.padStart(8);
  const text = step.ok ? (step.detail ?? '') : `${step.code ?? ''}  ${step.error?.message ?? ''}`;
  return `${mark} ${step.name.padEnd(8)}${time}  ${text}`;
}

export function formatChain(chain: readonly CertificateSummary[]): string[] {
  return chain.map(
    (certificate, index) =>
      `  ${index}: ${certificate.subject}\n     issuer ${certificate.issuer}\n     sha256 ${certificate.sha256}\n     until  ${certificate.notAfter}${certificate.ca ? '  (CA)' : ''}`,
  );
}

/** The `--json` document of a probe (CLI.md: steps, version, supported, addressClass, tls). */
export function probeJson(result: ProbeResult): Record<string, unknown> {
  return {
    url: result.url,
    baseUrl: result.baseUrl,
    steps: result.steps.map((step) => ({
      name: step.name,
      ok: step.ok,
      ms: step.ms,
      ...(step.code === undefined ? {} : { code: step.code }),
      ...(step.detail === undefined ? {} : { detail: step.detail }),
      ...(step.error === undefined ? {} : { message: step.error.message, hint: step.error.hint }),
    })),
    version: result.version,
    supported: result.supported,
    addressClass: result.addressClass,
    relayNeeded: result.relayNeeded,
    addresses: result.addresses,
    proxy: result.proxy,
    tls:
      result.tls === undefined
        ? undefined
        : {
            trusted: result.tls.trusted,
            chain: result.tls.chain,
            verification: result.tls.verification,
          },
  };
}

/** `probe <url>`: the step-by-step connection check, as the wizard's first page runs it. */
export const probeCommand: Command = {
  path: ['probe'],
  summary: 'check an instance URL step by step: url, dns, address, tcp, tls, http, version',
  args: '<url>',
  minPositionals: 1,
  maxPositionals: 1,
  options: {
    'ca-file': { type: 'string', multiple: true },
    'allow-loopback': { type: 'boolean' },
    'partial-chain': { type: 'boolean' },
  },
  optionHelp: [
    ['--ca-file F', 'a private CA (PEM) to trust in addition to the system roots; repeatable'],
    ['--allow-loopback', 'development only: let the instance be on 127.0.0.1 (simulator, demo)'],
    ['--partial-chain', 'trust an intermediate CA alone (prefer pasting the root)'],
  ],
  async run({ positionals, flags, io, output, json }) {
    const url = positionals[0] as string;
    const partialChain = flags['partial-chain'] === true;
    const caPems = listFlag(flags['ca-file']).map(readCaText);
    for (const note of tlsEnvironmentNotes(io.env)) output.note(`note: ${note}`);
    const { caWarnings, ...result } = await probeInstance(
      { env: io.env, now: () => new Date() },
      {
        url,
        caPems,
        allowLoopback: flags['allow-loopback'] === true,
        allowPartialChain: partialChain,
        signal: io.stopSignal,
        // Live progress for people; scripts get the one JSON document.
        ...(json ? {} : { onStep: (step) => output.note(formatStep(step, output)) }),
      },
    );
    for (const warning of caWarnings) output.note(`warning: ${warning}`);
    const document = probeJson(result);
    if (!result.ok) {
      output.setFailureDetails(document);
      if (!json && result.tls !== undefined && !result.tls.trusted) {
        output.note(['presented chain:', ...formatChain(result.tls.chain)].join('\n'));
      }
      throw CompanionError.fromShape(
        result.error ?? { code: 'INTERNAL_ERROR', message: 'The probe failed without an error.' },
      );
    }
    output.success(document, () =>
      [
        `Bitbucket ${result.version ?? ''} at ${result.baseUrl ?? url}: supported`,
        `address  ${result.addresses.join(', ')} (${result.addressClass ?? ''}${
          result.relayNeeded === true ? '; webhooks need the relay' : ''
        })`,
        ...(result.proxy === undefined ? [] : [`proxy    ${result.proxy}`]),
        `tls      trusted; chain:`,
        ...formatChain(result.tls?.chain ?? []),
      ].join('\n'),
    );
  },
};
