// A raw io_uring: setup, the two mmapped rings, submission and completion, with the memory
// ordering the kernel's UAPI requires. No liburing: the kernel header is all it needs.
#pragma once

#include <linux/io_uring.h>

#include <cstddef>
#include <cstdint>

namespace mfio::rt {

class Ring {
 public:
  Ring() = default;
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;
  ~Ring() { Close(); }

  // Create a ring of at least `entries` SQEs and, when not 0, `cq_entries` CQEs (else the
  // kernel's twice as many). Returns 0 or -errno (EPERM, ENOSYS, ENOMEM...).
  int Open(unsigned entries, unsigned cq_entries = 0);
  void Close();
  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  unsigned sq_entries() const { return sq_entries_; }
  unsigned cq_entries() const { return cq_entries_; }
  uint32_t features() const { return features_; }
  // The IORING_SETUP_* flags the kernel accepted.
  unsigned setup_flags() const { return setup_flags_; }

  // A zeroed SQE to fill, or nullptr when the submission queue is full.
  io_uring_sqe* NextSqe();
  // The slot of an SQE NextSqe returned, from 0 to sq_entries() - 1.
  unsigned SqeIndex(const io_uring_sqe* sqe) const { return static_cast<unsigned>(sqe - sqes_); }
  // SQEs filled and not yet handed to the kernel.
  unsigned Unsubmitted() const;
  // Drop the last `count` SQEs filled (at most those not handed to the kernel), after an enter
  // that failed without consuming them.
  void Rewind(unsigned count);
  // Hand every filled SQE to the kernel; with `wait_for` > 0, also wait until at least that many
  // completions are ready. Returns the number submitted or -errno (never -EINTR).
  int Enter(unsigned wait_for);

  // Call `on_cqe(user_data, res, flags)` for each ready completion, up to `max`; returns how many.
  template <typename F>
  unsigned Drain(unsigned max, F&& on_cqe);
  // True when the kernel holds completions that did not fit in the CQ ring (IORING_FEAT_NODROP);
  // an Enter(0) with GETEVENTS moves them into the ring.
  bool CqOverflowed() const;
  // True when completions wait for this thread to enter the kernel to be posted (COOP_TASKRUN);
  // an Enter(0) posts them.
  bool TaskRunPending() const;

 private:
  int fd_ = -1;
  uint32_t features_ = 0;
  unsigned setup_flags_ = 0;
  unsigned sq_entries_ = 0;
  unsigned cq_entries_ = 0;
  void* sq_map_ = nullptr;
  size_t sq_map_size_ = 0;
  void* cq_map_ = nullptr;
  size_t cq_map_size_ = 0;
  io_uring_sqe* sqes_ = nullptr;
  size_t sqes_size_ = 0;

  unsigned* sq_head_ = nullptr;
  unsigned* sq_tail_ = nullptr;
  unsigned* sq_flags_ = nullptr;
  unsigned sq_mask_ = 0;
  unsigned sqe_tail_ = 0;  // our copy of the tail; published to *sq_tail_ on Enter

  unsigned* cq_head_ = nullptr;
  unsigned* cq_tail_ = nullptr;
  unsigned cq_mask_ = 0;
  io_uring_cqe* cqes_ = nullptr;
};

template <typename F>
unsigned Ring::Drain(unsigned max, F&& on_cqe) {
  unsigned head = *cq_head_;  // only we write the head
  // Acquire: the CQE contents must be visible before we read them.
  unsigned tail = __atomic_load_n(cq_tail_, __ATOMIC_ACQUIRE);
  unsigned n = 0;
  while (head != tail && n < max) {
    const io_uring_cqe& cqe = cqes_[head & cq_mask_];
    on_cqe(cqe.user_data, cqe.res, cqe.flags);
    head++;
    n++;
  }
  // Release: we are done reading these CQEs before the kernel may reuse their slots.
  __atomic_store_n(cq_head_, head, __ATOMIC_RELEASE);
  return n;
}

}  // namespace mfio::rt
