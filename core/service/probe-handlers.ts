import type {
  CaCheckRequest,
  CaCheckResult,
  InstallationDraft,
  ProbeRequest,
} from '../../common/api/models.js';
import type { Installation } from '../../common/models/installation.js';
import { addInstallation } from '../use-cases/add-installation.js';
import { checkCa } from '../use-cases/check-ca.js';
import { probeInstance } from '../use-cases/probe-instance.js';
import type { OperationHandlers } from './companion-service.js';
import type { ServicePorts } from './service-ports.js';

/** The probe (with live step events), CA validation, and adding an installation (probe first). */
export function probeHandlers(ports: ServicePorts): OperationHandlers {
  const { settings, events, env } = ports;
  return {
    async probe(request: ProbeRequest) {
      const runId = request.runId;
      // The route comes from the process routing (the Network section), like every connection.
      const { caWarnings: _caWarnings, ...report } = await probeInstance(ports, {
        url: request.url,
        ...(request.caPems === undefined ? {} : { caPems: request.caPems }),
        allowPartialChain: request.allowPartialChain === true,
        allowLoopback: request.allowLoopback === true,
        ...(runId
          ? {
              onStep: (step) => {
                const { code: _code, ...contractStep } = step;
                events.emit({ kind: 'probe-step', runId, step: contractStep });
              },
            }
          : {}),
      });
      return report;
    },

    async checkCa(request: CaCheckRequest): Promise<CaCheckResult> {
      const { ca } = await checkCa(ports, {
        pem: request.pem,
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
      const { installation } = await addInstallation(
        { settings, secretStore: ports.secretStore, env, now: ports.now, logger: ports.logger },
        request,
      );
      events.emit({ kind: 'installations-changed' });
      return installation;
    },
  };
}
