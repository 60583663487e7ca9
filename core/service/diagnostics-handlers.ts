import { toDiagnosticsReport } from '../diagnostics/diagnostics-report.js';
import { collectDiagnosticBundle } from '../use-cases/collect-diagnostics.js';
import type { OperationHandlers } from './companion-service.js';
import type { ServicePorts } from './service-ports.js';

/** The same redacted bundle as `diagnose`, summarised for the diagnostics view. */
export function diagnosticsHandlers(ports: ServicePorts): OperationHandlers {
  return {
    async runDiagnostics() {
      const bundle = await collectDiagnosticBundle({
        home: ports.home,
        env: ports.env,
        settings: ports.settings,
        secretStore: ports.secretStore,
        now: ports.now,
        logger: ports.logger,
      });
      return toDiagnosticsReport(bundle);
    },
  };
}
