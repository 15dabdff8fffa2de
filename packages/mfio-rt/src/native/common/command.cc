#include "command.h"

#include <cerrno>

namespace mfio::rt {

using namespace commands;

int DecodeCommand(const double* cmd, BufferTable& buffers, Command* out) {
  const int op = static_cast<int>(cmd[kFieldOp]);
  const double len = cmd[kFieldLen];
  const double arg = cmd[kFieldArg];
  *out = Command{};
  out->op = op;
  out->user_data = static_cast<uint64_t>(cmd[kFieldUserData]);
  out->fd = static_cast<int>(cmd[kFieldFd]);
  out->flags = static_cast<unsigned>(cmd[kFieldFlags]);
  auto data = [&](double length) { return buffers.Range(cmd[kFieldBuf], cmd[kFieldBufOffset], length); };
  auto path = [&](double index) { return reinterpret_cast<uint8_t*>(const_cast<char*>(buffers.Path(index))); };

  switch (op) {
    case kNop:
    case kClose:
    case kFsync:
    case kAccept:
      return 0;
    case kRead:
    case kWrite:
    case kRecv:
    case kSend:
      out->data = data(len);
      if (out->data == nullptr || len > kMaxTransfer) return -EFAULT;
      out->len = static_cast<uint32_t>(len);
      out->arg = static_cast<uint64_t>(arg);  // the position; recv/send ignore it
      return 0;
    case kOpenAt:
    case kOpenAt2:
    case kMkdirAt:
      out->data = path(cmd[kFieldBuf]);
      if (out->data == nullptr) return -EFAULT;
      out->len = static_cast<uint32_t>(len);  // mode
      out->arg = static_cast<uint64_t>(arg);  // kOpenAt2: RESOLVE_* flags
      return 0;
    case kUnlinkAt:
      out->data = path(cmd[kFieldBuf]);
      return out->data == nullptr ? -EFAULT : 0;
    case kStatx:
      out->data = path(cmd[kFieldBuf]);
      out->data2 = buffers.Range(arg, 0, 256);  // sizeof(struct statx) is 256
      if (out->data == nullptr || out->data2 == nullptr) return -EFAULT;
      out->len = static_cast<uint32_t>(len);  // mask
      return 0;
    case kCancel:
      out->fd = -1;
      out->arg = static_cast<uint64_t>(arg);
      return 0;
    case kRenameAt:
    case kLinkAt:
      out->data = path(cmd[kFieldBuf]);
      out->data2 = path(arg);
      if (out->data == nullptr || out->data2 == nullptr) return -EFAULT;
      out->len = static_cast<uint32_t>(static_cast<int>(len));  // new dirfd
      return 0;
    case kConnect:
      out->data = data(len);
      if (out->data == nullptr) return -EFAULT;
      out->len = static_cast<uint32_t>(len);  // sockaddr length
      return 0;
    case kShutdown:
      out->len = static_cast<uint32_t>(len);  // how
      return 0;
    case kSetLen:
      if (!(arg >= 0 && arg <= 9007199254740992.0)) return -EINVAL;
      out->arg = static_cast<uint64_t>(arg);  // the new length
      return 0;
    default:
      return -EINVAL;
  }
}

}  // namespace mfio::rt
