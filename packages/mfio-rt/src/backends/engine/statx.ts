import type { FileType, Metadata } from '../../fs/types.js';
import type { StatxBuffer } from './command-builder.js';
import { STATX_BUFFER_SIZE } from './commands.js';

/** STATX_BASIC_STATS | STATX_BTIME. */
export const STATX_MASK = 0x7ff | 0x800;
const STATX_BTIME = 0x800;
/** The alignment direct I/O needs (Linux 6.1+). */
export const STATX_DIOALIGN = 0x2000;

/** Offsets in struct statx (linux/stat.h). */
const MASK = 0;
const MODE = 28;
const SIZE = 40;
const ATIME = 64;
const BTIME = 80;
const MTIME = 112;
const DIO_MEM_ALIGN = 0x98;
const DIO_OFFSET_ALIGN = 0x9c;

function time(view: DataView, offset: number): Date {
  const seconds = Number(view.getBigInt64(offset, true));
  const nanoseconds = view.getUint32(offset + 8, true);
  return new Date(seconds * 1000 + nanoseconds / 1e6);
}

function typeOf(mode: number): FileType {
  switch (mode & 0o170000) {
    case 0o100000:
      return 'file';
    case 0o040000:
      return 'dir';
    case 0o120000:
      return 'symlink';
    default:
      return 'unknown';
  }
}

/** A filled struct statx as {@link Metadata}; birth time only where the filesystem keeps it. */
export function parseStatx(buffer: StatxBuffer): Metadata {
  const view = new DataView(buffer.buffer, buffer.byteOffset, STATX_BUFFER_SIZE);
  const mode = view.getUint16(MODE, true);
  const permissions = mode & 0o7777;
  const hasBirth = (view.getUint32(MASK, true) & STATX_BTIME) !== 0 && view.getBigInt64(BTIME, true) !== 0n;
  return {
    len: Number(view.getBigUint64(SIZE, true)),
    modified: time(view, MTIME),
    accessed: time(view, ATIME),
    created: hasBirth ? time(view, BTIME) : null,
    permissions: { mode: permissions, readOnly: (permissions & 0o222) === 0 },
    type: typeOf(mode),
  };
}

/**
 * The STATX_DIOALIGN fields: the alignment direct I/O on the file needs, `'unsupported'` where
 * the filesystem reports it takes none (offset alignment 0), null where the kernel or the
 * filesystem does not report it.
 */
export function parseDioAlign(buffer: StatxBuffer): { memory: number; offset: number } | 'unsupported' | null {
  const view = new DataView(buffer.buffer, buffer.byteOffset, STATX_BUFFER_SIZE);
  if ((view.getUint32(MASK, true) & STATX_DIOALIGN) === 0) return null;
  const offset = view.getUint32(DIO_OFFSET_ALIGN, true);
  return offset === 0 ? 'unsupported' : { memory: view.getUint32(DIO_MEM_ALIGN, true), offset };
}
