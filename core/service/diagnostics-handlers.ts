import { collectDiagnostics } from '../diagnostics/collect-diagnostics.js';
import { toDiagnosticsReport } from '../diagnostics/diagnostics-report.js';
import type { OperationHandlers } from './companion-service.js';
import type { ServicePorts } from './service-ports.js';

/** The same redacted bundle as `diagnose`, summarised for the diagnostics view. */
export function diagnosticsHandlers(ports: ServicePorts): OperationHandlers {
  return {
    async runDiagnostics() {
      const bundle = await collectDiagnostics({
        home: ports.home,
        env: ports.env,
        settings: ports.settings,
        secretStore: ports.secretStore,
        clock: ports.now,
      });
      return toDiagnosticsReport(bundle);
    },
  };
}
