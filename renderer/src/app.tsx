import { useState } from 'react';
import type { OperationName } from '../../common/api/companion-api.js';
import type { Installation } from '../../common/api/models.js';
import { PRODUCT_NAME } from '../../common/version.js';
import { useCan, useInfo } from './app-context.js';
import { ErrorNotice } from './components/error-notice.js';
import { DiagnosticsView } from './views/diagnostics-view.js';
import { HistoryView } from './views/history-view.js';
import { InstallationsView } from './views/installations-view.js';
import { RelayView } from './views/relay-view.js';
import { SettingsView } from './views/settings-view.js';
import { TestPushView } from './views/test-push-view.js';
import { Wizard } from './wizard/wizard.js';
import { INITIAL_WIZARD } from './wizard/wizard-model.js';

export type ViewId =
  'setup' | 'history' | 'relay' | 'installations' | 'test-push' | 'settings' | 'diagnostics';

/** Each view and the operations it cannot work without; missing ones hide the view. */
export const VIEWS: readonly {
  readonly id: ViewId;
  readonly title: string;
  readonly needs: readonly OperationName[];
}[] = [
  { id: 'setup', title: 'Setup', needs: ['probe', 'addInstallation'] },
  { id: 'history', title: 'Push history', needs: ['queryHistory'] },
  { id: 'relay', title: 'Relay', needs: ['getRelayStatus', 'listDeliveries'] },
  { id: 'installations', title: 'Installations', needs: ['listInstallations'] },
  { id: 'test-push', title: 'Test push', needs: ['testPush'] },
  { id: 'settings', title: 'Settings', needs: ['getSettings', 'updateSettings'] },
  { id: 'diagnostics', title: 'Diagnostics', needs: [] },
];

export function App(props: { initialView?: ViewId }) {
  const can = useCan();
  const info = useInfo();
  const available = VIEWS.filter((view) => view.needs.every((operation) => can(operation)));
  const [view, setView] = useState<ViewId>(props.initialView ?? available[0]?.id ?? 'diagnostics');
  // Signing in again (expired token, switch to OAuth) reuses the wizard's sign-in step.
  const [signIn, setSignIn] = useState<Installation | undefined>(undefined);
  const open = (next: ViewId) => {
    setSignIn(undefined);
    setView(next);
  };

  function body() {
    switch (view) {
      case 'setup':
        return (
          <Wizard
            key={signIn?.id ?? 'new'}
            initial={
              signIn
                ? {
                    step: 'sign-in',
                    installation: signIn,
                    draft: { ...INITIAL_WIZARD.draft, name: signIn.name },
                  }
                : undefined
            }
            onFinished={() => open(can('queryHistory') ? 'history' : 'installations')}
          />
        );
      case 'history':
        return <HistoryView />;
      case 'relay':
        return <RelayView />;
      case 'installations':
        return (
          <InstallationsView
            onAdd={() => open('setup')}
            onSignIn={(installation) => {
              setSignIn(installation);
              setView('setup');
            }}
          />
        );
      case 'test-push':
        return <TestPushView />;
      case 'settings':
        return <SettingsView />;
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
