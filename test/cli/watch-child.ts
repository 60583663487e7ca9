// Entry point for the watch-mode crash test: the CLI as shipped, except that `relay run` polls
// every 150 ms (the test port of the watch interval) so the test does not wait out 5 s rounds.
import { processIo } from '../../cli/cli-io.js';
import { commands } from '../../cli/command-registry.js';
import { createRelayRunCommand } from '../../cli/commands/relay-run.js';
import { runCli } from '../../cli/main.js';

const fast = createRelayRunCommand({ watchIntervalMs: 150 });
process.exitCode = await runCli(
  process.argv.slice(2),
  processIo(),
  commands.map((command) => (command.path.join(' ') === 'relay run' ? fast : command)),
);
