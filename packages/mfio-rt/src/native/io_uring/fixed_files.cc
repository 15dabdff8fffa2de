#include "fixed_files.h"

#include <linux/io_uring.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace mfio::rt {
namespace {

// The table's size: fds at or above it stay plain (the kernel refuses a table larger than
// RLIMIT_NOFILE, and a large one costs kernel memory for every ring).
constexpr unsigned kMaxFiles = 4096;

int UpdateFile(int ring_fd, unsigned index, int fd) {
  io_uring_rsrc_update2 update;
  std::memset(&update, 0, sizeof update);
  update.offset = index;
  update.data = reinterpret_cast<uint64_t>(&fd);
  update.nr = 1;
  const int rc = static_cast<int>(syscall(__NR_io_uring_register, ring_fd, IORING_REGISTER_FILES_UPDATE2, &update,
                                          static_cast<unsigned>(sizeof update)));
  return rc < 0 ? -errno : rc;
}

}  // namespace

void FixedFiles::Start(int ring_fd) {
  ring_fd_ = ring_fd;
  const char* off = std::getenv("MFIO_FIXED_FILES");
  if (off != nullptr && std::strcmp(off, "0") == 0) {
    state_ = "off (MFIO_FIXED_FILES=0)";
    return;
  }
  unsigned size = kMaxFiles;
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < size) size = static_cast<unsigned>(limit.rlim_cur);
  io_uring_rsrc_register table;
  std::memset(&table, 0, sizeof table);
  table.nr = size;
  table.flags = IORING_RSRC_REGISTER_SPARSE;  // 5.19+
  const int rc = static_cast<int>(
      syscall(__NR_io_uring_register, ring_fd, IORING_REGISTER_FILES2, &table, static_cast<unsigned>(sizeof table)));
  if (rc < 0) {
    state_ = std::string("off (IORING_REGISTER_FILES2 failed: ") + std::strerror(errno) + ")";
    return;
  }
  eligible_.assign(size, false);
  registered_.assign(size, false);
  state_ = "on";
}

int FixedFiles::Register(int fd) {
  if (UpdateFile(ring_fd_, static_cast<unsigned>(fd), fd) < 0) {
    // The request goes with the plain fd and meets the same error there, if it is one.
    eligible_[fd] = false;
    failures_++;
    return -1;
  }
  registered_[fd] = true;
  count_++;
  return fd;
}

void FixedFiles::Forget(int fd) {
  if (fd < 0 || static_cast<size_t>(fd) >= eligible_.size()) return;
  eligible_[fd] = false;
  if (!registered_[fd]) return;
  // The table lets go of the file; requests still using it keep it until they complete (none
  // should: a file is closed once its requests are done).
  UpdateFile(ring_fd_, static_cast<unsigned>(fd), -1);
  registered_[fd] = false;
  count_--;
}

}  // namespace mfio::rt
