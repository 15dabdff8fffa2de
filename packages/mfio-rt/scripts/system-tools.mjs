// Shared by the build and test scripts: find a Linux tool, or install its Debian package
// (we run as root on Debian in CI; elsewhere the message says what to install).
import { spawnSync } from 'node:child_process';

/** Whether `command` runs (found on PATH). */
export function have(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Make sure every command of `needs` ({ command: debianPackage }) exists, installing the missing
 * packages with apt-get (update first) when we are root. Exits with a message otherwise.
 */
export function ensureTools(needs, what) {
  const missing = Object.entries(needs).filter(([command]) => !have(command));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map(([, pkg]) => pkg))];
  const canInstall = process.getuid?.() === 0 && have('apt-get');
  if (!canInstall) {
    console.error(`${what} needs ${missing.map(([c]) => c).join(', ')}: install ${packages.join(' ')} (Debian/Ubuntu: apt-get install ${packages.join(' ')})`);
    process.exit(1);
  }
  console.log(`${what}: installing ${packages.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], { env });
  run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env });
  const still = missing.filter(([command]) => !have(command));
  if (still.length > 0) {
    console.error(`${what}: ${still.map(([c]) => c).join(', ')} still missing after installing ${packages.join(' ')}`);
    process.exit(1);
  }
}

/**
 * Run a command with inherited output; exit with its status if it fails. Each step is bounded
 * (10 minutes unless `options.timeout` says otherwise): a stalled download or build fails.
 */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', timeout: 600_000, killSignal: 'SIGKILL', ...options });
  if (result.status !== 0) {
    console.error(`${command} ${args.join(' ')} failed: ${result.error?.message ?? `exit ${result.status ?? result.signal}`}`);
    process.exit(1);
  }
  return result;
}
