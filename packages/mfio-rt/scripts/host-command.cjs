// How to run a script under Bun or Deno so that it resolves @mfio/rt as Node would, from
// node_modules, and installs nothing: for test-hosts.mjs, the foreign-hosts tests of this package
// and @mfio/netfs, and the bench's hosts run. CommonJS, so jest's CommonJS test files can load it.
const path = require('node:path');

const packageRoot = path.join(__dirname, '..');

/**
 * `argv` and `env` that run `args` (a script and its arguments) on `host` ('bun' or 'deno')
 * with the binary at `binary`. MFIO_FS_BACKENDS and MFIO_ADDON are passed on as set.
 * @param {'bun' | 'deno'} host
 * @param {string} binary
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {{ argv: string[], env: NodeJS.ProcessEnv }}
 */
function hostCommand(host, binary, args, env = process.env) {
  if (host === 'bun') {
    // --no-install: resolve from node_modules only, never auto-install from the registry.
    return { argv: [binary, '--no-install', ...args], env: { ...env } };
  }
  // Deno resolves bare imports through node_modules as pnpm laid it out ("manual"), keeps its
  // caches in .hosts/ rather than the home directory, and asks for no permission prompt.
  return {
    argv: [binary, 'run', '--allow-all', '--node-modules-dir=manual', ...args],
    env: { ...env, DENO_DIR: path.join(packageRoot, '.hosts', 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' },
  };
}

module.exports = { hostCommand };
