import { useEffect, useState } from 'react';
import type { OperationName } from '../../common/api/companion-api.js';
import type { Installation } from '../../common/api/models.js';
import { PRODUCT_NAME } from '../../common/version.js';
import { useApi, useCan, useInfo } from './app-context.js';
import { ErrorNotice } from './components/error-notice.js';
import { BridgeView } from './views/bridge-view.js';
import { DiagnosticsView } from './views/diagnostics-view.js';
import { HistoryView } from './views/history-view.js';
import { InstallationsView } from './views/installations-view.js';
import { RelayView } from './views/relay-view.js';
import { NetworkView } from './views/network-view.js';
import { SettingsView } from './views/settings-view.js';
import { TestPushView } from './views/test-push-view.js';
import { Wizard } from './wizard/wizard.js';
import type { WizardStepId } from './wizard/wizard-model.js';

export type ViewId =
  | 'setup'
  | 'history'
  | 'relay'
  | 'bridge'
  | 'installations'
  | 'test-push'
  | 'settings'
  | 'network'
  | 'diagnostics';

/** Each view and the operations it cannot work without; missing ones hide the view. */
export const VIEWS: readonly {
  readonly id: ViewId;
  readonly title: string;
  readonly needs: readonly OperationName[];
}[] = [
  { id: 'setup', title: 'Setup', needs: ['probe', 'addInstallation'] },
  { id: 'history', title: 'Push history', needs: ['queryHistory'] },
  { id: 'relay', title: 'Relay', needs: ['getRelayStatus', 'listDeliveries'] },
  { id: 'bridge', title: 'Bridge', needs: ['getBridgeStatus'] },
  { id: 'installations', title: 'Installations', needs: ['listInstallations'] },
  { id: 'test-push', title: 'Test push', needs: ['testPush'] },
  { id: 'settings', title: 'Settings', needs: ['getSettings', 'updateSettings'] },
  { id: 'network', title: 'Network', needs: ['getNetwork', 'updateNetwork'] },
  { id: 'diagnostics', title: 'Diagnostics', needs: [] },
];

export function App(props: { initialView?: ViewId }) {
  const api = useApi();
  const can = useCan();
  const info = useInfo();
  const available = VIEWS.filter((view) => view.needs.every((operation) => can(operation)));
  const fallback = available[0]?.id ?? 'diagnostics';
  // Without a given view: the installations overview when one exists, the wizard otherwise.
  const canList = can('listInstallations');
  const [view, setView] = useState<ViewId | undefined>(
    props.initialView ?? (canList ? undefined : fallback),
  );
  const canSetUp = available.some((each) => each.id === 'setup');
  useEffect(() => {
    if (view !== undefined || !canList) return;
    void api.listInstallations().then(
      (installations) =>
        setView(
          (current) =>
            current ?? (installations.length > 0 || !canSetUp ? 'installations' : 'setup'),
        ),
      () => setView((current) => current ?? fallback),
    );
  }, [api, view, canList, canSetUp, fallback]);
  // Continuing an installation's setup (sign in, relay) reuses the wizard at that step.
  const [resume, setResume] = useState<
    { readonly installation: Installation; readonly step?: WizardStepId } | undefined
  >(undefined);
  const open = (next: ViewId) => {
    setResume(undefined);
    setView(next);
  };

  function body() {
    switch (view) {
      case undefined:
        return <p className="muted">Loading…</p>;
      case 'setup':
        return (
          <Wizard
            key={resume ? `${resume.installation.id}-${resume.step ?? ''}` : 'draft'}
            {...(resume ? { resume } : {})}
            onFinished={() => open(can('queryHistory') ? 'history' : 'installations')}
          />
        );
      case 'history':
        return <HistoryView />;
      case 'relay':
        return <RelayView />;
      case 'bridge':
        return <BridgeView />;
      case 'installations':
        return (
          <InstallationsView
            onAdd={() => open('setup')}
            onContinue={(installation, step) => {
              setResume({ installation, ...(step ? { step } : {}) });
              setView('setup');
            }}
          />
        );
      case 'test-push':
        return <TestPushView />;
      case 'settings':
        return <SettingsView />;
      case 'network':
        return <NetworkView />;
      case 'diagnostics':
        return <DiagnosticsView />;
      default: {
        const never: never = view;
        return never;
      }
    }
  }

  return (
    <div className="shell">
      <header className="topbar">
        <h1>{PRODUCT_NAME}</h1>
        <span className="muted">Version {info.version}</span>
      </header>
      <nav className="sidebar" aria-label="Main">
        <ul>
          {available.map((each) => (
            <li key={each.id}>
              <button
                type="button"
                aria-current={each.id === view ? 'page' : undefined}
                onClick={() => open(each.id)}
              >
                {each.title}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content" id="content">
        {info.settingsRecovered ? (
          <ErrorNotice
            error={info.settingsRecovered}
            title="Your settings could not be read and were set aside"
          />
        ) : null}
        {body()}
      </main>
    </div>
  );
}
