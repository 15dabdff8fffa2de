/**
 * The command buffer layout shared with src/native/common/commands.h: STRIDE doubles per
 * request, filled by JS during a tick and consumed by one native submit() call.
 */
export const Op = {
  Nop: 0,
  Read: 1,
  Write: 2,
  OpenAt: 3,
  Close: 4,
  Fsync: 5,
  Statx: 6,
  Cancel: 7,
  MkdirAt: 8,
  UnlinkAt: 9,
  RenameAt: 10,
  LinkAt: 11,
  Connect: 12,
  Accept: 13,
  Recv: 14,
  Send: 15,
  Shutdown: 16,
  OpenAt2: 17,
  /** IOCP only (Windows handles are not CRT fds, so node:fs cannot ftruncate them). */
  SetLen: 18,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

export const STRIDE = 8;
export const F_OP = 0;
export const F_USER_DATA = 1;
export const F_FD = 2;
export const F_BUF = 3;
export const F_BUF_OFFSET = 4;
export const F_LEN = 5;
export const F_ARG = 6;
export const F_FLAGS = 7;

/** `AT_FDCWD`: paths are absolute, so the directory fd does not matter, but it must be valid. */
export const AT_FDCWD = -100;
export const AT_REMOVEDIR = 0x200;
export const AT_EMPTY_PATH = 0x1000;
export const IORING_FSYNC_DATASYNC = 1;
export const IOSQE_ASYNC = 1 << 4;
export const IORING_ASYNC_CANCEL_ANY = 1 << 2;
/** openat2's `resolve` flags (linux/openat2.h). */
export const RESOLVE_NO_MAGICLINKS = 0x02;
export const RESOLVE_BENEATH = 0x08;
/** open(2)'s O_PATH and O_DIRECTORY (Linux, every architecture we build for). */
export const O_PATH = 0o10000000;
