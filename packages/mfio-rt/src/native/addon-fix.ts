import { join } from 'node:path';
import type { AddonCandidate, AddonSource, OwnPackage } from './addon-candidates.js';
import { packageRoot } from './addon-location.js';

/**
 * What the user should do, for the load error. Every command works where the user is: the
 * package managers' own install commands, and the source build by its absolute path (in an
 * npm, pnpm or yarn project alike; `pnpm --filter` works only inside this repository).
 */
export function addonFix(candidates: readonly AddonCandidate[], tried: readonly AddonAttemptLike[], own: OwnPackage): string {
  if (process.env.MFIO_ADDON) return "unset MFIO_ADDON, or point it at an mfio_rt.node built from this version's sources.";
  const platform = candidates.find((candidate) => candidate.source === 'platform package');
  if (platform?.packageName === undefined || platform.published !== true) return `no binary is published for this platform: ${buildFromSource()}`;
  // The dynamic loader's "version `GLIBC_2.34' not found": no reinstall can help, the binary
  // needs a newer C library than this system has; a build from source links against its own.
  const glibc = tried.map((attempt) => (attempt.source === 'platform package' ? GLIBC_MISSING.exec(attempt.error ?? '') : null)).find(Boolean);
  if (glibc) return `the prebuilt binary needs glibc ${glibc[1]} or later, newer than this system's: ${buildFromSource()}`;
  const name = platform.packageName;
  // An optional dependency, as @mfio/rt lists it: a regular one would make the next install on
  // another platform (a colleague's Mac, a CI runner) fail on its os/cpu.
  const install =
    `\`npm install --save-optional ${name}@${own.version}\` ` +
    `(pnpm: \`pnpm add -O ${name}@${own.version}\`; yarn: \`yarn add --optional ${name}@${own.version}\`)`;
  let first: string;
  if (platform.missing !== undefined) {
    first =
      `${name} is an optional dependency of ${own.name}, left out by \`--omit=optional\`, \`--no-optional\` or \`--ignore-optional\`, ` +
      `or by a lockfile made on another platform. Reinstall with optional dependencies first (\`npm install --include=optional\`; ` +
      `pnpm: \`pnpm install\` without \`--no-optional\`; yarn: \`yarn install\` without \`--ignore-optional\`); if it is still missing, add it: ${install}.`;
  } else if (tried.some((attempt) => attempt.wrongVersion === true)) {
    first = `install the binary of ${own.name} ${own.version} with ${install}.`;
  } else {
    first = `reinstall ${name} with ${install}; if it still fails to load, build the addon from source.`;
  }
  return `${first} Or build from source: ${buildFromSource()}`;
}

/** What addonFix reads of each attempt. */
interface AddonAttemptLike {
  readonly source: AddonSource;
  readonly error?: string;
  readonly wrongVersion?: boolean;
}

const GLIBC_MISSING = /version [`']GLIBC_([\d.]+)' not found/;

function buildFromSource(): string {
  const tools = 'cmake-js node-addon-api node-api-headers';
  return (
    `add the build tools to your project (\`npm install --save-dev ${tools}\`; pnpm: \`pnpm add -D ${tools}\`; yarn: \`yarn add -D ${tools}\`), ` +
    `then run \`node ${join(packageRoot, 'scripts', 'build-native.mjs')}\` in the project's folder ` +
    `(needs cmake, a C++17 compiler and, on Linux, the kernel headers of Linux 5.19 or later).`
  );
}
