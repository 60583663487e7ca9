import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the relay capability. */
export const relayCodes = {
  RELAY_NOT_CONFIGURED: {
    cause: 'The installation has no platform link, so the relay has nowhere to forward deliveries.',
    fix: 'Add the platform URL and installation id: `installation add <name> --url U --platform-url P --platform-installation-id ID`.',
    fixGui:
      "Add the platform URL and installation id to the installation (the Setup wizard's Instance step).",
  },
  RELAY_LISTEN_INVALID: {
    cause: 'The listen address is not of the form HOST:PORT with a port between 0 and 65535.',
    fix: 'Pass --listen 127.0.0.1:8787 (or 0.0.0.0:8787 to let BDC on another machine reach it).',
    fixGui:
      'Enter the listen address as host:port, e.g. 127.0.0.1:8787 (or 0.0.0.0:8787 to let BDC on another machine reach it).',
  },
  RELAY_LISTEN_FAILED: {
    cause:
      'The relay could not listen on the address (already in use, or not an address of this machine).',
    fix: 'Stop whatever uses the port or choose another with --listen HOST:PORT.',
    fixGui: 'Stop whatever uses the port, or enter another listen address.',
  },
  RELAY_TLS_INVALID: {
    cause:
      'The relay certificate or key could not be read, is not PEM, or the key does not match the certificate.',
    fix: 'Give a PEM certificate chain and its unencrypted PEM private key, readable by the user the relay runs as: `relay run --tls-cert F --tls-key F`, or `installation update <name> --relay-tls-cert F --relay-tls-key F`.',
    fixGui:
      'Give a PEM certificate chain and its unencrypted PEM private key, readable by the user the relay runs as, in the HTTPS fields of the relay setup.',
  },
  RELAY_DELIVERY_NOT_FOUND: {
    cause:
      'No delivery with this id exists for the installation (it may have been pruned after the retention period).',
    fix: 'List deliveries with `relay deliveries <name>` and use an id from the list.',
    fixGui: 'Refresh the Relay view and choose a delivery from the list.',
  },
  RELAY_DELIVERY_PENDING: {
    cause: 'The delivery is still pending: the relay is already trying to forward it.',
    fix: 'Wait for it to be delivered or dead-lettered; `relay status <name>` shows the last error.',
    fixGui: 'Wait for it to be delivered or dead-lettered; the Relay view shows the last error.',
  },
  RELAY_STORE_FAILED: {
    cause:
      'The relay could not write the delivery to its database, so it refused to acknowledge it.',
    fix: 'Check free disk space and permissions of the config home; BDC will report the failed delivery.',
  },
} as const satisfies CatalogueSection;
