#include "command.h"

#include <cerrno>

namespace mfio::rt {

using namespace commands;

namespace {

// Integers JS wrote as doubles. Every slot holds one; the casts only pick the C++ type.
uint8_t* PathAt(BufferTable& buffers, double index) {
  return reinterpret_cast<uint8_t*>(const_cast<char*>(buffers.Path(index)));
}

}  // namespace

int DecodeCommand(const double* cmd, BufferTable& buffers, uint8_t executor, Command* out) {
  const int op = static_cast<int>(cmd[kFieldOp]);
  *out = Command{};
  out->op = op;
  out->user_data = static_cast<uint64_t>(cmd[kFieldUserData]);
  if (op < 0 || op >= kOpCount || (kOpLayouts[op].executors & executor) == 0) return -EINVAL;
  const OpLayout& layout = kOpLayouts[op];
  const double len = cmd[kFieldLen];
  const double arg = cmd[kFieldArg];

  if (layout.fd != FdKind::kNone) out->fd = static_cast<int>(cmd[kFieldFd]);
  if (layout.flags) out->flags = static_cast<unsigned>(cmd[kFieldFlags]);

  switch (layout.len) {
    case LenKind::kNone:
      break;
    case LenKind::kTransfer:
      if (len > kMaxTransfer) return -EFAULT;
      out->len = static_cast<uint32_t>(len);
      break;
    case LenKind::kSize:
    case LenKind::kNumber:
      out->len = static_cast<uint32_t>(len);
      break;
    case LenKind::kDirFd:
      out->len = static_cast<uint32_t>(static_cast<int>(len));  // AT_FDCWD is negative
      break;
  }

  switch (layout.buf) {
    case BufKind::kNone:
      break;
    case BufKind::kRange:
      out->data = buffers.Range(cmd[kFieldBuf], cmd[kFieldBufOffset], len);
      if (out->data == nullptr) return -EFAULT;
      break;
    case BufKind::kPath:
      out->data = PathAt(buffers, cmd[kFieldBuf]);
      if (out->data == nullptr) return -EFAULT;
      break;
  }

  switch (layout.arg) {
    case ArgKind::kNone:
      break;
    case ArgKind::kPosition:
    case ArgKind::kNumber:
      out->arg = static_cast<uint64_t>(arg);
      break;
    case ArgKind::kPath:
      out->data2 = PathAt(buffers, arg);
      if (out->data2 == nullptr) return -EFAULT;
      break;
    case ArgKind::kStatx:
      out->data2 = buffers.Range(arg, 0, kStatxBufferSize);
      if (out->data2 == nullptr) return -EFAULT;
      break;
    case ArgKind::kLength:
      if (!(arg >= 0 && arg <= 9007199254740992.0)) return -EINVAL;
      out->arg = static_cast<uint64_t>(arg);
      break;
  }
  return 0;
}

}  // namespace mfio::rt
