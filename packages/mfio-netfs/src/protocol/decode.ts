import { FrameType as T, MAGIC, MAX_DIR_PAGE, MAX_FATAL_MESSAGE, MAX_PATH_BYTES, MAX_POSITION, NONCE_BYTES, PROOF_BYTES } from './constants.js';
import { codeOfWireError, type WireErrorCode } from './error-codes.js';
import type { RawFrame } from './frame-reader.js';
import type { Request, Response, WireDirEntry, WireFileType, WireMetadata } from './messages.js';
import { protocolError } from './protocol-error.js';

const FILE_TYPES: readonly WireFileType[] = ['unknown', 'file', 'dir', 'symlink'];
/** `fatal: true` rejects invalid UTF-8, overlong forms and encoded surrogates alike. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** Date's range: ±8.64e15 ms around the epoch. */
const MAX_TIME = 8.64e15;

/** A bounds-checked little-endian reader over one payload; every failure is a protocol error. */
class In {
  readonly #buf: Buffer;
  #pos = 0;
  readonly #type: number;

  constructor(payload: Buffer, type: number) {
    this.#buf = payload;
    this.#type = type;
  }

  /** The frame's type by name, for error messages only (named when needed, not per frame). */
  get #what(): string {
    return name(this.#type);
  }

  #take(n: number): number {
    const at = this.#pos;
    if (at + n > this.#buf.length) throw protocolError(`${this.#what}: payload ends early`);
    this.#pos += n;
    return at;
  }

  u8(): number {
    return this.#buf.readUInt8(this.#take(1));
  }

  u16(): number {
    return this.#buf.readUInt16LE(this.#take(2));
  }

  u32(): number {
    return this.#buf.readUInt32LE(this.#take(4));
  }

  /** A u64 that must be an exact JavaScript integer. */
  u64(field: string): number {
    const v = this.#buf.readBigUInt64LE(this.#take(8));
    if (v > BigInt(MAX_POSITION)) throw protocolError(`${this.#what}: ${field} ${v} exceeds 2^53 - 1`);
    return Number(v);
  }

  f64(): number {
    return this.#buf.readDoubleLE(this.#take(8));
  }

  bytes(n: number): Buffer {
    const at = this.#take(n);
    return this.#buf.subarray(at, at + n);
  }

  rest(): Buffer {
    return this.bytes(this.#buf.length - this.#pos);
  }

  /** A path field: 1..4096 bytes of strict UTF-8 without NUL. */
  path(field = 'path'): string {
    const n = this.u16();
    if (n < 1 || n > MAX_PATH_BYTES) throw protocolError(`${this.#what}: ${field} length ${n} outside 1..${MAX_PATH_BYTES}`);
    return this.text(n, field);
  }

  text(n: number, field: string): string {
    const bytes = this.bytes(n);
    let s: string;
    try {
      s = utf8.decode(bytes);
    } catch {
      throw protocolError(`${this.#what}: ${field} is not valid UTF-8`);
    }
    if (s.includes('\0')) throw protocolError(`${this.#what}: ${field} contains a NUL byte`);
    return s;
  }

  handle(): number {
    const h = this.u32();
    if (h === 0) throw protocolError(`${this.#what}: handle 0`);
    return h;
  }

  magic(): void {
    if (!this.bytes(4).equals(MAGIC)) throw protocolError(`${this.#what}: bad magic (not an mfio netfs peer)`);
  }

  /** The payload must be used up exactly: trailing bytes are malformed. */
  end(): void {
    if (this.#pos !== this.#buf.length) throw protocolError(`${this.#what}: ${this.#buf.length - this.#pos} trailing bytes`);
  }
}

const NAMES = new Map<number, string>(Object.entries(T).map(([key, value]) => [value, key]));

function name(type: number): string {
  return NAMES.get(type) ?? `type 0x${type.toString(16).padStart(2, '0')}`;
}

/** Options that bound what a request may ask for. */
export interface RequestBounds {
  /** Largest READ length (the server's maxRead). */
  readonly maxRead: number;
}

/**
 * Decode and validate a frame a client sent.
 * @throws {MfioError} EPROTO for anything malformed: unknown type, a response type, a field out
 * of range, a bad path, a wrong payload length.
 */
export function decodeRequest(frame: RawFrame, bounds: RequestBounds): Request {
  const { type, id } = frame;
  const r = new In(frame.payload, type);
  let m: Request;
  switch (type) {
    case T.HELLO: {
      r.magic();
      m = { type, id, version: r.u16(), features: r.u32(), nonce: r.bytes(NONCE_BYTES) };
      break;
    }
    case T.AUTH:
      m = { type, id, proof: r.bytes(PROOF_BYTES) };
      break;
    case T.OPEN_FILE: {
      const flags = r.u8();
      if ((flags & ~0x3f) !== 0) throw protocolError(`OPEN_FILE: reserved flag bits 0x${flags.toString(16)}`);
      m = { type, id, flags, path: r.path() };
      break;
    }
    case T.CANCEL:
      m = { type, id };
      break;
    case T.CLOSE_FILE:
    case T.FILE_METADATA:
    case T.SYNC:
    case T.CLOSE_DIR:
      m = { type, id, handle: r.handle() };
      break;
    case T.READ: {
      const handle = r.handle();
      const position = r.u64('position');
      const length = r.u32();
      if (length < 1 || length > bounds.maxRead) throw protocolError(`READ: length ${length} outside 1..${bounds.maxRead}`);
      if (position + length > MAX_POSITION) throw protocolError('READ: position + length exceeds 2^53 - 1');
      m = { type, id, handle, position, length };
      break;
    }
    case T.WRITE: {
      const handle = r.handle();
      const position = r.u64('position');
      const data = r.rest();
      if (data.length === 0) throw protocolError('WRITE: no data');
      if (position + data.length > MAX_POSITION) throw protocolError('WRITE: position + length exceeds 2^53 - 1');
      m = { type, id, handle, position, data };
      break;
    }
    case T.SET_LEN:
      m = { type, id, handle: r.handle(), length: r.u64('length') };
      break;
    case T.READ_DIR: {
      const handle = r.handle();
      const max = r.u16();
      if (max < 1 || max > MAX_DIR_PAGE) throw protocolError(`READ_DIR: max ${max} outside 1..${MAX_DIR_PAGE}`);
      m = { type, id, handle, max };
      break;
    }
    case T.OPEN_DIR:
    case T.METADATA:
    case T.REMOVE_DIR:
    case T.REMOVE_DIR_ALL:
    case T.REMOVE_FILE:
      m = { type, id, path: r.path() };
      break;
    case T.CREATE_DIR: {
      const recursive = r.u8();
      if (recursive > 1) throw protocolError(`CREATE_DIR: recursive ${recursive} is not 0 or 1`);
      m = { type, id, recursive: recursive === 1, path: r.path() };
      break;
    }
    case T.RENAME:
    case T.COPY:
    case T.HARD_LINK:
      m = { type, id, from: r.path('from'), to: r.path('to') };
      break;
    case T.SET_PERMISSIONS: {
      const mode = r.u16();
      if (mode > 0o7777) throw protocolError(`SET_PERMISSIONS: mode 0o${mode.toString(8)} beyond 0o7777`);
      m = { type, id, mode, path: r.path() };
      break;
    }
    default:
      throw protocolError(`${name(type)} is not a request`);
  }
  r.end();
  // Handshake frames carry id 0, and only they (docs/netfs-protocol.md, "Frames").
  const handshake = type === T.HELLO || type === T.AUTH;
  if (handshake && id !== 0) throw protocolError(`${name(type)}: id ${id}, a handshake frame's id must be 0`);
  if (!handshake && id === 0) throw protocolError(`${name(type)}: request id 0`);
  return m;
}

function wireCode(r: In, what: string): WireErrorCode {
  const wire = r.u16();
  const code = codeOfWireError(wire);
  if (code === undefined) throw protocolError(`${what}: unknown error code ${wire}`);
  return code;
}

function fileType(r: In, what: string): WireFileType {
  const n = r.u8();
  const type = FILE_TYPES[n];
  if (type === undefined) throw protocolError(`${what}: unknown file type ${n}`);
  return type;
}

function time(r: In, present: boolean): number | null {
  const v = r.f64();
  if (!Number.isFinite(v) || Math.abs(v) > MAX_TIME) throw protocolError(`METADATA: time ${v} outside Date's range`);
  return present ? v : null;
}

function metadata(r: In): WireMetadata {
  const len = r.u64('len');
  const mode = r.u32();
  if (mode > 0o7777) throw protocolError(`METADATA: mode 0o${mode.toString(8)} beyond 0o7777`);
  const type = fileType(r, 'METADATA');
  const present = r.u8();
  if (present > 7) throw protocolError(`METADATA: reserved time bits 0x${present.toString(16)}`);
  return { len, mode, type, modified: time(r, (present & 1) !== 0), accessed: time(r, (present & 2) !== 0), created: time(r, (present & 4) !== 0) };
}

function entries(r: In): WireDirEntry[] {
  const count = r.u16();
  if (count > MAX_DIR_PAGE) throw protocolError(`ENTRIES: ${count} entries, more than ${MAX_DIR_PAGE}`);
  const out: WireDirEntry[] = [];
  for (let i = 0; i < count; i++) {
    const type = fileType(r, 'ENTRIES');
    const entry = r.path('name');
    // A name is one component: anything else could smuggle a path into a caller's join.
    if (entry === '.' || entry === '..' || entry.includes('/')) throw protocolError(`ENTRIES: '${entry}' is not a file name`);
    out.push({ name: entry, type });
  }
  return out;
}

/**
 * Decode and validate a frame a server sent.
 * @throws {MfioError} EPROTO for anything malformed.
 */
export function decodeResponse(frame: RawFrame): Response {
  const { type, id } = frame;
  const r = new In(frame.payload, type);
  let m: Response;
  switch (type) {
    case T.CHALLENGE:
      r.magic();
      m = {
        type,
        id,
        version: r.u16(),
        features: r.u32(),
        nonce: r.bytes(NONCE_BYTES),
        maxFrame: r.u32(),
        maxRead: r.u32(),
        maxInFlight: r.u32(),
        maxHandles: r.u32(),
      };
      break;
    case T.WELCOME:
      m = { type, id, proof: r.bytes(PROOF_BYTES) };
      break;
    case T.OK:
      m = { type, id };
      break;
    case T.HANDLE:
      m = { type, id, handle: r.handle() };
      break;
    case T.READ_DATA:
    case T.READ_DATA_LAST: {
      const offset = r.u32();
      const data = r.rest();
      if (data.length === 0) throw protocolError(`${type === T.READ_DATA ? 'READ_DATA' : 'READ_DATA_LAST'}: no data`);
      m = { type, id, offset, data };
      break;
    }
    case T.READ_DONE:
      m = { type, id, transferred: r.u32() };
      break;
    case T.WRITTEN:
      m = { type, id, count: r.u32() };
      break;
    case T.METADATA_RESULT:
      m = { type, id, metadata: metadata(r) };
      break;
    case T.ENTRIES: {
      const done = r.u8();
      if (done > 1) throw protocolError(`ENTRIES: done ${done} is not 0 or 1`);
      m = { type, id, done: done === 1, entries: entries(r) };
      break;
    }
    case T.ERROR:
      m = { type, id, code: wireCode(r, 'ERROR') };
      break;
    case T.FATAL: {
      const code = wireCode(r, 'FATAL');
      const n = r.u16();
      if (n > MAX_FATAL_MESSAGE) throw protocolError(`FATAL: message of ${n} bytes`);
      m = { type, id, code, message: n === 0 ? '' : r.text(n, 'message') };
      break;
    }
    default:
      throw protocolError(`${name(type)} is not a response`);
  }
  r.end();
  return m;
}
