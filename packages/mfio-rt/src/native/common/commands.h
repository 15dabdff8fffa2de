// The command buffer JS fills and one native call consumes: kStride doubles per request.
// Mirrored in src/backends/engine/commands.ts; keep the two in step. Every executor (the io_uring
// ring, the thread pool, the IOCP port) takes these commands.
#pragma once

#include <cstdint>

namespace mfio::rt::commands {

enum Op : int {
  kNop = 0,
  kRead = 1,       // fd, buf+offset, len, arg = file position, flags = SQE flags
  kWrite = 2,      // same as kRead
  kOpenAt = 3,     // fd = dirfd, buf = NUL-terminated path, len = mode, flags = open(2) flags
  kClose = 4,      // fd
  kFsync = 5,      // fd, flags = fsync flags (IORING_FSYNC_DATASYNC)
  kStatx = 6,      // fd = dirfd, buf = path, len = mask, arg = index of the statx buffer, flags = AT_*
  kCancel = 7,     // arg = user_data of the request to cancel, flags = IORING_ASYNC_CANCEL_*
  kMkdirAt = 8,    // fd = dirfd, buf = path, len = mode
  kUnlinkAt = 9,   // fd = dirfd, buf = path, flags = AT_REMOVEDIR or 0
  kRenameAt = 10,  // fd = old dirfd, buf = old path, len = new dirfd, arg = index of new path
  kLinkAt = 11,    // as kRenameAt
  kConnect = 12,   // fd = socket, buf = sockaddr, len = its length
  kAccept = 13,    // fd = listening socket
  kRecv = 14,      // fd, buf+offset, len, flags = MSG_* flags
  kSend = 15,      // fd, buf+offset, len, flags = MSG_* flags
  kShutdown = 16,  // fd, len = SHUT_RD / SHUT_WR / SHUT_RDWR
  kOpenAt2 = 17,   // as kOpenAt, arg = openat2 RESOLVE_* flags (Linux 5.6+)
  kSetLen = 18,    // fd, arg = new length. IOCP only: on Windows the fd is a HANDLE, which node:fs's
                   // ftruncate cannot take; the other executors answer -EINVAL (JS uses ftruncate)
  kOpCount = 19,
};

enum Field : int {
  kFieldOp = 0,
  kFieldUserData = 1,
  kFieldFd = 2,
  kFieldBuf = 3,        // index into the buffers array, -1 for none
  kFieldBufOffset = 4,
  kFieldLen = 5,
  kFieldArg = 6,
  kFieldFlags = 7,
};

constexpr int kStride = 8;

// Requests whose completion nobody waits for (the cancellations themselves).
constexpr uint64_t kIgnoredUserData = UINT64_MAX;

}  // namespace mfio::rt::commands
