// One command of the buffer JS fills (commands.h), checked and with its buffers resolved to
// pointers. Every executor decodes with this, on the JS thread, then runs the command its own
// way (an SQE for io_uring, a blocking syscall for the thread pool).
#pragma once

#include <cstdint>

#include "buffer_table.h"
#include "commands.h"

namespace mfio::rt {

struct Command {
  int op = commands::kNop;
  uint64_t user_data = 0;
  int fd = -1;
  uint8_t* data = nullptr;   // the byte range (read, write, recv, send, connect) or the (old) path
  uint32_t len = 0;          // bytes, or mode / statx mask / new dirfd / sockaddr length / how
  uint64_t arg = 0;          // file position, resolve flags, the user_data to cancel, a length
  uint8_t* data2 = nullptr;  // the statx output (256 bytes) or the new path
  unsigned flags = 0;        // as sent; each executor keeps the flags it understands
};

// Fill `out` from the kStride doubles at `cmd`, slot by slot as the op's OpLayout says (the
// table in commands/table.mjs). Returns 0, or -EFAULT (a buffer out of bounds, a path without
// its NUL, a transfer over kMaxTransfer) / -EINVAL (an unknown op, one `executor` does not run,
// a length out of range) for a command that must not run; `out->op` and `out->user_data` are set
// either way, so the error can still be reported as its completion.
int DecodeCommand(const double* cmd, BufferTable& buffers, uint8_t executor, Command* out);

}  // namespace mfio::rt
