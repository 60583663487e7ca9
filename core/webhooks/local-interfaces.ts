import { networkInterfaces } from 'node:os';
import type { NetworkInterfaceAddress } from './relay-url-check.js';

/** This machine's addresses with their interface names, to spot a VPN client address. */
export function localInterfaces(): NetworkInterfaceAddress[] {
  return Object.entries(networkInterfaces()).flatMap(([name, addresses]) =>
    (addresses ?? []).map((address) => ({ name, address: address.address })),
  );
}
