import type { Fs, Tcp } from '@mfio/rt';
import type { Fixture } from './fixture.js';

/** A runtime under test, set up by a {@link ConformanceTarget}. */
export interface ConformanceSubject {
  /** The filesystem; its `currentDir()` is an empty scratch directory the suite owns. */
  readonly fs: Fs;
  /** TCP, where the runtime has it (the TCP cases are skipped, and say so, without it). */
  readonly tcp?: Tcp;
  /**
   * Write the fixture into `dir` (relative to the current directory) without the API under
   * test, e.g. with `node:fs`. Without it the suite writes the fixture through `fs` itself.
   */
  writeFixture?(dir: string, fixture: Fixture): Promise<void>;
  /**
   * Make a symbolic link at `path` (relative to the current directory) pointing to `target`,
   * without the API (it has no symlink call). Required unless the suite runs with
   * `symlinks: '<reason>'`.
   */
  symlink?(target: string, path: string): Promise<void>;
  /** Close the runtime and remove what it left (the scratch directory). */
  close(): Promise<void>;
}

/** A named runtime to run the suite on, or the reason it cannot run here. */
export type ConformanceTarget =
  | {
      /** The name in the suite's title: `conformance: <name>`. */
      readonly name: string;
      /** Start a runtime on an empty scratch directory: once for the suite, again for each case that closes one. */
      readonly setup: () => Promise<ConformanceSubject>;
    }
  | {
      /** The name in the suite's title: `conformance: <name>`. */
      readonly name: string;
      /** Why the runtime cannot run here: one skipped test says so. */
      readonly unavailable: string;
    };
