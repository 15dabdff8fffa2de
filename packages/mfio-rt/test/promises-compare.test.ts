import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisesComparison, type PromisesSubject } from '@mfio/rt-conformance';
import { defaultRt, NativeRt } from '../src/index.js';
import * as facade from '../src/promises/index.js';

/**
 * The same cases on node:fs/promises and on @mfio/rt/promises (real files in temp dirs): the
 * default runtime's top-level functions (io_uring where it starts), then promisesOf() over every
 * backend that starts here. The netfs client runs them in @mfio/netfs's tests.
 */
const localSubject = (fsp: unknown, close: () => Promise<void> = async () => {}): PromisesSubject => {
  const root = mkdtempSync(join(tmpdir(), 'mfio-fsp-facade-'));
  return {
    fsp,
    root,
    pathOf: (rel) => join(root, rel),
    close: async () => {
      await close();
      rmSync(root, { recursive: true, force: true });
    },
  };
};

promisesComparison(`the default runtime (${defaultRt().backendName})`, async () => localSubject(facade));

for (const result of NativeRt.builder().buildEach()) {
  if (result.rt === undefined) continue;
  const rt = result.rt;
  promisesComparison(`promisesOf(${result.name} runtime)`, async () => localSubject(facade.promisesOf(rt), () => rt.close()));
}
