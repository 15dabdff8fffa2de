// The native command protocol, in one place: every operation JS can ask an executor to run, the
// slots of the command buffer, what each slot means for each operation, and the constants JS
// sends that C++ interprets. `node commands/generate.mjs` writes the two views of it:
//   src/backends/engine/commands.ts   (the engine and its command builders)
//   src/native/common/commands.h      (the decoder and the executors)
// Both are checked in; test/commands.test.ts fails when they are stale, and compares the layout
// the built addon reports against the TypeScript one.
//
// A command is STRIDE float64s. A slot an operation does not list is ignored (0, or -1 for a fd).
// Slot kinds (how command.cc decodes a slot; kinds are the generic part, ops only pick them).
// Each value is range-checked before its cast: out of range, the command fails with the errno
// given, and never reaches the executor.
//   fd:   'fd' a descriptor, 'dirfd' a directory descriptor or AT_FDCWD (EBADF outside int)
//   buf:  'range' bytes at buffers[buf] + bufOffset, `len` long; 'path' a NUL-terminated path in
//         buffers[buf] (bufOffset unused); EFAULT for a range outside its buffer or no NUL
//   len:  'transfer' the range's length, at most MAX_TRANSFER; 'size' the range's length (both
//         EFAULT beyond); 'number' an unsigned 32-bit integer (mode, mask, how, a length; EINVAL
//         beyond); 'dirfd' a second directory descriptor
//   arg:  'position' a file offset and 'number' an integer, both 0..2^53 (EINVAL beyond); 'path'
//         the index of a second buffer holding a NUL-terminated path; 'statx' the index of a
//         256-byte statx output; 'length' a file length, 0..2^53 (EINVAL beyond)
//   flags: an unsigned 32-bit integer, passed as sent; each executor keeps the bits it understands

/** The slots of one command, in order. */
export const SLOTS = ['op', 'userData', 'fd', 'buf', 'bufOffset', 'len', 'arg', 'flags'];

/** Executors, as named in the `executors` list of each op (and their bit in commands.h). */
export const EXECUTORS = ['io_uring', 'threadpool', 'iocp'];

const ALL = EXECUTORS;
const POSIX = ['io_uring', 'threadpool'];

/**
 * Every operation. `id` is its number on the wire (never reuse one); `slots` names and explains
 * each slot it uses, with its kind; `executors` are the executors that run it (the others answer
 * EINVAL).
 */
export const OPS = [
  { name: 'nop', id: 0, doc: 'Does nothing; completes with 0 (a dropped queued command becomes one).', executors: ALL, slots: {} },
  {
    name: 'read',
    id: 1,
    doc: 'pread: fills the range from the file at `position`; completes with the bytes read.',
    executors: ALL,
    slots: {
      fd: { kind: 'fd', name: 'fd' },
      buf: { kind: 'range', name: 'into' },
      len: { kind: 'transfer', name: 'length' },
      arg: { kind: 'position', name: 'position' },
      flags: { kind: 'flags', name: 'sqeFlags', doc: 'IOSQE_ASYNC (io_uring only)' },
    },
  },
  {
    name: 'write',
    id: 2,
    doc: 'pwrite: writes the range to the file at `position`; completes with the bytes written.',
    executors: ALL,
    slots: {
      fd: { kind: 'fd', name: 'fd' },
      buf: { kind: 'range', name: 'from' },
      len: { kind: 'transfer', name: 'length' },
      arg: { kind: 'position', name: 'position' },
      flags: {
        kind: 'flags',
        name: 'sqeFlags',
        doc: 'IOSQE_ASYNC; IOSQE_IO_LINK: the next command (an fsync) starts only once this write succeeded in full (io_uring only; the pair goes in one submission)',
      },
    },
  },
  {
    name: 'openAt',
    id: 3,
    doc: 'openat: completes with the new descriptor.',
    executors: ALL,
    slots: {
      fd: { kind: 'dirfd', name: 'dirFd' },
      buf: { kind: 'path', name: 'path' },
      len: { kind: 'number', name: 'mode' },
      flags: { kind: 'flags', name: 'openFlags', doc: 'open(2) flags (O_CLOEXEC is always added)' },
    },
  },
  { name: 'close', id: 4, doc: 'close: completes with 0.', executors: ALL, slots: { fd: { kind: 'fd', name: 'fd' } } },
  {
    name: 'fsync',
    id: 5,
    doc: 'fsync, or fdatasync with IORING_FSYNC_DATASYNC.',
    executors: ALL,
    slots: { fd: { kind: 'fd', name: 'fd' }, flags: { kind: 'flags', name: 'fsyncFlags', doc: 'IORING_FSYNC_DATASYNC' } },
  },
  {
    name: 'statx',
    id: 6,
    doc: 'statx into a 256-byte struct statx (the Linux layout on every executor).',
    executors: ALL,
    slots: {
      fd: { kind: 'dirfd', name: 'dirFd' },
      buf: { kind: 'path', name: 'path' },
      len: { kind: 'number', name: 'mask' },
      arg: { kind: 'statx', name: 'out' },
      flags: { kind: 'flags', name: 'atFlags', doc: 'AT_EMPTY_PATH (with an empty path: the fd itself)' },
    },
  },
  {
    name: 'cancel',
    id: 7,
    doc: 'Asks the executor to cancel the request `target`; nobody waits for its own completion.',
    executors: ALL,
    slots: {
      arg: { kind: 'number', name: 'target', doc: 'user_data of the request to cancel' },
      flags: { kind: 'flags', name: 'cancelFlags', doc: 'IORING_ASYNC_CANCEL_ANY: every request' },
    },
  },
  {
    name: 'mkdirAt',
    id: 8,
    doc: 'mkdirat: completes with 0.',
    executors: ALL,
    slots: { fd: { kind: 'dirfd', name: 'dirFd' }, buf: { kind: 'path', name: 'path' }, len: { kind: 'number', name: 'mode' } },
  },
  {
    name: 'unlinkAt',
    id: 9,
    doc: 'unlinkat: removes a file, or a directory with AT_REMOVEDIR.',
    executors: ALL,
    slots: {
      fd: { kind: 'dirfd', name: 'dirFd' },
      buf: { kind: 'path', name: 'path' },
      flags: { kind: 'flags', name: 'atFlags', doc: 'AT_REMOVEDIR or 0' },
    },
  },
  {
    name: 'renameAt',
    id: 10,
    doc: 'renameat2: moves `path` to `newPath`.',
    executors: ALL,
    slots: {
      fd: { kind: 'dirfd', name: 'dirFd' },
      buf: { kind: 'path', name: 'path' },
      len: { kind: 'dirfd', name: 'newDirFd' },
      arg: { kind: 'path', name: 'newPath' },
      flags: { kind: 'flags', name: 'renameFlags', doc: 'RENAME_* (Linux)' },
    },
  },
  {
    name: 'linkAt',
    id: 11,
    doc: 'linkat: a hard link `newPath` to `path`.',
    executors: ALL,
    slots: {
      fd: { kind: 'dirfd', name: 'dirFd' },
      buf: { kind: 'path', name: 'path' },
      len: { kind: 'dirfd', name: 'newDirFd' },
      arg: { kind: 'path', name: 'newPath' },
      flags: { kind: 'flags', name: 'atFlags', doc: 'AT_* flags' },
    },
  },
  {
    name: 'connect',
    id: 12,
    doc: 'connect: the socket to the sockaddr in the range.',
    executors: ALL,
    slots: { fd: { kind: 'fd', name: 'socket' }, buf: { kind: 'range', name: 'sockaddr' }, len: { kind: 'size', name: 'sockaddrLength' } },
  },
  { name: 'accept', id: 13, doc: 'accept: completes with the new connection (close-on-exec).', executors: ALL, slots: { fd: { kind: 'fd', name: 'socket' } } },
  {
    name: 'recv',
    id: 14,
    doc: 'recv into the range; completes with the bytes received, 0 at end of stream.',
    executors: ALL,
    slots: {
      fd: { kind: 'fd', name: 'socket' },
      buf: { kind: 'range', name: 'into' },
      len: { kind: 'transfer', name: 'length' },
      flags: { kind: 'flags', name: 'msgFlags', doc: 'MSG_* flags' },
    },
  },
  {
    name: 'send',
    id: 15,
    doc: 'send the range; completes with the bytes sent.',
    executors: ALL,
    slots: {
      fd: { kind: 'fd', name: 'socket' },
      buf: { kind: 'range', name: 'from' },
      len: { kind: 'transfer', name: 'length' },
      flags: { kind: 'flags', name: 'msgFlags', doc: 'MSG_* flags (MSG_NOSIGNAL)' },
    },
  },
  {
    name: 'shutdown',
    id: 16,
    doc: 'shutdown: SHUT_RD, SHUT_WR or SHUT_RDWR.',
    executors: ALL,
    slots: { fd: { kind: 'fd', name: 'socket' }, len: { kind: 'number', name: 'how' } },
  },
  {
    name: 'openAt2',
    id: 17,
    doc: 'openat2 with RESOLVE_* flags (Linux 5.6+): as openAt, confined by `resolve`.',
    executors: ALL,
    slots: {
      fd: { kind: 'dirfd', name: 'dirFd' },
      buf: { kind: 'path', name: 'path' },
      len: { kind: 'number', name: 'mode' },
      arg: { kind: 'number', name: 'resolve', doc: 'RESOLVE_* flags' },
      flags: { kind: 'flags', name: 'openFlags', doc: 'open(2) flags (O_CLOEXEC is always added)' },
    },
  },
  {
    name: 'setLen',
    id: 18,
    doc:
      "Sets the file length (ftruncate). Where node:fs cannot take the executor's descriptor: a Windows HANDLE is no CRT fd, " +
      "and Deno's node:fs takes only descriptors it opened. io_uring needs Linux 6.9 (IORING_OP_FTRUNCATE; EINVAL before).",
    executors: ALL,
    slots: { fd: { kind: 'fd', name: 'fd' }, arg: { kind: 'length', name: 'length' } },
  },
  {
    name: 'fadvise',
    id: 19,
    doc: 'posix_fadvise: how a range will be read (POSIX_FADV_RANDOM turns readahead off).',
    executors: POSIX,
    slots: {
      fd: { kind: 'fd', name: 'fd' },
      arg: { kind: 'position', name: 'offset' },
      len: { kind: 'number', name: 'length', doc: 'bytes, under 4 GiB; 0: to the end of the file' },
      flags: { kind: 'flags', name: 'advice', doc: "POSIX_FADV_* (Linux's numbers)" },
    },
  },
];

/** Values JS sends that C++ interprets (Linux's numbers on every platform). */
export const CONSTANTS = [
  { name: 'AT_FDCWD', value: -100, doc: 'the dirfd of absolute paths (any valid value would do)' },
  { name: 'AT_REMOVEDIR', value: 0x200, doc: "unlinkAt's flag: remove a directory" },
  { name: 'AT_EMPTY_PATH', value: 0x1000, doc: "statx's flag: an empty path means the fd itself" },
  { name: 'IORING_FSYNC_DATASYNC', value: 1, doc: "fsync's flag: fdatasync" },
  { name: 'IOSQE_ASYNC', value: 1 << 4, doc: "read/write's flag: io_uring runs it on a worker" },
  { name: 'IOSQE_IO_LINK', value: 1 << 2, doc: "write's flag: the next command waits for it, and is cancelled if it fails or is short" },
  { name: 'IORING_ASYNC_CANCEL_ANY', value: 1 << 2, doc: "cancel's flag: every request in flight" },
  { name: 'RESOLVE_NO_MAGICLINKS', value: 0x02, doc: "openAt2's resolve flag (linux/openat2.h)" },
  { name: 'RESOLVE_BENEATH', value: 0x08, doc: "openAt2's resolve flag (linux/openat2.h)" },
  { name: 'O_PATH', value: 0o10000000, doc: 'open(2) flag, Linux (every architecture we build for)' },
  { name: 'STATX_BUFFER_SIZE', value: 256, doc: 'bytes of a struct statx' },
  { name: 'MAX_TRANSFER', value: 0x7ffff000, doc: 'the most one read/write/recv/send moves (MAX_RW_COUNT)' },
];
