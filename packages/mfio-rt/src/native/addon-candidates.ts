import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from './addon-location.js';

/** Where an addon binary comes from, in the order the loader tries them. */
export type AddonSource = 'MFIO_ADDON' | 'local build' | 'platform package';

/** One place the loader looks for the addon. */
export interface AddonCandidate {
  readonly source: AddonSource;
  /** The binary's path; for a platform package that is not installed, the package's name. */
  readonly path: string;
  /** Why it cannot be loaded before trying (the package is not installed); undefined if it can be tried. */
  readonly missing?: string;
  /** A platform package's name, and whether one is published for this platform at all. */
  readonly packageName?: string;
  readonly published?: boolean;
}

/** This package's name, version and platform packages (its optionalDependencies). */
export interface OwnPackage {
  readonly name: string;
  readonly version: string;
  readonly platformPackages: readonly string[];
}

const ownRequire = createRequire(join(packageRoot, 'package.json'));

export function ownPackage(): OwnPackage {
  const pkg = ownRequire('./package.json') as { name: string; version: string; optionalDependencies?: Record<string, string> };
  return { name: pkg.name, version: pkg.version, platformPackages: Object.keys(pkg.optionalDependencies ?? {}) };
}

/**
 * The C library this Linux process runs on, as detect-libc decides it: the dynamic loader named
 * in the node executable (`ld-linux-*` or `ld-musl-*`), else what `ldd` is, else 'gnu'. A few
 * file reads, no `process.report` (which gathers a whole report and can throw), and no throw:
 * it runs inside `addonStatus()`. Undefined off Linux.
 */
export function linuxLibc(): 'gnu' | 'musl' | undefined {
  if (process.platform !== 'linux') return undefined;
  return libcOf(interpreterOf(process.execPath)) ?? libcOf(head('/usr/bin/ldd', 8192)) ?? 'gnu';
}

function libcOf(text: string | undefined): 'gnu' | 'musl' | undefined {
  if (text === undefined) return undefined;
  if (text.includes('ld-musl-') || text.includes('musl libc')) return 'musl';
  if (text.includes('ld-linux') || text.includes('GNU C Library') || text.includes('GLIBC')) return 'gnu';
  return undefined;
}

/** The ELF program interpreter's path sits in the first page of the executable (PT_INTERP). */
function interpreterOf(executable: string): string | undefined {
  return head(executable, 4096);
}

function head(path: string, bytes: number): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(bytes);
    return buffer.toString('latin1', 0, readSync(fd, buffer, 0, bytes, 0));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** `@mfio/rt-linux-x64-gnu`, `@mfio/rt-win32-x64`, ...: the platform package this process needs. */
export function platformPackageName(own: OwnPackage = ownPackage()): string {
  const libc = linuxLibc();
  return `${own.name}-${process.platform}-${process.arch}${libc === undefined ? '' : `-${libc}`}`;
}

/**
 * Where the addon may be, in the order tried: `MFIO_ADDON` when set (a sanitizer or debug build;
 * then nothing else is tried), the local build (build/Release, made by `pnpm build` in the
 * repository or by scripts/build-native.mjs in an installed package), then the platform package
 * installed beside this one.
 */
export function addonCandidates(own: OwnPackage = ownPackage()): AddonCandidate[] {
  const explicit = process.env.MFIO_ADDON;
  if (explicit) return [{ source: 'MFIO_ADDON', path: explicit }];
  const name = platformPackageName(own);
  return [{ source: 'local build', path: join(packageRoot, 'build', 'Release', 'mfio_rt.node') }, platformCandidate(name, own)];
}

function platformCandidate(name: string, own: OwnPackage): AddonCandidate {
  const base = { source: 'platform package', packageName: name, published: own.platformPackages.includes(name) } as const;
  if (!base.published) return { ...base, path: name, missing: `no such package is published (there are ${own.platformPackages.join(', ')})` };
  let manifest: string;
  try {
    manifest = ownRequire.resolve(`${name}/package.json`);
  } catch {
    return { ...base, path: name, missing: 'not installed' };
  }
  return { ...base, path: join(manifest, '..', 'mfio_rt.node') };
}
