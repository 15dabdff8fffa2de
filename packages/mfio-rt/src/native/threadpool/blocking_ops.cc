#include "blocking_ops.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#ifdef __linux__
#include <linux/openat2.h>
#include <sys/syscall.h>
#endif

#include "stat_into.h"

namespace mfio::rt {
namespace {

using namespace commands;

#ifdef __linux__
constexpr int kNoSignal = MSG_NOSIGNAL;
#else
// JS sends Linux's values; translate the ones that differ.
constexpr int kNoSignal = 0;  // Node ignores SIGPIPE in every process
int FromLinuxAtFlags(unsigned flags) { return (flags & kAtRemovedir) ? AT_REMOVEDIR : 0; }
int FromLinuxMsgFlags(unsigned flags) { return static_cast<int>(flags & ~0x4000u); }  // drop MSG_NOSIGNAL
#endif

int Result(long rc) { return rc < 0 ? -errno : static_cast<int>(rc); }

// Retry a syscall interrupted by a signal (not close: the fd is gone either way).
template <typename F>
int Retry(F&& call) {
  for (;;) {
    long rc = call();
    if (rc >= 0 || errno != EINTR) return Result(rc);
  }
}

int SetNonBlocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0) return -errno;
  if (flags & O_NONBLOCK) return 0;
  return fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ? -errno : 0;
}

int Connect(const Command& c, SocketWait& wait) {
  // Non-blocking so the wait is ours (interruptible); recv/send use MSG_DONTWAIT either way.
  int rc = SetNonBlocking(c.fd);
  if (rc < 0) return rc;
  if (connect(c.fd, reinterpret_cast<const sockaddr*>(c.data), c.len) == 0) return 0;
  if (errno != EINPROGRESS && errno != EINTR) return -errno;
  rc = wait.WaitFor(c.fd, POLLOUT);
  if (rc < 0) return rc;
  int error = 0;
  socklen_t length = sizeof error;
  if (getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length) < 0) return -errno;
  return -error;
}

int Accept(const Command& c, SocketWait& wait) {
  // Another thread may take the connection poll() announced: accept must not block then.
  int rc = SetNonBlocking(c.fd);
  if (rc < 0) return rc;
  for (;;) {
#ifdef __linux__
    int fd = accept4(c.fd, nullptr, nullptr, SOCK_CLOEXEC);
#else
    int fd = accept(c.fd, nullptr, nullptr);
    if (fd >= 0) fcntl(fd, F_SETFD, FD_CLOEXEC);
#endif
    if (fd >= 0) return fd;
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return -errno;
    rc = wait.WaitFor(c.fd, POLLIN);
    if (rc < 0) return rc;
  }
}

int Transfer(const Command& c, SocketWait& wait) {
#ifdef __linux__
  const int flags = static_cast<int>(c.flags) | MSG_DONTWAIT | (c.op == kSend ? kNoSignal : 0);
#else
  const int flags = FromLinuxMsgFlags(c.flags) | MSG_DONTWAIT | (c.op == kSend ? kNoSignal : 0);
#endif
  for (;;) {
    ssize_t n = c.op == kRecv ? recv(c.fd, c.data, c.len, flags) : send(c.fd, c.data, c.len, flags);
    if (n >= 0) return static_cast<int>(n);  // a short send is a result: JS sends the rest
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return -errno;
    int rc = wait.WaitFor(c.fd, c.op == kRecv ? POLLIN : POLLOUT);
    if (rc < 0) return rc;
  }
}

}  // namespace

bool IsSocketCommand(int op) { return op == kConnect || op == kAccept || op == kRecv || op == kSend; }

bool MayRunOnCaller(int op) { return !IsSocketCommand(op) && op != kOpenAt && op != kOpenAt2; }

int32_t RunFileCommand(const Command& c) {
  const char* path = reinterpret_cast<const char*>(c.data);
  const char* path2 = reinterpret_cast<const char*>(c.data2);
  switch (c.op) {
    case kNop:
      return 0;
    case kRead:
      return Retry([&] { return pread(c.fd, c.data, c.len, static_cast<off_t>(c.arg)); });
    case kWrite:
      return Retry([&] { return pwrite(c.fd, c.data, c.len, static_cast<off_t>(c.arg)); });
    case kOpenAt:
      return Retry(
          [&] { return openat(c.fd, path, static_cast<int>(c.flags) | O_CLOEXEC, static_cast<mode_t>(c.len)); });
    case kOpenAt2: {
#if defined(__linux__) && defined(SYS_openat2)
      open_how how{};
      how.flags = static_cast<uint64_t>(c.flags) | O_CLOEXEC;
      how.mode = (c.flags & (O_CREAT | O_TMPFILE)) != 0 ? c.len : 0;  // openat2 wants 0 otherwise
      how.resolve = c.arg;
      return Retry([&] { return static_cast<int>(syscall(SYS_openat2, c.fd, path, &how, sizeof how)); });
#else
      return -ENOSYS;
#endif
    }
    case kClose:
      return Result(close(c.fd));
    case kFsync:
#ifdef __APPLE__
      return Retry([&] { return fsync(c.fd); });  // no fdatasync in macOS's headers
#else
      return Retry([&] { return (c.flags & kIoringFsyncDatasync) ? fdatasync(c.fd) : fsync(c.fd); });
#endif
    case kStatx:
      return StatInto(c.fd, path, c.flags, c.len, c.data2);
    case kMkdirAt:
      return Result(mkdirat(c.fd, path, static_cast<mode_t>(c.len)));
    case kUnlinkAt:
#ifdef __linux__
      return Result(unlinkat(c.fd, path, static_cast<int>(c.flags & AT_REMOVEDIR)));
#else
      return Result(unlinkat(c.fd, path, FromLinuxAtFlags(c.flags)));
#endif
    case kRenameAt:
#ifdef __linux__
      if (c.flags != 0) return Result(renameat2(c.fd, path, static_cast<int>(c.len), path2, c.flags));
#endif
      return Result(renameat(c.fd, path, static_cast<int>(c.len), path2));
    case kLinkAt:
      return Result(linkat(c.fd, path, static_cast<int>(c.len), path2, static_cast<int>(c.flags)));
    case kShutdown:
      return Result(shutdown(c.fd, static_cast<int>(c.len)));
    case kSetLen:
      return Result(ftruncate(c.fd, static_cast<off_t>(c.arg)));
    case kFadvise:
#ifdef __linux__
      // Returns the error number itself, not -1 and errno.
      return -posix_fadvise(c.fd, static_cast<off_t>(c.arg), static_cast<off_t>(c.len), static_cast<int>(c.flags));
#else
      return 0;  // advice only: where the call (or Linux's numbering) is missing, nothing to do
#endif
    default:
      return -EINVAL;
  }
}

int32_t RunSocketCommand(const Command& c, SocketWait& wait) {
  switch (c.op) {
    case kConnect:
      return Connect(c, wait);
    case kAccept:
      return Accept(c, wait);
    case kRecv:
    case kSend:
      return Transfer(c, wait);
    default:
      return RunFileCommand(c);
  }
}

int PollInterruptible(int fd, short events, Wakeup& wakeup, const std::atomic<bool>& cancelled) {
  for (;;) {
    if (cancelled.load()) return -ECANCELED;
    pollfd fds[2] = {{fd, events, 0}, {wakeup.fd(), POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (fds[1].revents != 0) {
      wakeup.Clear();  // a stale ring (an earlier request's cancel) is cleared and ignored
      if (cancelled.load()) return -ECANCELED;
    }
    if (fds[0].revents & POLLNVAL) return -EBADF;
    // Errors and hang-ups count as ready: the syscall that follows reports them.
    if (fds[0].revents != 0) return 0;
  }
}

}  // namespace mfio::rt
