// A per-worker doorbell another thread rings to interrupt a blocking socket wait: an eventfd on
// Linux, a pipe elsewhere. Level-triggered; the worker clears it after waking.
#pragma once

namespace mfio::rt {

class Wakeup {
 public:
  Wakeup() = default;
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;
  ~Wakeup();

  // 0 or -errno.
  int Open();
  // The fd to poll for POLLIN.
  int fd() const { return read_fd_; }
  void Signal();
  void Clear();

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
};

}  // namespace mfio::rt
