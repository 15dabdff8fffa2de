import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as nodeFsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { PROMISES_CASES, type PromisesCase } from './promises-cases.js';

/**
 * The facade under test: the `node:fs/promises` functions of `@mfio/rt/promises` (the default
 * runtime's, or `promisesOf(fs)` of any Fs), seeing the local directory `root` as `pathOf('')`.
 */
export interface PromisesSubject {
  /** The facade's functions (`promisesOf(fs)`, or the `@mfio/rt/promises` module). */
  readonly fsp: unknown;
  /** A local directory the facade reaches (a runtime's temp dir, a netfs server's root). */
  readonly root: string;
  /** How the facade names `root/rel`: an absolute path for a runtime, `/rel` for netfs. */
  pathOf(rel: string): string;
  /** Release what the subject started (a runtime, a server). */
  close(): Promise<void>;
}

/** A FileHandle as the cases call it, on either side (loosely typed: the cases pass wrong arguments on purpose). */
export interface LooseHandle {
  /** `filehandle.read`. */
  read(...args: unknown[]): Promise<unknown>;
  /** `filehandle.write`. */
  write(...args: unknown[]): Promise<unknown>;
  /** `filehandle.stat`. */
  stat(...args: unknown[]): Promise<unknown>;
  /** `filehandle.truncate`. */
  truncate(...args: unknown[]): Promise<unknown>;
  /** `filehandle.sync`. */
  sync(): Promise<unknown>;
  /** `filehandle.datasync`. */
  datasync(): Promise<unknown>;
  /** `filehandle.readFile`. */
  readFile(...args: unknown[]): Promise<unknown>;
  /** `filehandle.createReadStream`. */
  createReadStream(...args: unknown[]): Readable;
  /** `filehandle.close`. */
  close(): Promise<unknown>;
}

/** `node:fs/promises`, or the facade, as the cases call them. */
export interface LooseFsp {
  /** `fsPromises.open`. */
  open(...args: unknown[]): Promise<LooseHandle>;
  /** `fsPromises.readFile`. */
  readFile(...args: unknown[]): Promise<unknown>;
  /** `fsPromises.writeFile`. */
  writeFile(...args: unknown[]): Promise<unknown>;
  /** `fsPromises.stat`. */
  stat(...args: unknown[]): Promise<{
    /** `stats.isDirectory()`. */
    isDirectory(): boolean;
    /** `stats.isFile()`. */
    isFile(): boolean;
    /** `stats.mode`. */
    mode: number;
  }>;
  /** `fsPromises.readdir`. */
  readdir(...args: unknown[]): Promise<unknown[]>;
  /** `fsPromises.mkdir`. */
  mkdir(...args: unknown[]): Promise<unknown>;
  /** `fsPromises.rm`. */
  rm(...args: unknown[]): Promise<unknown>;
  /** `fsPromises.rename`. */
  rename(...args: unknown[]): Promise<unknown>;
  /** `fsPromises.unlink`. */
  unlink(...args: unknown[]): Promise<unknown>;
}

/** A side of the comparison: how a case names paths, and what it calls. */
export interface Side {
  /** `node:fs/promises`, or the facade: the cases call both the same way. */
  readonly fsp: LooseFsp;
  /** The path of `rel` inside this case's directory. */
  p(rel: string): string;
}

/**
 * Register one jest test per case of {@link PROMISES_CASES}: each runs on `node:fs/promises` in a
 * fresh temp directory and on the facade in a fresh directory of the subject, and expects the
 * same outcome (the value, or the error's `code`, `syscall`, `path` and `dest`, paths taken
 * relative to the case's directory) and the same files left behind.
 */
export function promisesComparison(name: string, setup: () => Promise<PromisesSubject>): void {
  describe(`node:fs/promises and the facade on ${name} agree`, () => {
    let subject: PromisesSubject;
    let nodeRoot: string;
    beforeAll(async () => {
      subject = await setup();
      nodeRoot = mkdtempSync(join(tmpdir(), 'mfio-fsp-node-'));
    });
    afterAll(async () => {
      await subject?.close();
      if (nodeRoot !== undefined) rmSync(nodeRoot, { recursive: true, force: true });
    });

    test('the cases are many and their names unique', () => {
      expect(PROMISES_CASES.length).toBeGreaterThanOrEqual(60);
      expect(new Set(PROMISES_CASES.map((c) => c.name)).size).toBe(PROMISES_CASES.length);
    });

    test.each(PROMISES_CASES.map((c, i) => [c.name, i] as const))('%s', async (_name, index) => {
      const kase = PROMISES_CASES[index]!;
      const id = `case${index}`;
      const nodeDir = join(nodeRoot, id);
      const facadeDir = join(subject.root, id);
      makeTree(nodeDir);
      makeTree(facadeDir);
      const nodeSide: Side = { fsp: nodeFsp, p: (rel) => join(nodeDir, rel) };
      const facadePrefix = subject.pathOf(id);
      const facadeSide: Side = { fsp: subject.fsp as LooseFsp, p: (rel) => (rel === '' ? facadePrefix : `${facadePrefix}/${rel}`) };
      const expected = await outcome(kase, nodeSide, nodeDir);
      const actual = await outcome(kase, facadeSide, facadePrefix);
      expect(actual).toEqual(expected);
      expect(snapshot(facadeDir)).toEqual(snapshot(nodeDir));
    });
  });
}

/** The tree every case starts from. */
function makeTree(dir: string): void {
  mkdirSync(join(dir, 'd', 'sub'), { recursive: true });
  mkdirSync(join(dir, 'e'));
  writeFileSync(join(dir, 'f.txt'), 'hello world');
  writeFileSync(join(dir, 'empty.txt'), '');
  writeFileSync(join(dir, 'd', 'a.txt'), 'A');
  writeFileSync(join(dir, 'd', 'sub', 'b.txt'), 'BB');
  writeFileSync(join(dir, 'big.bin'), Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7 + (i >> 8)) & 0xff)));
}

/** What a case leaves behind: every path, its type, mode bits and (for files) its bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const stat = statSync(join(dir, path));
      if (stat.isDirectory()) {
        out[path] = `dir ${(stat.mode & 0o777).toString(8)}`;
        walk(path);
      } else {
        out[path] = `file ${(stat.mode & 0o777).toString(8)} ${readFileSync(join(dir, path)).toString('base64')}`;
      }
    }
  };
  walk('');
  return out;
}

async function outcome(kase: PromisesCase, side: Side, prefix: string): Promise<unknown> {
  try {
    return { value: normalize(await kase.run(side)) };
  } catch (error) {
    const e = error as { code?: unknown; syscall?: unknown; path?: unknown; dest?: unknown };
    const relative = (path: unknown): unknown => (typeof path === 'string' && path.startsWith(prefix) ? path.slice(prefix.length) : path);
    return { error: { code: e.code, syscall: e.syscall, path: relative(e.path), dest: relative(e.dest) } };
  }
}

/** A value as comparable data: bytes as base64, Stats and Dirents by their fields and tests. */
function normalize(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) return { bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Array.isArray(value)) return value.map(normalize);
  const v = value as Record<string, unknown>;
  if (typeof v.isFile === 'function' && typeof v.size === 'number') {
    const s = v as unknown as { size: number; mode: number; isFile(): boolean; isDirectory(): boolean; mtimeMs: number };
    return { stats: { size: s.size, mode: s.mode.toString(8), file: s.isFile(), dir: s.isDirectory() } };
  }
  if (typeof v.isFile === 'function' && typeof v.name === 'string') {
    const d = v as unknown as { name: string; isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean };
    return { dirent: { name: d.name, file: d.isFile(), dir: d.isDirectory(), link: d.isSymbolicLink() } };
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
}
