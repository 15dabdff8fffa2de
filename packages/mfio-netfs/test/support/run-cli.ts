// The server's command line from the sources, for tests that run it as a child process (tsx).
import { main } from '../../src/server/cli.js';

process.exitCode = await main(process.argv.slice(2));
