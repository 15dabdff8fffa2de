import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root folder, where the local build (build/Release) lives: the nearest folder
 * above this file whose package.json has a name. This file sits at dist/native/ in the ES module
 * build and at dist/cjs/native/ in the CommonJS one, whose dist/cjs/package.json only sets
 * "type" (scripts/build-cjs.mjs at the repository root). The one place that knows where the
 * package is; tests (compiled to CommonJS by ts-jest) map this module to
 * test/support/addon-location.ts.
 */
export const packageRoot: string = namedPackageAbove(dirname(fileURLToPath(import.meta.url)));

function namedPackageAbove(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    let name: unknown;
    try {
      name = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name;
    } catch {
      // No package.json here (or not JSON): keep going up.
    }
    if (typeof name === 'string') return dir;
    if (dirname(dir) === dir) throw new Error(`@mfio/rt: no package.json with a name above ${start}`);
  }
}
