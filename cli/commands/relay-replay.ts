import { CompanionError } from '../../common/errors/companion-error.js';
import { replayRelayDeliveries } from '../../core/use-cases/relay-queue.js';
import type { Command } from '../command.js';
import { withLocalPorts } from './relay-support.js';

/**
 * `relay replay <name> <id|--dead>`: queue a delivered or dead-lettered delivery again. A running
 * relay picks it up within a second; otherwise the next `relay run` sends it.
 */
export const relayReplayCommand: Command = {
  path: ['relay', 'replay'],
  summary: 'send a delivered or dead-lettered delivery to the platform again',
  args: '<name> [id]',
  minPositionals: 1,
  maxPositionals: 2,
  options: { dead: { type: 'boolean' } },
  optionHelp: [['--dead', 'replay every dead-lettered delivery (instead of an id)']],
  async run(context) {
    const [name, idText] = context.positionals as [string, string | undefined];
    const dead = context.flags['dead'] === true;
    if ((idText === undefined) === !dead) {
      throw new CompanionError('USAGE_INVALID', 'Give either a delivery id or --dead.');
    }
    if (idText !== undefined && !/^\d+$/.test(idText)) {
      throw new CompanionError('USAGE_INVALID', `"${idText}" is not a delivery id.`);
    }
    const replayed = await withLocalPorts(context, (ports) =>
      replayRelayDeliveries(
        { settings: ports.settings, database: ports.database(), now: Date.now },
        { installation: name, ...(dead ? { dead } : { ids: [Number(idText)] }) },
      ),
    );
    context.output.success({ replayed }, () =>
      replayed.length === 0
        ? 'nothing to replay'
        : `queued again: ${replayed.join(', ')} (a running relay sends them within a second)`,
    );
  },
};
