/** The numbers of the netfs wire protocol, version 1 (docs/netfs-protocol.md). */

/** "MFNF": the first four payload bytes of HELLO and CHALLENGE. */
export const MAGIC = Buffer.from('MFNF', 'latin1');
/** The one protocol version this code speaks. */
export const VERSION = 1;
/** Bytes before a frame's payload: length u32, type u8, request id u32. */
export const HEADER_BYTES = 9;
/** Length of the handshake nonces and HMAC-SHA256 proofs. */
export const NONCE_BYTES = 32;
export const PROOF_BYTES = 32;
/** The largest byte length of a path field. */
export const MAX_PATH_BYTES = 4096;
/** The most entries one READ_DIR may ask for. */
export const MAX_DIR_PAGE = 1024;
/** The longest FATAL message, in bytes. */
export const MAX_FATAL_MESSAGE = 1024;
/** Positions and lengths on the wire are u64 but must stay exact in a JavaScript number. */
export const MAX_POSITION = Number.MAX_SAFE_INTEGER;
/** The smallest `maxFrame` a peer may announce: a RENAME of two longest paths must fit. */
export const MIN_FRAME = 16 * 1024;
/** Bytes of a WRITE frame before its data: header, handle u32, position u64. */
export const WRITE_OVERHEAD = HEADER_BYTES + 12;
/** Bytes of a READ_DATA frame before its data: header, offset u32. */
export const READ_DATA_OVERHEAD = HEADER_BYTES + 4;

/** Feature bits of HELLO/CHALLENGE. */
export const Feature = {
  /** The server refuses every change with EROFS. */
  READ_ONLY: 1,
  /** The channel is TLS. */
  TLS: 2,
  /** The server takes CANCEL frames (a client sends none to a server without this bit). */
  CANCEL: 4,
  /**
   * READ_DATA_LAST: in HELLO, the client understands it; in CHALLENGE, the server sends it to a
   * client that said so. A read of one fragment is then one frame instead of two.
   */
  READ_DATA_LAST: 8,
} as const;

/** Frame types: requests below 0x80 (client to server), responses from 0x80 (server to client). */
export const FrameType = {
  HELLO: 0x01,
  AUTH: 0x02,
  OPEN_FILE: 0x10,
  CLOSE_FILE: 0x11,
  READ: 0x12,
  WRITE: 0x13,
  FILE_METADATA: 0x14,
  SET_LEN: 0x15,
  SYNC: 0x16,
  OPEN_DIR: 0x20,
  READ_DIR: 0x21,
  CLOSE_DIR: 0x22,
  METADATA: 0x30,
  CREATE_DIR: 0x31,
  REMOVE_DIR: 0x32,
  REMOVE_DIR_ALL: 0x33,
  REMOVE_FILE: 0x34,
  RENAME: 0x35,
  COPY: 0x36,
  HARD_LINK: 0x37,
  SET_PERMISSIONS: 0x38,
  CANCEL: 0x3f,
  CHALLENGE: 0x81,
  WELCOME: 0x82,
  OK: 0x90,
  HANDLE: 0x91,
  READ_DATA: 0x92,
  READ_DONE: 0x93,
  READ_DATA_LAST: 0x97,
  WRITTEN: 0x94,
  METADATA_RESULT: 0x95,
  ENTRIES: 0x96,
  ERROR: 0xe0,
  FATAL: 0xef,
} as const;

/** OPEN_FILE flag bits, in the order of `OpenFlags`. */
export const OpenFlagBit = { read: 1, write: 2, append: 4, create: 8, createNew: 16, truncate: 32 } as const;

/** Limits a server enforces per connection and announces in CHALLENGE. */
export interface Limits {
  /** Largest frame, all bytes counted. */
  readonly maxFrame: number;
  /** Largest READ length. */
  readonly maxRead: number;
  /** Requests worked on at once; over it the server stops reading the socket. */
  readonly maxInFlight: number;
  /** Open file and directory handles per connection. */
  readonly maxHandles: number;
}

/** The defaults of docs/netfs-protocol.md. */
export const DEFAULT_LIMITS: Limits = {
  maxFrame: 1024 * 1024 + 64,
  maxRead: 8 * 1024 * 1024,
  maxInFlight: 128,
  maxHandles: 1024,
};
