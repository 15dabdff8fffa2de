import { MfioError } from '@mfio/core';
import { FrameType as T, HEADER_BYTES, MAGIC, MAX_PATH_BYTES } from './constants.js';
import { wireErrorOf } from './error-codes.js';
import type { Message, WireFileType, WireMetadata } from './messages.js';

/** Wire numbers of file types. */
export const FILE_TYPE_NUMBERS: Readonly<Record<WireFileType, number>> = { unknown: 0, file: 1, dir: 2, symlink: 3 };

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The UTF-8 bytes of a path field's string.
 * @throws {MfioError} EINVAL for a lone surrogate (UTF-8 cannot carry it: it would become
 * U+FFFD and name another file); ENAMETOOLONG beyond the protocol's 4096 bytes.
 */
export function pathBytes(path: string): Buffer {
  if (LONE_SURROGATE.test(path)) throw MfioError.fromCode('EINVAL', { syscall: 'netfs', path });
  const bytes = Buffer.from(path, 'utf8');
  if (bytes.length === 0 || bytes.length > MAX_PATH_BYTES) throw MfioError.fromCode('ENAMETOOLONG', { syscall: 'netfs', path });
  return bytes;
}

/** A fixed-size little-endian writer; the size is computed before writing, so nothing grows. */
class Out {
  readonly buf: Buffer;
  pos = HEADER_BYTES;

  constructor(type: number, id: number, payload: number) {
    this.buf = Buffer.allocUnsafe(HEADER_BYTES + payload);
    this.buf.writeUInt32LE(HEADER_BYTES - 4 + payload, 0);
    this.buf.writeUInt8(type, 4);
    this.buf.writeUInt32LE(id, 5);
  }

  u8(v: number): this {
    this.pos = this.buf.writeUInt8(v, this.pos);
    return this;
  }

  u16(v: number): this {
    this.pos = this.buf.writeUInt16LE(v, this.pos);
    return this;
  }

  u32(v: number): this {
    this.pos = this.buf.writeUInt32LE(v, this.pos);
    return this;
  }

  u64(v: number): this {
    this.pos = this.buf.writeBigUInt64LE(BigInt(v), this.pos);
    return this;
  }

  f64(v: number): this {
    this.pos = this.buf.writeDoubleLE(v, this.pos);
    return this;
  }

  bytes(b: Uint8Array): this {
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** A path field: u16 length, then the bytes. */
  path(b: Buffer): this {
    return this.u16(b.length).bytes(b);
  }

  done(): Buffer {
    if (this.pos !== this.buf.length) throw new Error(`netfs encoder: wrote ${this.pos} of ${this.buf.length} bytes`);
    return this.buf;
  }
}

/** The 9-byte header of a frame whose payload of `payload` bytes is sent separately (zero copy). */
export function encodeHeader(type: number, id: number, payload: number): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_BYTES);
  buf.writeUInt32LE(HEADER_BYTES - 4 + payload, 0);
  buf.writeUInt8(type, 4);
  buf.writeUInt32LE(id, 5);
  return buf;
}

function metadataPayload(out: Out, m: WireMetadata): Out {
  const present = (m.modified === null ? 0 : 1) | (m.accessed === null ? 0 : 2) | (m.created === null ? 0 : 4);
  return out
    .u64(m.len)
    .u32(m.mode)
    .u8(FILE_TYPE_NUMBERS[m.type])
    .u8(present)
    .f64(m.modified ?? 0)
    .f64(m.accessed ?? 0)
    .f64(m.created ?? 0);
}

/**
 * Encode one frame (docs/netfs-protocol.md has the layouts). Values are trusted to be in
 * range (the sender made them); only paths are checked, as they come from users.
 * @throws {MfioError} EINVAL / ENAMETOOLONG for a path the protocol cannot carry.
 */
export function encodeMessage(m: Message): Buffer {
  switch (m.type) {
    case T.HELLO:
      return new Out(m.type, m.id, 42).bytes(MAGIC).u16(m.version).u32(m.features).bytes(m.nonce).done();
    case T.AUTH:
    case T.WELCOME:
      return new Out(m.type, m.id, m.proof.length).bytes(m.proof).done();
    case T.OPEN_FILE: {
      const p = pathBytes(m.path);
      return new Out(m.type, m.id, 3 + p.length).u8(m.flags).path(p).done();
    }
    case T.CLOSE_FILE:
    case T.FILE_METADATA:
    case T.SYNC:
    case T.CLOSE_DIR:
    case T.HANDLE:
      return new Out(m.type, m.id, 4).u32(m.handle).done();
    case T.READ:
      return new Out(m.type, m.id, 16).u32(m.handle).u64(m.position).u32(m.length).done();
    case T.WRITE:
      return new Out(m.type, m.id, 12 + m.data.length).u32(m.handle).u64(m.position).bytes(m.data).done();
    case T.SET_LEN:
      return new Out(m.type, m.id, 12).u32(m.handle).u64(m.length).done();
    case T.READ_DIR:
      return new Out(m.type, m.id, 6).u32(m.handle).u16(m.max).done();
    case T.OPEN_DIR:
    case T.METADATA:
    case T.REMOVE_DIR:
    case T.REMOVE_DIR_ALL:
    case T.REMOVE_FILE: {
      const p = pathBytes(m.path);
      return new Out(m.type, m.id, 2 + p.length).path(p).done();
    }
    case T.CREATE_DIR: {
      const p = pathBytes(m.path);
      return new Out(m.type, m.id, 3 + p.length)
        .u8(m.recursive ? 1 : 0)
        .path(p)
        .done();
    }
    case T.RENAME:
    case T.COPY:
    case T.HARD_LINK: {
      const a = pathBytes(m.from);
      const b = pathBytes(m.to);
      return new Out(m.type, m.id, 4 + a.length + b.length).path(a).path(b).done();
    }
    case T.SET_PERMISSIONS: {
      const p = pathBytes(m.path);
      return new Out(m.type, m.id, 4 + p.length).u16(m.mode).path(p).done();
    }
    case T.CHALLENGE:
      return new Out(m.type, m.id, 58)
        .bytes(MAGIC)
        .u16(m.version)
        .u32(m.features)
        .bytes(m.nonce)
        .u32(m.maxFrame)
        .u32(m.maxRead)
        .u32(m.maxInFlight)
        .u32(m.maxHandles)
        .done();
    case T.OK:
    case T.CANCEL:
      return new Out(m.type, m.id, 0).done();
    case T.READ_DATA:
    case T.READ_DATA_LAST:
      return new Out(m.type, m.id, 4 + m.data.length).u32(m.offset).bytes(m.data).done();
    case T.READ_DONE:
      return new Out(m.type, m.id, 4).u32(m.transferred).done();
    case T.WRITTEN:
      return new Out(m.type, m.id, 4).u32(m.count).done();
    case T.METADATA_RESULT:
      return metadataPayload(new Out(m.type, m.id, 38), m.metadata).done();
    case T.ENTRIES: {
      const names = m.entries.map((e) => pathBytes(e.name));
      const size = 3 + names.reduce((sum, n) => sum + 3 + n.length, 0);
      const out = new Out(m.type, m.id, size).u8(m.done ? 1 : 0).u16(m.entries.length);
      m.entries.forEach((e, i) => out.u8(FILE_TYPE_NUMBERS[e.type]).path(names[i]!));
      return out.done();
    }
    case T.ERROR:
      return new Out(m.type, m.id, 2).u16(wireErrorOf(m.code)).done();
    case T.FATAL: {
      // Cut at a character boundary so the message stays valid UTF-8 within its cap.
      let text = Buffer.from(m.message, 'utf8');
      if (text.length > 1024)
        text = Buffer.from(
          text
            .subarray(0, 1024)
            .toString('utf8')
            .replace(/\uFFFD$/, ''),
          'utf8',
        );
      return new Out(m.type, m.id, 4 + text.length).u16(wireErrorOf(m.code)).u16(text.length).bytes(text).done();
    }
  }
}

/** Size of an ENTRIES frame holding `names` (byte lengths), to fill pages up to the frame cap. */
export function entriesFrameSize(nameBytes: readonly number[]): number {
  return HEADER_BYTES + 3 + nameBytes.reduce((sum, n) => sum + 3 + n, 0);
}
