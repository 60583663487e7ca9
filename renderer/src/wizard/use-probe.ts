import { useState } from 'react';
import type { ProbeReport, ProbeRequest, ProbeStep } from '../../../common/api/models.js';
import type { ErrorShape } from '../../../common/errors/error-shape.js';
import { toErrorShape } from '../../../common/errors/companion-error.js';
import { useApi, useCompanionEvents } from '../app-context.js';

function newRunId(): string {
  return `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Runs a probe and collects its steps live from `probe-step` events of this run only. */
export function useProbe() {
  const api = useApi();
  const [runId, setRunId] = useState<string | undefined>(undefined);
  const [steps, setSteps] = useState<readonly ProbeStep[]>([]);
  const [report, setReport] = useState<ProbeReport | undefined>(undefined);
  const [error, setError] = useState<ErrorShape | undefined>(undefined);
  const [running, setRunning] = useState(false);

  useCompanionEvents((event) => {
    if (event.kind === 'probe-step' && event.runId === runId) {
      setSteps((current) => [
        ...current.filter((step) => step.name !== event.step.name),
        event.step,
      ]);
    }
  });

  async function run(request: Omit<ProbeRequest, 'runId'>): Promise<ProbeReport | undefined> {
    const id = newRunId();
    setRunId(id);
    setSteps([]);
    setReport(undefined);
    setError(undefined);
    setRunning(true);
    try {
      const result = await api.probe({ ...request, runId: id });
      setReport(result);
      setSteps(result.steps);
      return result;
    } catch (caught) {
      setError(toErrorShape(caught));
      return undefined;
    } finally {
      setRunning(false);
    }
  }

  return { run, steps, report, error, running };
}
