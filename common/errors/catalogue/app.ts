import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the app capability: the UI contract, the desktop shell, `serve` and `demo`. */
export const appCodes = {
  APP_OPERATION_UNAVAILABLE: {
    cause: 'This build of the companion does not include the capability the operation needs.',
    fix: 'Update the companion; `bdc-companion --version` shows which build is running.',
    fixGui: 'Update the companion; the version is shown at the top of the window.',
  },
  APP_SENDER_REFUSED: {
    cause: 'An IPC call came from a frame that is not the companion UI (app://bundle main frame).',
    fix: 'Nothing to do: the call was refused. Report it if it keeps happening.',
  },
  APP_EXTERNAL_URL_REFUSED: {
    cause: 'The desktop shell refused to open a URL it did not build for the current installation.',
    fix: 'Open links from the installation pages only; the sign-in URL must be on the instance.',
  },
  APP_OAUTH_FLOW_UNKNOWN: {
    cause: 'The sign-in flow named by the UI is not pending (finished, cancelled or expired).',
    fix: 'Start the sign-in again from the Sign in step.',
  },
  SERVE_ACCESS_DENIED: {
    cause:
      'The request to `serve` had no valid access token (the X-Companion-Token header the page sets from the printed URL).',
    fix: 'Open the exact URL that `serve` printed when it started (with its #token= part); tokens change on every start.',
  },
  SERVE_HOST_REFUSED: {
    cause: 'The request named a Host that `serve` does not answer to (DNS rebinding protection).',
    fix: 'Use the URL `serve` printed; to serve another name, start it with --host.',
    fixGui: 'Open the address the companion printed when it started.',
  },
  SERVE_ORIGIN_REFUSED: {
    cause: 'A request came from another web origin (cross-site request protection).',
    fix: 'Use the UI at the URL `serve` printed; other sites cannot call it.',
  },
  SERVE_LISTEN_FAILED: {
    cause: '`serve` could not listen on the requested address and port.',
    fix: 'Choose a free port with --port, or stop what is using it.',
    fixGui: 'Ask whoever started the companion to choose a free port.',
  },
  SERVE_NOT_FOUND: {
    cause: 'The `serve` UI has no such page or operation.',
    fix: 'Open the URL `serve` printed and navigate from there.',
  },
  DEMO_SIMULATOR_MISSING: {
    cause: '`demo` needs the simulator bundle (dist/sim/index.js), which this install lacks.',
    fix: 'Run `npm run build` in a source checkout, then `bdc-companion demo` again.',
    fixGui: 'The demo needs a source checkout; use the desktop app or a packaged build instead.',
  },
} as const satisfies CatalogueSection;
