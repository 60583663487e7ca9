import { CompanionError } from '../../common/errors/companion-error.js';
import { showRelayDelivery } from '../../core/use-cases/relay-queue.js';
import type { Command } from '../command.js';
import { formatRows } from '../output.js';
import { withLocalPorts } from './relay-support.js';

/** `relay show <name> <id>`: one delivery with every attempt and the platform's answers. */
export const relayShowCommand: Command = {
  path: ['relay', 'show'],
  summary:
    'show one delivery: headers, start of the body, and every attempt with the platform response',
  args: '<name> <id>',
  minPositionals: 2,
  maxPositionals: 2,
  async run(context) {
    const [name, idText] = context.positionals as [string, string];
    if (!/^\d+$/.test(idText))
      throw new CompanionError('USAGE_INVALID', `"${idText}" is not a delivery id.`);
    const detail = await withLocalPorts(context, (ports) =>
      showRelayDelivery(
        { settings: ports.settings, database: ports.database() },
        { installation: name, id: Number(idText) },
      ),
    );
    const { delivery } = detail;
    context.output.success({ ...detail }, () =>
      [
        formatRows([
          ['id', String(delivery.id)],
          ['state', delivery.state],
          ['event', delivery.eventKey],
          ['repository', delivery.repository],
          ['received', delivery.receivedAt],
          ['request id', delivery.requestId ?? '-'],
          ['bytes', String(delivery.bodyBytes)],
          ['last error', delivery.lastError ?? '-'],
        ]),
        '',
        ...detail.attempts.map(
          (a) =>
            `#${a.number} ${a.at} ${a.status ?? 'no answer'} ${a.latencyMs} ms ${a.outcome}${a.error ? ` ${a.error}` : ''}${
              a.responseExcerpt ? `\n    ${a.responseExcerpt.slice(0, 200)}` : ''
            }`,
        ),
      ].join('\n'),
    );
  },
};
