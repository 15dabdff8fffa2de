import type { FrameType as T } from './constants.js';
import type { WireErrorCode } from './error-codes.js';

/** What a path names, as on the wire: 0 unknown, 1 file, 2 dir, 3 symlink. */
export type WireFileType = 'unknown' | 'file' | 'dir' | 'symlink';

/** METADATA's payload, decoded. Times are milliseconds since the epoch, null when absent. */
export interface WireMetadata {
  readonly len: number;
  readonly mode: number;
  readonly type: WireFileType;
  readonly modified: number | null;
  readonly accessed: number | null;
  readonly created: number | null;
}

/** One entry of an ENTRIES page. */
export interface WireDirEntry {
  readonly name: string;
  readonly type: WireFileType;
}

type Msg<K extends number, F = object> = { readonly type: K; readonly id: number } & F;
type Handle = { readonly handle: number };
type Path = { readonly path: string };
type TwoPaths = { readonly from: string; readonly to: string };

/** A frame a client sends, decoded and validated. */
export type Request =
  | Msg<typeof T.HELLO, { readonly version: number; readonly features: number; readonly nonce: Uint8Array }>
  | Msg<typeof T.AUTH, { readonly proof: Uint8Array }>
  | Msg<typeof T.OPEN_FILE, Path & { readonly flags: number }>
  | Msg<typeof T.CLOSE_FILE | typeof T.FILE_METADATA | typeof T.SYNC | typeof T.CLOSE_DIR, Handle>
  | Msg<typeof T.READ, Handle & { readonly position: number; readonly length: number }>
  | Msg<typeof T.WRITE, Handle & { readonly position: number; readonly data: Uint8Array }>
  | Msg<typeof T.SET_LEN, Handle & { readonly length: number }>
  | Msg<typeof T.READ_DIR, Handle & { readonly max: number }>
  | Msg<typeof T.OPEN_DIR | typeof T.METADATA | typeof T.REMOVE_DIR | typeof T.REMOVE_DIR_ALL | typeof T.REMOVE_FILE, Path>
  | Msg<typeof T.CREATE_DIR, Path & { readonly recursive: boolean }>
  | Msg<typeof T.RENAME | typeof T.COPY | typeof T.HARD_LINK, TwoPaths>
  | Msg<typeof T.SET_PERMISSIONS, Path & { readonly mode: number }>
  /** Not a request of its own: asks the server to stop request `id` early (no answer). */
  | Msg<typeof T.CANCEL>;

/** A frame a server sends, decoded and validated. */
export type Response =
  | Msg<
      typeof T.CHALLENGE,
      {
        readonly version: number;
        readonly features: number;
        readonly nonce: Uint8Array;
        readonly maxFrame: number;
        readonly maxRead: number;
        readonly maxInFlight: number;
        readonly maxHandles: number;
      }
    >
  | Msg<typeof T.WELCOME, { readonly proof: Uint8Array }>
  | Msg<typeof T.OK>
  | Msg<typeof T.HANDLE, Handle>
  | Msg<typeof T.READ_DATA, { readonly offset: number; readonly data: Uint8Array }>
  | Msg<typeof T.READ_DONE, { readonly transferred: number }>
  | Msg<typeof T.READ_DATA_LAST, { readonly offset: number; readonly data: Uint8Array }>
  | Msg<typeof T.WRITTEN, { readonly count: number }>
  | Msg<typeof T.METADATA_RESULT, { readonly metadata: WireMetadata }>
  | Msg<typeof T.ENTRIES, { readonly done: boolean; readonly entries: readonly WireDirEntry[] }>
  | Msg<typeof T.ERROR, { readonly code: WireErrorCode }>
  | Msg<typeof T.FATAL, { readonly code: WireErrorCode; readonly message: string }>;

/** Any frame. */
export type Message = Request | Response;
