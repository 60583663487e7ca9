import { CompanionError } from '../../common/errors/companion-error.js';
import { DELIVERY_STATES, type DeliveryState } from '../../common/models/relay.js';
import { listRelayDeliveries } from '../../core/use-cases/relay-queue.js';
import type { Command } from '../command.js';
import { positiveInteger, withLocalPorts } from './relay-support.js';

/** `relay deliveries <name> [--state S]`: the queue, newest first. */
export const relayDeliveriesCommand: Command = {
  path: ['relay', 'deliveries'],
  summary: 'list relayed deliveries, newest first',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  options: { state: { type: 'string' }, limit: { type: 'string' } },
  optionHelp: [
    ['--state pending|delivered|dead', 'only deliveries in this state'],
    ['--limit N', 'at most N deliveries (default 100)'],
  ],
  async run(context) {
    const state = context.flags['state'];
    if (state !== undefined && !DELIVERY_STATES.includes(state as DeliveryState)) {
      throw new CompanionError(
        'USAGE_INVALID',
        `--state must be one of ${DELIVERY_STATES.join(', ')}.`,
      );
    }
    const limit = positiveInteger(context.flags['limit'], '--limit');
    const deliveries = await withLocalPorts(context, (ports) =>
      listRelayDeliveries(
        { settings: ports.settings, database: ports.database() },
        {
          installation: context.positionals[0] as string,
          ...(state === undefined ? {} : { state: state as DeliveryState }),
          ...(limit === undefined ? {} : { limit }),
        },
      ),
    );
    context.output.success({ deliveries }, () =>
      deliveries.length === 0
        ? 'no deliveries'
        : deliveries
            .map((d) =>
              [
                String(d.id).padStart(6),
                d.state.padEnd(9),
                d.receivedAt,
                d.eventKey,
                d.repository,
                `attempts ${d.attempts}`,
                d.lastError ?? '',
              ].join('  '),
            )
            .join('\n'),
    );
  },
};
