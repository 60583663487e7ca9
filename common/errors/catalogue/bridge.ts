import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the platform bridge (`docs/bridge.md`). */
export const bridgeCodes = {
  BRIDGE_POLICY_DENIED: {
    cause:
      'The platform asked for a read or a push that no rule of the installation’s bridge policy allows, so nothing was sent to BDC.',
    fix: 'If the platform should be allowed, add a rule: `bridge policy <name> --allow-push PROJECT/repo:branch` for pushes, `--read-project KEY` to widen the read allow list; `bridge policy <name>` prints what is allowed.',
    fixGui:
      "If the platform should be allowed, add a rule to the installation's bridge policy (reads by project, pushes by PROJECT/repo:branch).",
  },
  BRIDGE_BAD_REQUEST: {
    cause:
      'A bridge frame from the platform was malformed: not JSON, over 1 MiB, an id over 64 characters, an unknown type, or a path that is not a plain `/rest/` path (`..`, `//`, backslash, encoded dots or slashes, control characters, a fragment, a full URL).',
    fix: 'Nothing to change on the companion: the platform sent a request the protocol does not allow. Report the request id from the bridge log to Ankra support.',
  },
  BRIDGE_BUSY: {
    cause:
      'The platform had more requests running through the bridge than the companion accepts at once (`maxInFlight` in its hello).',
    fix: 'The platform retries on its own once earlier requests finish; if it persists, check `bridge status <name>` for slow BDC answers.',
    fixGui:
      'The platform retries on its own once earlier requests finish; if it persists, check that BDC answers quickly.',
  },
  BRIDGE_TIMEOUT: {
    cause:
      'A bridged request or the bridge handshake did not finish in time (BDC answered too slowly, or the platform did not answer the hello).',
    fix: 'Check that BDC answers quickly (`probe <url>`) and that the platform is reachable; the bridge reconnects on its own.',
    fixGui:
      'Check that BDC answers quickly (probe it in the Setup wizard) and that the platform is reachable; the bridge reconnects on its own.',
  },
  BRIDGE_CANCELLED: {
    cause: 'The platform cancelled the request before it finished; its BDC call was aborted.',
    fix: 'Nothing to do: the platform asked for the cancellation.',
  },
  BRIDGE_TOKEN_REFUSED: {
    cause:
      'The platform refused the bridge token (HTTP 401 or 403 on the connection), so the bridge stopped instead of retrying with a token that cannot work.',
    fix: 'Copy a new bridge token from the platform’s setup and store it with `installation update <name> --bridge-token-stdin`; a running bridge connects again as soon as the token is replaced.',
    fixGui:
      "Copy a new bridge token from the platform's setup and store it for the installation; a running bridge connects again as soon as the token is replaced.",
  },
  BRIDGE_TOKEN_MISSING: {
    cause: 'No bridge token is stored for this installation, so the bridge cannot connect.',
    fix: 'Copy the bridge token from the platform’s setup and store it with `installation update <name> --bridge-token-stdin`.',
    fixGui: "Copy the bridge token from the platform's setup and store it for the installation.",
  },
  BRIDGE_NOT_CONFIGURED: {
    cause:
      'The installation has no platform link (platform URL and installation id), so the bridge has nowhere to connect.',
    fix: 'Add the platform link: `installation update <name> --platform-url P --platform-installation-id ID`.',
    fixGui: 'Add the platform URL and installation id to the installation.',
  },
  BRIDGE_UNSUPPORTED: {
    cause:
      'The platform does not offer the bridge protocol this companion speaks (HTTP 404 or 426 on the connection, or another WebSocket subprotocol).',
    fix: 'Check the platform URL of the installation (`installation show <name>`), and update the companion if the platform requires a newer protocol.',
    fixGui:
      "Check the installation's platform URL on the Installations view, and update the companion if the platform requires a newer protocol.",
  },
  BRIDGE_RULE_INVALID: {
    cause:
      'A bridge policy rule is not of the form PROJECT/repo:branch-glob (or a read project key is not a project key).',
    fix: 'Write push rules as `PROJECT/repo:branch`, with `*` and `?` as globs (`PLAT/gitops:main`, `PLAT/*:release/*`); project keys as letters, digits and `_`.',
  },
} as const satisfies CatalogueSection;
