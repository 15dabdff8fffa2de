#include "command.h"

#include <cerrno>

namespace mfio::rt {

using namespace commands;

namespace {

// The ranges a slot's double must be in before it is cast to its C++ type.
constexpr double kIntMin = -2147483648.0;
constexpr double kIntMax = 2147483647.0;
constexpr double kUint32Max = 4294967295.0;
constexpr double kMaxSafeInteger = 9007199254740992.0;  // 2^53: every integer below is exact

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

  // Every range is checked before its cast: a double outside the target type (or NaN) would be
  // undefined behaviour there, and must become an error instead.
  if (layout.fd != FdKind::kNone) {
    const double fd = cmd[kFieldFd];
    if (!(fd >= kIntMin && fd <= kIntMax)) return -EBADF;
    out->fd = static_cast<int>(fd);
  }
  if (layout.flags) {
    const double flags = cmd[kFieldFlags];
    if (!(flags >= 0 && flags <= kUint32Max)) return -EINVAL;
    out->flags = static_cast<unsigned>(flags);
  }

  switch (layout.len) {
    case LenKind::kNone:
      break;
    case LenKind::kTransfer:
    case LenKind::kSize:
      if (!(len >= 0 && len <= (layout.len == LenKind::kTransfer ? kMaxTransfer : kUint32Max))) return -EFAULT;
      out->len = static_cast<uint32_t>(len);
      break;
    case LenKind::kNumber:
      if (!(len >= 0 && len <= kUint32Max)) return -EINVAL;
      out->len = static_cast<uint32_t>(len);
      break;
    case LenKind::kDirFd:
      if (!(len >= kIntMin && len <= kIntMax)) return -EBADF;
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
      if (!(arg >= 0 && arg <= kMaxSafeInteger)) return -EINVAL;
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
      if (!(arg >= 0 && arg <= kMaxSafeInteger)) return -EINVAL;
      out->arg = static_cast<uint64_t>(arg);
      break;
  }
  return 0;
}

}  // namespace mfio::rt
