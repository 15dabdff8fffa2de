#include "wakeup.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#ifdef __linux__
#include <sys/eventfd.h>
#endif

namespace mfio::rt {

Wakeup::~Wakeup() {
  if (write_fd_ >= 0 && write_fd_ != read_fd_) close(write_fd_);
  if (read_fd_ >= 0) close(read_fd_);
}

int Wakeup::Open() {
#ifdef __linux__
  read_fd_ = write_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  return read_fd_ < 0 ? -errno : 0;
#else
  int fds[2];
  if (pipe(fds) < 0) return -errno;
  for (int fd : fds) {
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  read_fd_ = fds[0];
  write_fd_ = fds[1];
  return 0;
#endif
}

void Wakeup::Signal() {
  // A full pipe or a saturated eventfd is already signalled: the result does not matter.
#ifdef __linux__
  uint64_t one = 1;
  ssize_t rc = write(write_fd_, &one, sizeof one);
#else
  char one = 1;
  ssize_t rc = write(write_fd_, &one, 1);
#endif
  (void)rc;
}

void Wakeup::Clear() {
  char drain[64];
  while (read(read_fd_, drain, sizeof drain) > 0) {
  }
}

}  // namespace mfio::rt
