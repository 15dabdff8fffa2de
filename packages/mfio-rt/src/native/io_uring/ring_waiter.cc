#include "ring_waiter.h"

#include <linux/io_uring.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace mfio::rt {

int RingWaiter::Start(napi_env env, int ring_fd, Callback on_ready, void* data, const char** syscall_name) {
  event_fd_ = eventfd(0, EFD_CLOEXEC);  // blocking: the thread sleeps in read(2)
  if (event_fd_ < 0) {
    *syscall_name = "eventfd";
    return -errno;
  }
  if (syscall(__NR_io_uring_register, ring_fd, IORING_REGISTER_EVENTFD, &event_fd_, 1) < 0) {
    const int rc = -errno;
    close(event_fd_);
    event_fd_ = -1;
    *syscall_name = "io_uring_register";
    return rc;
  }
  int rc = wake_.Start(env, "mfio:io_uring", on_ready, data);
  if (rc < 0) {
    close(event_fd_);
    event_fd_ = -1;
    *syscall_name = "napi_create_threadsafe_function";
    return rc;
  }
  stopping_.store(false);
  try {
    thread_ = std::thread(&RingWaiter::Run, this);
  } catch (const std::system_error& error) {
    wake_.Stop();
    close(event_fd_);
    event_fd_ = -1;
    *syscall_name = "pthread_create";
    return -error.code().value();
  }
  return 0;
}

void RingWaiter::Run() {
  for (;;) {
    uint64_t count;
    // Every CQE posted since the last read, in one: the JS thread drains them all at once.
    const ssize_t rc = read(event_fd_, &count, sizeof count);
    if (stopping_.load()) return;
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return;  // only a closed fd fails, and the fd outlives this thread
    wake_.Send();
  }
}

void RingWaiter::Stop() {
  if (event_fd_ < 0) return;
  stopping_.store(true);
  uint64_t one = 1;
  ssize_t rc = write(event_fd_, &one, sizeof one);  // wakes the read; cannot fail short of overflow
  (void)rc;
  if (thread_.joinable()) thread_.join();
  // After the join no thread calls Send(): the function may go.
  wake_.Stop();
  close(event_fd_);
  event_fd_ = -1;
}

}  // namespace mfio::rt
