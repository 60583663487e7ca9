import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { CompanionApi, OperationName } from '../../common/api/companion-api.js';
import type { AppInfo, CompanionEvent } from '../../common/api/models.js';
import { toErrorShape } from '../../common/errors/companion-error.js';
import type { ErrorShape } from '../../common/errors/error-shape.js';

interface AppContextValue {
  readonly api: CompanionApi;
  readonly info: AppInfo;
}

const AppContext = createContext<AppContextValue | undefined>(undefined);

export function AppProvider(props: { api: CompanionApi; info: AppInfo; children: ReactNode }) {
  return (
    <AppContext.Provider value={{ api: props.api, info: props.info }}>
      {props.children}
    </AppContext.Provider>
  );
}

function useAppContext(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('AppProvider is missing');
  return value;
}

export function useApi(): CompanionApi {
  return useAppContext().api;
}

export function useInfo(): AppInfo {
  return useAppContext().info;
}

/** Whether this build offers an operation; the UI leaves out what it cannot do. */
export function useCan(): (operation: OperationName) => boolean {
  const { capabilities } = useAppContext().info;
  return (operation) => capabilities.includes(operation);
}

/** Calls `handler` for each engine event of the given kinds while the component is mounted. */
export function useCompanionEvents(handler: (event: CompanionEvent) => void): void {
  const api = useApi();
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => api.onEvent((event) => latest.current(event)), [api]);
}

export type ActionState<T> =
  | { readonly kind: 'idle' }
  | { readonly kind: 'running' }
  | { readonly kind: 'done'; readonly value: T }
  | { readonly kind: 'failed'; readonly error: ErrorShape };

/**
 * Runs one engine call at a time for a component and keeps its outcome; errors keep their code
 * and hint so the UI can show what to do.
 */
export function useAction<A extends unknown[], T>(
  action: (...args: A) => Promise<T>,
): [(...args: A) => Promise<T | undefined>, ActionState<T>, () => void] {
  const [state, setState] = useState<ActionState<T>>({ kind: 'idle' });
  const run = async (...args: A): Promise<T | undefined> => {
    setState({ kind: 'running' });
    try {
      const value = await action(...args);
      setState({ kind: 'done', value });
      return value;
    } catch (error) {
      setState({
        kind: 'failed',
        error: toErrorShape(error),
      });
      return undefined;
    }
  };
  return [run, state, () => setState({ kind: 'idle' })];
}
