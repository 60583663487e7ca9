// The installation a benchmark points at the simulator: BDC and the platform stand-in over
// loopback HTTPS, signed in with the simulator's PAT. Shared by the benches that run the real
// daemons (bench:push's idle daemons, bench:bridge).
import { DEFAULT_RELAY_SETTINGS, type Installation } from '../common/models/installation.js';
import type { RunningSimulator } from '../sim/simulator-api.js';

export function simulatorInstallation(
  sim: RunningSimulator,
  id: string,
  extra: Partial<Installation> = {},
): Installation {
  const platform = sim.platform;
  if (platform === undefined) throw new Error('the simulator was started without the platform');
  return {
    id,
    name: 'bench',
    baseUrl: sim.url,
    caPems: [sim.caPem],
    allowLoopback: true,
    platform: {
      baseUrl: platform.url,
      installationId: platform.installationId,
      caPems: [platform.caPem],
    },
    auth: { kind: 'pat', user: sim.user.name, verifiedAt: new Date().toISOString() },
    relay: DEFAULT_RELAY_SETTINGS,
    createdAt: new Date().toISOString(),
    ...extra,
  };
}
