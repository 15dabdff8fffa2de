#include "uring_executor.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "../common/buffer_table.h"
#include "../common/command.h"
#include "../common/commands.h"
#include "../common/executor_args.h"

namespace mfio::rt {
namespace {

using namespace commands;

uint64_t Addr(const void* p) { return reinterpret_cast<uint64_t>(p); }

// A write whose next command is linked to it (IOSQE_IO_LINK).
bool IsLinkHead(const double* cmd) {
  return static_cast<unsigned>(cmd[kFieldOp]) == kWrite &&
         (static_cast<unsigned>(cmd[kFieldFlags]) & IOSQE_IO_LINK) != 0;
}

// IORING_OP_FTRUNCATE (Linux 6.9), by number: the build needs only 5.19's headers. Older kernels
// complete it with -EINVAL.
constexpr uint8_t kIoringOpFtruncate = 55;

// Whether this kernel has IORING_OP_FTRUNCATE (Linux 6.9), from its release, once.
bool FtruncateOpAvailable() {
  static const bool available = [] {
    utsname name{};
    unsigned major = 0, minor = 0;
    if (uname(&name) != 0 || std::sscanf(name.release, "%u.%u", &major, &minor) != 2) return false;
    return major > 6 || (major == 6 && minor >= 9);
  }();
  return available;
}

// Fill `sqe` from one command (decoded and checked by DecodeCommand). Returns 0, or -errno for a
// command that must not reach the kernel.
// `how` is this SQE slot's open_how: the kernel reads it when it takes the SQE, which may be at a
// later enter, so it lives as long as the ring (one per SQE slot). `files`: READ/WRITE on a file
// this ring opened go by its registered index; the user_data of each open goes into `opens`, so its
// completion can hand the new fd to `files`.
int Prepare(io_uring_sqe* sqe, const double* cmd, BufferTable& buffers, open_how* how, FixedFiles& files,
            std::unordered_set<uint64_t>& opens) {
  Command c;
  const int rc = DecodeCommand(cmd, buffers, commands::kExecutorIoUring, &c);
  sqe->user_data = c.user_data;
  sqe->fd = c.fd;
  if (rc < 0) return rc;

  switch (c.op) {
    case kNop:
      sqe->opcode = IORING_OP_NOP;
      return 0;
    case kRead:
    case kWrite:
      sqe->opcode = c.op == kRead ? IORING_OP_READ : IORING_OP_WRITE;
      sqe->addr = Addr(c.data);
      sqe->len = c.len;
      sqe->off = c.arg;
      sqe->flags = static_cast<uint8_t>(c.flags & (IOSQE_ASYNC | IOSQE_IO_LINK));
      if (const int index = files.IndexFor(c.fd); index >= 0) {
        sqe->fd = index;
        sqe->flags |= IOSQE_FIXED_FILE;
      }
      return 0;
    case kOpenAt:
      opens.insert(c.user_data);
      sqe->opcode = IORING_OP_OPENAT;
      sqe->addr = Addr(c.data);
      sqe->len = c.len;  // mode
      sqe->open_flags = c.flags | O_CLOEXEC;
      return 0;
    case kOpenAt2:
      *how = open_how{};
      how->flags = static_cast<uint64_t>(c.flags) | O_CLOEXEC;
      how->mode = (c.flags & (O_CREAT | O_TMPFILE)) != 0 ? c.len : 0;  // openat2 wants 0 otherwise
      how->resolve = c.arg;
      opens.insert(c.user_data);
      sqe->opcode = IORING_OP_OPENAT2;
      sqe->addr = Addr(c.data);
      sqe->len = sizeof *how;
      sqe->off = Addr(how);
      return 0;
    case kClose:
      files.Forget(c.fd);  // before the kernel closes it: the table would keep the file open
      sqe->opcode = IORING_OP_CLOSE;
      return 0;
    case kFsync:
      sqe->opcode = IORING_OP_FSYNC;
      sqe->fsync_flags = c.flags;
      return 0;
    case kStatx:
      sqe->opcode = IORING_OP_STATX;
      sqe->addr = Addr(c.data);
      sqe->len = c.len;  // mask
      sqe->off = Addr(c.data2);
      sqe->statx_flags = c.flags;
      return 0;
    case kCancel:
      sqe->opcode = IORING_OP_ASYNC_CANCEL;
      sqe->addr = c.arg;
      sqe->cancel_flags = c.flags;
      return 0;
    case kMkdirAt:
      sqe->opcode = IORING_OP_MKDIRAT;
      sqe->addr = Addr(c.data);
      sqe->len = c.len;  // mode
      return 0;
    case kUnlinkAt:
      sqe->opcode = IORING_OP_UNLINKAT;
      sqe->addr = Addr(c.data);
      sqe->unlink_flags = c.flags;
      return 0;
    case kRenameAt:
    case kLinkAt:
      sqe->opcode = c.op == kRenameAt ? IORING_OP_RENAMEAT : IORING_OP_LINKAT;
      sqe->addr = Addr(c.data);
      sqe->len = c.len;  // new dirfd
      sqe->addr2 = Addr(c.data2);
      sqe->rename_flags = c.flags;  // shares its slot with hardlink_flags
      return 0;
    case kConnect:
      sqe->opcode = IORING_OP_CONNECT;
      sqe->addr = Addr(c.data);
      sqe->off = c.len;  // addrlen
      return 0;
    case kAccept:
      sqe->opcode = IORING_OP_ACCEPT;
      sqe->accept_flags = SOCK_CLOEXEC;
      return 0;
    case kRecv:
    case kSend:
      sqe->opcode = c.op == kRecv ? IORING_OP_RECV : IORING_OP_SEND;
      sqe->addr = Addr(c.data);
      sqe->len = c.len;
      sqe->msg_flags = c.flags;
      return 0;
    case kShutdown:
      sqe->opcode = IORING_OP_SHUTDOWN;
      sqe->len = c.len;  // how
      return 0;
    case kSetLen:
      if (!FtruncateOpAvailable()) {
        // Before Linux 6.9 io_uring has no FTRUNCATE (Deno sends setLen here, its node:fs cannot
        // take our descriptors): set the length now, a metadata change, and complete as a NOP.
        if (ftruncate(c.fd, static_cast<off_t>(c.arg)) < 0) return -errno;
        sqe->opcode = IORING_OP_NOP;
        return 0;
      }
      sqe->opcode = kIoringOpFtruncate;
      sqe->off = c.arg;
      return 0;
    case kFadvise:
      sqe->opcode = IORING_OP_FADVISE;
      sqe->off = c.arg;
      sqe->len = c.len;
      sqe->fadvise_advice = c.flags;
      return 0;
    default:
      return -EINVAL;
  }
}

}  // namespace

// new UringExecutor(entries, completions: Int32Array, onCompletions: (count) => void, delivery?: 'uv' | 'tsfn')
UringExecutor::UringExecutor(const Napi::CallbackInfo& info) : ExecutorBase(info) {
  Napi::Env env = info.Env();
  if (!CheckExecutorArgs(info, "UringExecutor(entries, completions: Int32Array, onCompletions, delivery?)")) return;
  if (!ParseDelivery(info, 3, &delivery_)) return;
  // CQ room for every request JS may have in flight (capacity) plus a cancel for each of them.
  const unsigned entries = info[0].As<Napi::Number>().Uint32Value();
  int rc = ring_.Open(entries, entries * kCqPerSqe);
  if (rc < 0) {
    ErrnoError(env, rc, "io_uring_setup").ThrowAsJavaScriptException();
    return;
  }
  hows_.resize(ring_.sq_entries());
  files_.Start(ring_.fd());
  const char* syscall = "uv_poll_start";
  rc = delivery_ == Delivery::kTsfn ? waiter_.Start(env, ring_.fd(), &UringExecutor::OnReadable, this, &syscall)
                                    : poll_.Start(env, ring_.fd(), &UringExecutor::OnReadable, this);
  if (rc < 0) {
    ring_.Close();
    ErrnoError(env, rc, syscall).ThrowAsJavaScriptException();
    return;
  }
  Open(info, "mfio:io_uring");
}

UringExecutor::~UringExecutor() { Shutdown(); }

// Commands that do not fit in the submission queue are left for the next call.
Napi::Value UringExecutor::SubmitCommands(Napi::Env env, const double* base, unsigned count, BufferTable& buffers) {
  unsigned consumed = 0;
  for (; consumed < count; consumed++) {
    const double* cmd = base + static_cast<size_t>(consumed) * kStride;
    // A write linked to the command after it goes in one submission with it: the kernel ends a
    // chain at the end of a submission, so a pair split over two would run unlinked. Without
    // room for both, both wait for the next call (JS always offers the pair together; SQEs an
    // EAGAIN left unsubmitted may take the room, even at the first command).
    if (IsLinkHead(cmd) && (consumed + 1 >= count || ring_.sq_entries() - ring_.Unsubmitted() < 2)) break;
    io_uring_sqe* sqe = ring_.NextSqe();
    if (sqe == nullptr) break;
    int rc = Prepare(sqe, cmd, buffers, &hows_[ring_.SqeIndex(sqe)], files_, opens_);
    if (rc < 0) {
      // Still goes through the ring (as a NOP), so its error arrives like any completion.
      const uint64_t user_data = static_cast<uint64_t>(cmd[kFieldUserData]);
      std::memset(sqe, 0, sizeof *sqe);
      sqe->opcode = IORING_OP_NOP;
      sqe->user_data = user_data;
      overrides_[user_data] = rc;
    }
    in_flight_++;
  }
  int rc = ring_.Enter(0);
  // EAGAIN/EBUSY: the kernel is short of resources or holds overflowed completions; the SQEs stay
  // queued and go with the next enter, after the next drain.
  if (rc < 0 && rc != -EAGAIN && rc != -EBUSY) {
    // The kernel took none of this batch: take its SQEs back, or they would run at the next
    // enter after JS has failed their requests and released their buffers.
    ring_.Rewind(consumed);
    in_flight_ -= consumed;
    for (unsigned i = 0; i < consumed; i++) {
      const uint64_t user_data = static_cast<uint64_t>(base[static_cast<size_t>(i) * kStride + kFieldUserData]);
      overrides_.erase(user_data);
      opens_.erase(user_data);
    }
    ErrnoError(env, rc, "io_uring_enter").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, consumed);
}

// wait(minComplete): submit what is queued, block until at least `min_complete` completions are
// ready. EAGAIN/EBUSY are no error here either (see SubmitCommands): what is ready is drained.
int UringExecutor::WaitFor(unsigned min_complete) {
  const int rc = ring_.Enter(min_complete);
  return rc < 0 && rc != -EAGAIN && rc != -EBUSY ? rc : 0;
}

// drain(): without a syscall unless completions overflowed, wait for this thread to be posted
// (COOP_TASKRUN), or an earlier enter left SQEs unsubmitted.
unsigned UringExecutor::DrainInto() {
  unsigned written = 0;
  auto take = [&](uint64_t user_data, int32_t res, uint32_t) {
    in_flight_--;
    if (user_data == commands::kIgnoredUserData) return;
    if (!overrides_.empty()) {
      auto it = overrides_.find(user_data);
      if (it != overrides_.end()) {
        res = it->second;
        overrides_.erase(it);
      }
    }
    if (!opens_.empty() && opens_.erase(user_data) > 0 && res >= 0) files_.Adopt(res);
    sink_.Put(written++, user_data, res);
  };
  ring_.Drain(sink_.capacity() - written, take);
  if (written < sink_.capacity() && (ring_.CqOverflowed() || ring_.TaskRunPending())) {
    ring_.Enter(0);  // posts what waits for this thread, and flushes the kernel's overflow list
    ring_.Drain(sink_.capacity() - written, take);
  } else if (ring_.Unsubmitted() > 0) {
    // An earlier enter took only part of a batch (EAGAIN/EBUSY, or a short count): JS counts the
    // rest as in the kernel and waits for their completions, and a cancel aimed at them waits
    // behind them. Submit them now: JS may have nothing more to submit that would carry them.
    ring_.Enter(0);
  }
  return written;
}

void UringExecutor::OnReadable(void* data) { static_cast<UringExecutor*>(data)->Deliver(); }

// Only the started one of the two does anything.
void UringExecutor::KeepAlive(bool active) {
  poll_.SetActive(active);
  waiter_.SetActive(active);
}

// close(): JS cancels and waits for its requests first; anything left is cancelled here.
void UringExecutor::Stop() {
  // The cancels below complete while nobody listens: no wakeup may be queued for them.
  waiter_.Mute();
  if (in_flight_ > 0) {
    // The kernel may still write JS buffers: cancel everything and wait until it has let go.
    if (io_uring_sqe* sqe = ring_.NextSqe()) {
      sqe->opcode = IORING_OP_ASYNC_CANCEL;
      sqe->fd = -1;
      sqe->cancel_flags = IORING_ASYNC_CANCEL_ANY;
      sqe->user_data = commands::kIgnoredUserData;
      in_flight_++;
    }
    while (in_flight_ > 0) {
      if (ring_.Enter(1) < 0) break;
      ring_.Drain(~0u, [&](uint64_t, int32_t, uint32_t) { in_flight_--; });
    }
  }
  poll_.Stop();
  waiter_.Stop();
  ring_.Close();
}

void UringExecutor::Describe(Napi::Object out) {
  // Never more requests in the kernel than the CQ holds: completions cannot overflow.
  // Cancels go regardless of capacity (NativeQueue): each may add a completion, so half the CQ.
  out.Set("capacity", (ring_.cq_entries() - 1) / 2);
  out.Set("sqEntries", ring_.sq_entries());
  out.Set("features", ring_.features());
  out.Set("inFlight", static_cast<double>(in_flight_));
  out.Set("fd", ring_.fd());
  out.Set("delivery", DeliveryName(delivery_));
  out.Set("fixedFiles", files_.state());
  // How completions finished off this thread (io-wq, interrupts) are posted: when this thread
  // next enters the kernel (COOP_TASKRUN, 5.19+), or by interrupting it.
  out.Set("taskRun", (ring_.setup_flags() & IORING_SETUP_COOP_TASKRUN) != 0 ? "cooperative" : "interrupt");
  out.Set("registeredFiles", static_cast<double>(files_.registered()));
}

}  // namespace mfio::rt
