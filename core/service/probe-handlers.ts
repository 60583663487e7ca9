import type {
  CaCheckRequest,
  CaCheckResult,
  InstallationDraft,
  ProbeRequest,
} from '../../common/api/models.js';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { Installation, PlatformLink } from '../../common/models/installation.js';
import { runProbe } from '../probe/run-probe.js';
import { validateInstallationName } from '../settings/installation-name.js';
import { newInstallation, normaliseBaseUrl } from '../settings/new-installation.js';
import { validateCaPem } from '../trust/validate-ca.js';
import { validateCaSet } from '../trust/validate-ca-set.js';
import type { OperationHandlers } from './companion-service.js';
import type { ServicePorts } from './service-ports.js';

/** The probe (with live step events), CA validation, and adding an installation (probe first). */
export function probeHandlers(ports: ServicePorts): OperationHandlers {
  const { settings, events, env } = ports;
  return {
    async probe(request: ProbeRequest) {
      const allowPartialChain = request.allowPartialChain === true;
      const ca = validateCaSet(request.caPems, ports.now(), allowPartialChain);
      const runId = request.runId;
      return runProbe(request.url, {
        ...(ca ? { caPems: ca.pems, allowPartialChain } : {}),
        allowLoopback: request.allowLoopback === true,
        env,
        ...(runId
          ? {
              onStep: (step) => {
                const { code: _code, ...contractStep } = step;
                events.emit({ kind: 'probe-step', runId, step: contractStep });
              },
            }
          : {}),
      });
    },

    async checkCa(request: CaCheckRequest): Promise<CaCheckResult> {
      const ca = validateCaPem(request.pem, {
        now: ports.now(),
        allowIntermediate: request.allowIntermediate === true,
      });
      return {
        certificates: ca.certificates.map(
          ({ pem: _pem, role: _role, keyType: _keyType, ...summary }) => summary,
        ),
        warnings: ca.warnings,
      };
    },

    async addInstallation(request: InstallationDraft): Promise<Installation> {
      const name = validateInstallationName(request.name);
      const existing = settings.findInstallation(name);
      if (existing) {
        throw new CompanionError(
          'INSTALLATION_EXISTS',
          `An installation named "${existing.name}" already exists (${existing.baseUrl}).`,
        );
      }
      // An intermediate-only CA is refused (TRUST_INTERMEDIATE_ONLY) unless the caller made the
      // explicit partial-chain choice; the installation keeps that choice for every connection.
      const allowPartialChain = request.allowPartialChain === true;
      const ca = validateCaSet(request.caPems, ports.now(), allowPartialChain);
      const platformCa = validateCaSet(request.platform?.caPems, ports.now());
      const platform: PlatformLink | undefined = request.platform
        ? {
            baseUrl: normaliseBaseUrl(request.platform.baseUrl, 'platform URL'),
            installationId: request.platform.installationId,
            caPems: [...(platformCa?.pems ?? [])],
          }
        : undefined;
      const allowLoopback = request.allowLoopback === true;
      const probe = await runProbe(request.baseUrl, {
        ...(ca ? { caPems: ca.pems, allowPartialChain } : {}),
        allowLoopback,
        env,
      });
      if (!probe.ok || probe.baseUrl === undefined) {
        const failed = probe.steps.find((step) => !step.ok);
        const cause = CompanionError.fromShape(
          probe.error ?? { code: 'INTERNAL_ERROR', message: 'The probe failed.' },
        );
        throw new CompanionError(
          cause.code,
          `Not added: the probe failed at the ${failed?.name ?? 'last'} step. ${cause.message}`,
          { hint: cause.hint },
        );
      }
      const installation = newInstallation(
        {
          name,
          baseUrl: probe.baseUrl,
          caPems: ca?.pems ?? [],
          allowLoopback,
          allowPartialChain: allowPartialChain && ca !== undefined,
          ...(platform ? { platform } : {}),
        },
        ports.now(),
      );
      settings.saveInstallation(installation);
      events.emit({ kind: 'installations-changed' });
      return installation;
    },
  };
}
