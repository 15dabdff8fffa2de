import { join } from 'node:path';
import type { AddonCandidate, OwnPackage } from './addon-candidates.js';
import { packageRoot } from './addon-location.js';

/**
 * What the user should do, for the load error. Every command works where the user is: the
 * package managers' own install commands, and the source build by its absolute path (in an
 * npm, pnpm or yarn project alike; `pnpm --filter` works only inside this repository).
 */
export function addonFix(candidates: readonly AddonCandidate[], tried: readonly { wrongVersion?: boolean }[], own: OwnPackage): string {
  if (process.env.MFIO_ADDON) return "unset MFIO_ADDON, or point it at an mfio_rt.node built from this version's sources.";
  const platform = candidates.find((candidate) => candidate.source === 'platform package');
  if (platform?.packageName === undefined || platform.published !== true) return `no binary is published for this platform: ${buildFromSource()}`;
  const name = platform.packageName;
  const install = `\`npm install ${name}@${own.version}\` (pnpm: \`pnpm add ${name}@${own.version}\`; yarn: \`yarn add ${name}@${own.version}\`)`;
  let first: string;
  if (platform.missing !== undefined) {
    first = `${name} is an optional dependency of ${own.name}, left out by \`--omit=optional\`, \`--no-optional\` or \`--ignore-optional\`, or by a lockfile made on another platform: install it with ${install}.`;
  } else if (tried.some((attempt) => attempt.wrongVersion === true)) {
    first = `install the binary of ${own.name} ${own.version} with ${install}.`;
  } else {
    first = `reinstall ${name} with ${install}; if it still fails to load (a glibc older than 2.34, say), build the addon from source.`;
  }
  return `${first} Or build from source: ${buildFromSource()}`;
}

function buildFromSource(): string {
  const tools = 'cmake-js node-addon-api node-api-headers';
  return (
    `add the build tools to your project (\`npm install --save-dev ${tools}\`; pnpm: \`pnpm add -D ${tools}\`; yarn: \`yarn add -D ${tools}\`), ` +
    `then run \`node ${join(packageRoot, 'scripts', 'build-native.mjs')}\` in the project's folder (needs cmake and a C++17 compiler).`
  );
}
