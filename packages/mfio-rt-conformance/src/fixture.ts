import { endianness } from 'node:os';
import { SeededRandom } from '@mfio/core';

/** One file of the fixture tree: a path relative to the fixture root (always `/`-separated). */
export interface FixtureFile {
  /** Relative to the fixture's directory, `/`-separated. */
  readonly path: string;
  /** The file's whole contents. */
  readonly data: Buffer;
}

/** The tree every backend must read back equal: small text files, a deep path, large files. */
export interface Fixture {
  /** Every file, with its contents. */
  readonly files: readonly FixtureFile[];
  /** Directories that exist beyond those holding files (some empty, some deep). */
  readonly dirs: readonly string[];
}

/** 32-bit avalanche (murmur3's finaliser): a fixed formula, so any byte can be checked alone. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Byte `i` of large file number `index`: little-endian bytes of `fmix32(word ^ salt)`. */
export function largeByte(index: number, i: number): number {
  return (fmix32(Math.floor(i / 4) ^ Math.imul(index + 1, 0x9e3779b9)) >>> ((i % 4) * 8)) & 0xff;
}

const largeCache = new Map<string, Buffer>();

/** Large file `index` of `size` bytes following {@link largeByte} (cached: built once per process). */
export function largeFile(index: number, size: number): Buffer {
  const key = `${index}:${size}`;
  let data = largeCache.get(key);
  if (data === undefined) {
    data = Buffer.allocUnsafe(size);
    const salt = Math.imul(index + 1, 0x9e3779b9);
    const words = Math.floor(size / 4);
    if (endianness() === 'LE' && data.byteOffset % 4 === 0) {
      const view = new Uint32Array(data.buffer, data.byteOffset, words);
      for (let w = 0; w < words; w++) view[w] = fmix32(w ^ salt);
    } else {
      for (let w = 0; w < words; w++) data.writeUInt32LE(fmix32(w ^ salt), w * 4);
    }
    for (let i = words * 4; i < size; i++) data[i] = largeByte(index, i);
    largeCache.set(key, data);
  }
  return data;
}

/** Deterministic text, like a source file: lines of words from a seeded generator. */
function text(seed: number, lines: number): Buffer {
  const random = new SeededRandom(seed);
  const words = ['packet', 'view', 'complete', 'split', 'read', 'write', 'position', 'backend', 'ring', 'queue', 'fd', 'buffer'];
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const n = random.range(1, 10);
    const line: string[] = [];
    for (let k = 0; k < n; k++) line.push(words[random.int(words.length)]!);
    out.push(line.join(' '));
  }
  return Buffer.from(out.join('\n') + '\n');
}

/** Sizes of the fixture's large files. */
export interface FixtureOptions {
  /** MiB per large file (default: env `MFIO_TEST_LARGE_MB`, else 64). */
  largeMb?: number;
  /** How many large files (default: env `MFIO_TEST_LARGE_FILES`, else 4, as mfio). */
  largeFiles?: number;
}

function envNumber(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number >= 0, got '${value}'`);
  return n;
}

/**
 * The fixture of mfio's shared suite, in TypeScript: text files in a small source-like tree,
 * `p1/p2/p3/a.txt`, an empty file, empty directories (one six levels deep), and
 * `large/0..n-1` of `largeMb` MiB each.
 */
export function makeFixture(options: FixtureOptions = {}): Fixture {
  const largeMb = options.largeMb ?? envNumber('MFIO_TEST_LARGE_MB', 64);
  const largeFiles = options.largeFiles ?? envNumber('MFIO_TEST_LARGE_FILES', 4);
  const size = Math.round(largeMb * 1024 * 1024);
  const files: FixtureFile[] = [
    { path: 'package.json', data: text(1, 40) },
    { path: 'src/lib.ts', data: text(2, 300) },
    { path: 'src/util.ts', data: text(3, 120) },
    { path: 'src/native/mod.ts', data: text(4, 500) },
    { path: 'src/native/impls/mod.ts', data: text(5, 60) },
    { path: 'src/native/impls/thread.ts', data: text(6, 700) },
    { path: 'src/native/impls/unix_extra.ts', data: text(7, 90) },
    { path: 'p1/p2/p3/a.txt', data: Buffer.from('TEST TEST TEST') },
    { path: 'empty.txt', data: Buffer.alloc(0) },
  ];
  for (let f = 0; f < largeFiles; f++) files.push({ path: `large/${f}`, data: largeFile(f, size) });
  return { files, dirs: ['src/native/impls/io_uring', 'src/native/impls/mio', 'p1/p2/p3/p4/p5/p6'] };
}

/** Every directory of the fixture, `''` for its root, parents included. */
export function allDirs(fixture: Fixture): string[] {
  const dirs = new Set<string>(['']);
  const add = (dir: string): void => {
    const parts = dir.split('/');
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  };
  for (const dir of fixture.dirs) add(dir);
  for (const file of fixture.files) {
    const slash = file.path.lastIndexOf('/');
    if (slash > 0) add(file.path.slice(0, slash));
  }
  return [...dirs].sort();
}

/** The names directly inside `dir` (`''` for the root), sorted. */
export function listing(fixture: Fixture, dir: string): string[] {
  const prefix = dir === '' ? '' : dir + '/';
  const names = new Set<string>();
  for (const path of [...fixture.files.map((f) => f.path), ...allDirs(fixture)]) {
    if (path === dir || !path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    if (rest !== '') names.add(rest.split('/')[0]!);
  }
  return [...names].sort();
}
