import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the command line says about itself: the installed package's version and folder. */
export interface OwnPackage {
  readonly version: string;
  /** The package's folder: its README.md ships in the tarball (package.json "files"). */
  readonly root: string;
}

/**
 * This package, as installed: the nearest package.json above this file with a name. The file
 * runs from src/server/ (tsx), dist/server/ or dist/cjs/server/ (whose package.json only sets
 * "type"), so no fixed number of levels up is right for all three.
 */
export function ownPackage(): OwnPackage {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    let pkg: { name?: unknown; version?: unknown } | undefined;
    try {
      pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as typeof pkg;
    } catch {
      // No package.json here (or not JSON): keep going up.
    }
    if (typeof pkg?.name === 'string') return { version: String(pkg.version), root: dir };
    if (dirname(dir) === dir) throw new Error(`mfio-netfs-server: no package.json with a name above ${start}`);
  }
}
