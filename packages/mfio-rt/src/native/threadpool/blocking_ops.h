// The pool's commands as blocking syscalls, each returning a result >= 0 or -errno (never
// throwing). File commands run to the end; socket commands wait through a SocketWait, which the
// pool makes interruptible, so a cancel or close() never hangs on a silent peer.
#pragma once

#include <atomic>
#include <cstdint>

#include "../common/command.h"
#include "wakeup.h"

namespace mfio::rt {

// How a socket command waits for its socket to become ready.
class SocketWait {
 public:
  virtual ~SocketWait() = default;
  // Until `fd` reports `events` (POLLIN / POLLOUT): 0, -ECANCELED, or -errno.
  virtual int WaitFor(int fd, short events) = 0;
};

// True for the commands that may wait on a peer (connect, accept, recv, send).
bool IsSocketCommand(int op);

// True for the commands a thread blocked in wait() may run itself: not the socket commands, nor
// open (opening a FIFO waits for its other end).
bool MayRunOnCaller(int op);

int32_t RunFileCommand(const Command& c);
int32_t RunSocketCommand(const Command& c, SocketWait& wait);

// poll(2) on [fd, wakeup] until `fd` reports `events` (0) or `cancelled` is set (-ECANCELED);
// a wakeup without cancellation is cleared and the wait goes on. Retries on EINTR.
int PollInterruptible(int fd, short events, Wakeup& wakeup, const std::atomic<bool>& cancelled);

}  // namespace mfio::rt
