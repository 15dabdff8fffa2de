/**
 * The mfio-rt conformance suite: one set of cases every `Fs` (and `Tcp`) must pass, whatever
 * the backend: the native runtimes, `VirtFs`, the netfs client. Call {@link conformanceSuite}
 * from a jest test file; it registers `describe`/`test` blocks.
 *
 * The large fixture files are `MFIO_TEST_LARGE_FILES` (default 4) files of
 * `MFIO_TEST_LARGE_MB` MiB (default 64, as mfio); lower them to keep CI fast.
 * @example
 * // test/my-fs.test.ts
 * import { conformanceSuite, tempDirTarget } from '@mfio/rt-conformance';
 * import { NativeRt } from '@mfio/rt';
 * conformanceSuite(tempDirTarget('libuv', (cwd) => {
 *   const rt = NativeRt.builder().libuv().cwd(cwd).build();
 *   return { fs: rt, tcp: rt, close: () => rt.close() };
 * }));
 * @packageDocumentation
 */
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Fs, Tcp } from '@mfio/rt';
import { SuiteContext } from './context.js';
import { makeFixture, type Fixture, type FixtureOptions } from './fixture.js';
import { batchCases } from './batch-cases.js';
import { directCases } from './direct-cases.js';
import { fsCases, writeFixtureThroughApi } from './fs-cases.js';
import { fsErrorCases } from './fs-error-cases.js';
import { lifecycleCases } from './lifecycle-cases.js';
import { stressCases } from './stress-cases.js';
import { symlinkCases } from './symlink-cases.js';
import type { ConformanceSubject, ConformanceTarget } from './target.js';
import { tcpCases } from './tcp-cases.js';

export type { ConformanceSubject, ConformanceTarget } from './target.js';
export { promisesComparison, type PromisesSubject, type Side, type LooseFsp, type LooseHandle } from './promises-compare.js';
export { PROMISES_CASES, type PromisesCase } from './promises-cases.js';
export { makeFixture, largeByte, largeFile, allDirs, listing, type Fixture, type FixtureFile, type FixtureOptions } from './fixture.js';
/** Hang detection for tests of other packages (netfs, object storage) that close and abort. */
export { HANG_MS, describeInFlight, repeats, track, until, within } from './helpers.js';

/** Options of {@link conformanceSuite}. */
export interface ConformanceOptions extends FixtureOptions {
  /**
   * `true` (default): run the TCP cases (the subject must have a `tcp`). A string: the reason
   * the target has no TCP; the cases are then one skipped test `tcp: unavailable: <reason>`.
   */
  tcp?: true | string;
  /**
   * Cases this target is known to fail, by name, each with the reason (e.g. the fix that is
   * pending). They run as `test.failing`: reported, and red once they pass.
   */
  knownFailing?: Readonly<Record<string, string>>;
  /**
   * Cases this target cannot run, by name, each with the reason (the platform or an emulator
   * lacks the feature: e.g. Wine's symlinks). They show as skipped `<name> (skipped: <reason>)`.
   */
  skip?: Readonly<Record<string, string>>;
  /**
   * `true` (default): run the symlink cases (the subject must have `symlink`). A string: the
   * reason the target has no symlinks; each such case is then skipped with it.
   */
  symlinks?: true | string;
  /**
   * `true` (default): the platform's TCP keeps the half-close TCP specifies: a peer's FIN ends
   * only the peer's direction, and a write still waiting for the peer goes out in full. A
   * string: the reason the platform's sockets lose the rest of such a write (Wine 8 completes
   * it at the FIN with part of it sent). The echo cases then half-close only once the echo
   * has caught up, so they check our bytes and not the platform's; the case that shows the
   * loss still runs everywhere (list it in `knownFailing` for a backend that cannot see it).
   */
  halfClose?: true | string;
  /**
   * Run the direct I/O cases (`open(path, { direct: true })`): `{ refusedPath }` names a file on
   * a filesystem that refuses O_DIRECT (procfs on Linux) or why there is none here;
   * `{ unavailable }` says why they cannot run (one named skip). Omitted: the target has no
   * direct I/O and the cases are not registered.
   */
  direct?:
    | {
        /** A file on a filesystem that refuses O_DIRECT, or why there is none here. */
        refusedPath:
          | string
          | {
              /** Why, shown in the name of the case it skips. */
              unavailable: string;
            };
      }
    | {
        /** Why the direct I/O cases cannot run here: one skipped test says so. */
        unavailable: string;
      };
}

/**
 * Register the whole suite for `target` under `describe('conformance: <name>')`. A target that
 * is unavailable registers one skipped test named `unavailable: <reason>`, so a missing backend
 * shows in the report instead of passing silently; so does a target without TCP (`options.tcp`).
 * @example conformanceSuite({ name: 'virt', setup: async () => { const fs = new VirtFs(); return { fs, close: () => fs.close() }; } }, { tcp: 'VirtFs has no TCP' });
 */
export function conformanceSuite(target: ConformanceTarget, options: ConformanceOptions = {}): void {
  describe(`conformance: ${target.name}`, () => {
    if ('unavailable' in target) {
      test.skip(`unavailable: ${target.unavailable}`, () => undefined);
      return;
    }
    const ctx = new SuiteContext(makeFixture(options), () => target.setup(), options.knownFailing, options.skip);
    beforeAll(async () => {
      const subject = await target.setup();
      ctx.subject = subject;
      if (subject.writeFixture) await subject.writeFixture(ctx.fixtureDir, ctx.fixture);
      else await writeFixtureThroughApi(ctx, ctx.fixtureDir, ctx.fixture);
    });
    afterAll(async () => {
      // A failed setup is reported once, by beforeAll; a close that rejects fails the run.
      if (ctx.hasSubject) await ctx.subject.close();
    });
    fsCases(ctx);
    fsErrorCases(ctx);
    symlinkCases(ctx, options.symlinks ?? true);
    stressCases(ctx);
    batchCases(ctx);
    if (options.direct !== undefined && 'unavailable' in options.direct) test.skip(`direct I/O: unavailable: ${options.direct.unavailable}`, () => undefined);
    else if (options.direct !== undefined) directCases(ctx, options.direct.refusedPath);
    lifecycleCases(ctx, typeof options.tcp !== 'string');
    if (typeof options.tcp === 'string') test.skip(`tcp: unavailable: ${options.tcp}`, () => undefined);
    else tcpCases(ctx, { halfClose: options.halfClose ?? true });
  });
}

/** A runtime made for one directory: its Fs (whose current directory is that directory), its Tcp, its close. */
export interface RuntimeUnderTest {
  /** The runtime's Fs; its current directory is the temporary directory. */
  readonly fs: Fs;
  /** Its Tcp, if it has one (the TCP cases are skipped, and say so, without it). */
  readonly tcp?: Tcp;
  /** Close the runtime; the directory is removed after. */
  close(): Promise<void>;
}

/**
 * A target for a runtime on the real filesystem: a fresh temporary directory per run
 * (`mkdtemp` under the OS temp dir) becomes the runtime's current directory, the fixture is
 * written into it with `node:fs` (independently of the backend under test), and it is removed
 * after the runtime closes.
 * @example tempDirTarget('libuv', (cwd) => { const rt = NativeRt.builder().libuv().cwd(cwd).build(); return { fs: rt, tcp: rt, close: () => rt.close() }; })
 */
export function tempDirTarget(name: string, make: (cwd: string) => RuntimeUnderTest | Promise<RuntimeUnderTest>): ConformanceTarget {
  return {
    name,
    async setup(): Promise<ConformanceSubject> {
      const cwd = await mkdtemp(join(tmpdir(), `mfio-rt-${name}-`));
      let runtime: RuntimeUnderTest;
      try {
        runtime = await make(cwd);
      } catch (error) {
        await rm(cwd, { recursive: true, force: true });
        throw error;
      }
      const subject: ConformanceSubject = {
        fs: runtime.fs,
        async writeFixture(dir: string, fixture: Fixture): Promise<void> {
          for (const d of fixture.dirs) await mkdir(join(cwd, dir, d), { recursive: true });
          for (const file of fixture.files) {
            const path = join(cwd, dir, file.path);
            await mkdir(dirname(path), { recursive: true });
            await writeFile(path, file.data);
          }
        },
        async symlink(target: string, path: string): Promise<void> {
          await symlink(target, join(cwd, path));
        },
        async close(): Promise<void> {
          try {
            await runtime.close();
          } finally {
            await rm(cwd, { recursive: true, force: true });
          }
        },
      };
      return runtime.tcp ? { ...subject, tcp: runtime.tcp } : subject;
    },
  };
}
