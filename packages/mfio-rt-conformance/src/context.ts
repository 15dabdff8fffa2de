import { posix, win32 } from 'node:path';
import type { DirHandle, Fs } from '@mfio/rt';
import type { Fixture } from './fixture.js';
import type { ConformanceSubject } from './target.js';
import { repeats } from './helpers.js';

/** What every case of one suite run shares. */
export class SuiteContext {
  readonly fixture: Fixture;
  /** The fixture's directory, relative to the current directory. */
  readonly fixtureDir = 'fixture';
  #subject: ConformanceSubject | null = null;
  #scratch = 0;
  readonly #setup: () => Promise<ConformanceSubject>;
  readonly #knownFailing: Readonly<Record<string, string>>;
  readonly #skip: Readonly<Record<string, string>>;

  constructor(
    fixture: Fixture,
    setup: () => Promise<ConformanceSubject>,
    knownFailing: Readonly<Record<string, string>> = {},
    skip: Readonly<Record<string, string>> = {},
  ) {
    this.fixture = fixture;
    this.#setup = setup;
    this.#knownFailing = knownFailing;
    this.#skip = skip;
  }

  /**
   * `test(name, body)`; `test.failing` (named `known failure (<reason>): <name>`) when the
   * target lists `name` as a known failure: the report shows it, and it turns red as soon as
   * the backend is fixed, so the entry gets removed; `test.skip` (named `<name> (skipped:
   * <reason>)`) when the target lists it as a case it cannot run.
   */
  test(name: string, body: () => Promise<void>): void {
    const skipped = this.#skip[name];
    if (skipped !== undefined) {
      test.skip(`${name} (skipped: ${skipped})`, body);
      return;
    }
    const reason = this.#knownFailing[name];
    for (const run of repeats()) {
      if (reason === undefined) test(`${name}${run}`, body);
      else test.failing(`known failure (${reason}): ${name}${run}`, body);
    }
  }

  /**
   * Another runtime of the same target (empty, no fixture), for cases that close a runtime;
   * the case must close it.
   */
  fresh(): Promise<ConformanceSubject> {
    return this.#setup();
  }

  set subject(subject: ConformanceSubject) {
    this.#subject = subject;
  }

  /** Whether the target's setup succeeded. */
  get hasSubject(): boolean {
    return this.#subject !== null;
  }

  get subject(): ConformanceSubject {
    if (this.#subject === null) throw new Error('The target failed to set up (see the beforeAll error)');
    return this.#subject;
  }

  get fs(): Fs {
    return this.subject.fs;
  }

  /** The runtime's path syntax, told by its current directory. */
  get paths(): typeof posix {
    return this.fs.currentDir().path().startsWith('/') ? posix : win32;
  }

  /** The absolute path of `rel` (`/`-separated, relative to the fixture root). */
  absolute(rel: string): string {
    const paths = this.paths;
    return paths.join(this.fs.currentDir().path(), this.fixtureDir, ...rel.split('/').filter((p) => p !== ''));
  }

  /** A fresh empty directory for one case, under `scratch/`. */
  async scratch(): Promise<DirHandle> {
    const name = `scratch/case-${++this.#scratch}`;
    await this.fs.currentDir().createDirAll(name);
    return this.fs.currentDir().openDir(name);
  }
}
