// Entry point for tests that run the CLI as a real child process straight from the sources
// (through tsx), so they do not depend on a `dist/` another build may be replacing.
import { main } from '../../cli/main.js';

process.exitCode = await main(process.argv.slice(2));
