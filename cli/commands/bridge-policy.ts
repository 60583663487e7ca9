import type { EffectivePolicy } from '../../core/bridge/bridge-settings.js';
import { changeBridgePolicy } from '../../core/use-cases/bridge-policy.js';
import type { Command } from '../command.js';
import { listFlag } from '../flag-values.js';
import { formatRows } from '../output.js';
import { withLocalPorts } from './relay-support.js';

function human(policy: EffectivePolicy): string {
  return formatRows([
    ['read rules', policy.read.map((rule) => rule.name).join(', ')],
    [
      'read projects',
      policy.readProjects.length === 0
        ? 'every project the credential can read'
        : policy.readProjects.join(', '),
    ],
    [
      'push rules',
      policy.push.length === 0 ? 'none (the platform may push nothing)' : policy.push.join('\n'),
    ],
  ]);
}

/**
 * `bridge policy <name> [--allow-push RULE]… [--deny-push RULE]… [--read-project KEY]…`: what the
 * platform may read and push through the bridge; prints the effective policy after any change.
 */
export const bridgePolicyCommand: Command = {
  path: ['bridge', 'policy'],
  summary: 'show or change what the platform may read and push through the bridge',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  options: {
    'allow-push': { type: 'string', multiple: true },
    'deny-push': { type: 'string', multiple: true },
    'read-project': { type: 'string', multiple: true },
    'all-projects': { type: 'boolean' },
  },
  optionHelp: [
    ['--allow-push PROJECT/repo:branch', 'let the platform push there (globs * and ?); repeatable'],
    ['--deny-push RULE', 'remove a push rule; repeatable'],
    ['--read-project KEY', 'limit reads to these projects (adds to the list); repeatable'],
    ['--all-projects', 'empty the project list: reads reach every project the credential can read'],
  ],
  async run(context) {
    const { flags } = context;
    const policy = await withLocalPorts(context, (ports) =>
      changeBridgePolicy(
        { settings: ports.settings, logger: context.logger },
        {
          installation: context.positionals[0] as string,
          edit: {
            allowPush: listFlag(flags['allow-push']),
            denyPush: listFlag(flags['deny-push']),
            readProjects: listFlag(flags['read-project']),
            clearReadProjects: flags['all-projects'] === true,
          },
        },
      ),
    );
    context.output.success({ policy }, () => human(policy));
  },
};
