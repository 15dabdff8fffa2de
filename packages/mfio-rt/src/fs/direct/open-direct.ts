import { MfioError, Packet } from '@mfio/core';
import { systemErrorBecause } from '../../errors.js';
import { loadAddon } from '../../native/addon.js';
import type { FsDriver, RawFile } from '../driver.js';
import type { OpenFlags } from '../open-options.js';
import { bouncePool } from './bounce-pool.js';
import { DirectFile } from './direct-file.js';
import type { DirectAlignment } from './direct-types.js';

/** Fits every device: the largest logical block size in use, and a page. */
const DEFAULT_ALIGNMENT = 4096;
/** The smallest logical block size there is. */
const SECTOR = 512;

/** The filesystem said no to O_DIRECT, at open or at the first read. */
class Refused extends Error {}

function refusal(path: string, why: string, prefer: boolean): MfioError {
  const hint = prefer ? '' : " (direct: 'prefer' falls back to buffered I/O)";
  return systemErrorBecause('EINVAL', `${why}${hint}`, { syscall: 'open', path });
}

function pageOffsetOrNull(): ((bytes: Uint8Array) => number) | null {
  try {
    return loadAddon().pageOffset ?? null;
  } catch {
    return null;
  }
}

/**
 * Open through `open` with direct I/O as `flags.direct` asks: `false` opens as usual; `true`
 * opens with O_DIRECT, finds the alignment and wraps the file in a {@link DirectFile}, or fails
 * with EINVAL saying why; `'prefer'` does the same but opens buffered where direct I/O is
 * refused. Never a buffered file presented as direct.
 */
export async function openWithDirect(driver: FsDriver, open: (flags: OpenFlags) => Promise<RawFile>, flags: OpenFlags, path: string): Promise<RawFile> {
  if (flags.direct === false) return open(flags);
  const prefer = flags.direct === 'prefer';
  const buffered: OpenFlags = { ...flags, direct: false };
  // After an O_DIRECT open the kernel refused, the retry must not fail on the file that open
  // created (the kernel creates, then refuses the flag): it was created by this call.
  const afterRefusal: OpenFlags = flags.createNew ? { ...buffered, createNew: false, create: true } : buffered;
  const pageOffset = pageOffsetOrNull();
  if (driver.directIo !== true || pageOffset === null) {
    if (prefer) return open(buffered);
    const why = pageOffset === null ? 'direct I/O needs the native addon, which did not load' : `the '${driver.backend.name}' backend has no direct I/O`;
    throw refusal(path, why, false);
  }
  let raw: RawFile;
  try {
    // Read access too: an unaligned write reads the blocks it patches (the handle itself stays
    // write-only: DriverFile checks the direction the caller opened it for).
    raw = await open({ ...flags, read: true, direct: true });
  } catch (error) {
    if (!(error instanceof MfioError) || error.code !== 'EINVAL') throw error;
    if (prefer) return open(afterRefusal);
    throw refusal(path, 'the filesystem refuses direct I/O (O_DIRECT) for this file', false);
  }
  try {
    const alignment = await alignmentOf(raw);
    const { len } = await raw.metadata();
    return new DirectFile(raw, path, alignment, len, pageOffset);
  } catch (error) {
    await raw.close().catch(() => undefined);
    if (!(error instanceof Refused)) throw error;
    if (prefer) return open(afterRefusal);
    throw refusal(path, error.message, false);
  }
}

/** What the kernel reports, else what a probe read finds, else the default. */
async function alignmentOf(raw: RawFile): Promise<DirectAlignment> {
  const reported = raw.directAlignment === undefined ? null : await raw.directAlignment();
  if (reported === 'unsupported') throw new Refused('the filesystem reports no direct I/O for this file (statx STATX_DIOALIGN)');
  if (reported !== null) {
    if (reported.memory > DEFAULT_ALIGNMENT || DEFAULT_ALIGNMENT % reported.memory !== 0) {
      throw new Refused(`the file needs memory aligned to ${reported.memory} bytes, past the page alignment this library provides`);
    }
    return { ...reported, source: 'statx' };
  }
  if ((await raw.metadata()).len === 0) return { memory: DEFAULT_ALIGNMENT, offset: DEFAULT_ALIGNMENT, source: 'default' };
  const scratch = bouncePool.take(2 * DEFAULT_ALIGNMENT);
  try {
    // A whole page at 0 from page-aligned memory: refused only if direct reads are refused.
    if (await refusedAt(raw, scratch.subarray(0, DEFAULT_ALIGNMENT))) throw new Refused('the filesystem refuses direct reads (O_DIRECT) of this file');
    const sectorWorks = !(await refusedAt(raw, scratch.subarray(SECTOR, 2 * SECTOR)));
    const size = sectorWorks ? SECTOR : DEFAULT_ALIGNMENT;
    return { memory: size, offset: size, source: 'probe' };
  } finally {
    bouncePool.give(scratch);
  }
}

/** Read `into.length` bytes at 0: true if refused with EINVAL; other errors are thrown. */
async function refusedAt(raw: RawFile, into: Uint8Array): Promise<boolean> {
  const packet = new Packet(into, 'read');
  raw.sendIo(0, packet.view());
  const { error } = await packet.whenSettled();
  if (error === null) return false;
  if (error.code === 'EINVAL') return true;
  throw error;
}
