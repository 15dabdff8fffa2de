#!/usr/bin/env node
// The server's command line; the code lives in dist/server/cli.js (built by `pnpm build`).
import { main } from '../dist/server/cli.js';

process.exitCode = await main(process.argv.slice(2));
