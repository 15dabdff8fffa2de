#include "ring.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mfio::rt {
namespace {

int SysSetup(unsigned entries, io_uring_params* p) {
  return static_cast<int>(syscall(__NR_io_uring_setup, entries, p));
}

int SysEnter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags) {
  return static_cast<int>(syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, nullptr, 0));
}

template <typename T>
T* At(void* base, uint32_t offset) {
  return reinterpret_cast<T*>(static_cast<char*>(base) + offset);
}

}  // namespace

int Ring::Open(unsigned entries, unsigned cq_entries) {
  io_uring_params p;
  std::memset(&p, 0, sizeof p);
  // SUBMIT_ALL: one bad SQE must not stop the rest of a batch (5.18+). CLAMP: cap sizes instead
  // of failing. COOP_TASKRUN (5.19+): a completion finished off the JS thread (an io-wq worker's,
  // as every buffered write on ext4 is) is posted when the JS thread next enters the kernel, not
  // by interrupting it with an IPI; a sleeping thread is still woken. Measured here: random 4 KiB
  // buffered writes on ext4, 64 in flight, took 133k reschedule IPIs in 2 s without it, 189 with
  // it, and ran 3x as fast (docs/native-boundary.md).
  // TASKRUN_FLAG says in the SQ flags when such work waits (TaskRunPending). Older kernels reject
  // unknown flags with EINVAL: retry with fewer.
  const unsigned flag_sets[] = {
      IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CLAMP | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
      IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CLAMP,
      IORING_SETUP_CLAMP,
  };
  int fd = -EINVAL;
  for (unsigned flags : flag_sets) {
    std::memset(&p, 0, sizeof p);
    p.flags = flags;
    if (cq_entries > 0) {
      p.flags |= IORING_SETUP_CQSIZE;  // 5.5+, as old as IORING_FEAT_NODROP
      p.cq_entries = cq_entries;
    }
    fd = SysSetup(entries, &p);
    if (fd >= 0 || errno != EINVAL) break;
  }
  if (fd < 0) return -errno;
  fd_ = fd;
  features_ = p.features;
  setup_flags_ = p.flags;
  sq_entries_ = p.sq_entries;
  cq_entries_ = p.cq_entries;

  sq_map_size_ = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  cq_map_size_ = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
  const bool single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
  if (single && cq_map_size_ > sq_map_size_) sq_map_size_ = cq_map_size_;

  sq_map_ = mmap(nullptr, sq_map_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
  if (sq_map_ == MAP_FAILED) {
    sq_map_ = nullptr;
    int err = -errno;
    Close();
    return err;
  }
  if (single) {
    cq_map_ = sq_map_;
  } else {
    cq_map_ = mmap(nullptr, cq_map_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_CQ_RING);
    if (cq_map_ == MAP_FAILED) {
      cq_map_ = nullptr;
      int err = -errno;
      Close();
      return err;
    }
  }
  sqes_size_ = p.sq_entries * sizeof(io_uring_sqe);
  void* sqes = mmap(nullptr, sqes_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
  if (sqes == MAP_FAILED) {
    int err = -errno;
    Close();
    return err;
  }
  sqes_ = static_cast<io_uring_sqe*>(sqes);

  sq_head_ = At<unsigned>(sq_map_, p.sq_off.head);
  sq_tail_ = At<unsigned>(sq_map_, p.sq_off.tail);
  sq_flags_ = At<unsigned>(sq_map_, p.sq_off.flags);
  sq_mask_ = *At<unsigned>(sq_map_, p.sq_off.ring_mask);
  // The indirection array maps ring slots to SQEs; an identity map, set once, as liburing does.
  unsigned* array = At<unsigned>(sq_map_, p.sq_off.array);
  for (unsigned i = 0; i < p.sq_entries; i++) array[i] = i;
  sqe_tail_ = *sq_tail_;

  cq_head_ = At<unsigned>(cq_map_, p.cq_off.head);
  cq_tail_ = At<unsigned>(cq_map_, p.cq_off.tail);
  cq_mask_ = *At<unsigned>(cq_map_, p.cq_off.ring_mask);
  cqes_ = At<io_uring_cqe>(cq_map_, p.cq_off.cqes);
  return 0;
}

void Ring::Close() {
  if (sqes_ != nullptr) munmap(sqes_, sqes_size_);
  if (cq_map_ != nullptr && cq_map_ != sq_map_) munmap(cq_map_, cq_map_size_);
  if (sq_map_ != nullptr) munmap(sq_map_, sq_map_size_);
  sqes_ = nullptr;
  cq_map_ = nullptr;
  sq_map_ = nullptr;
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

io_uring_sqe* Ring::NextSqe() {
  // Acquire: the kernel must be done reading an SQE before we overwrite its slot.
  unsigned head = __atomic_load_n(sq_head_, __ATOMIC_ACQUIRE);
  if (sqe_tail_ - head >= sq_entries_) return nullptr;
  io_uring_sqe* sqe = &sqes_[sqe_tail_ & sq_mask_];
  std::memset(sqe, 0, sizeof *sqe);
  sqe_tail_++;
  return sqe;
}

unsigned Ring::Unsubmitted() const { return sqe_tail_ - __atomic_load_n(sq_head_, __ATOMIC_ACQUIRE); }

void Ring::Rewind(unsigned count) {
  const unsigned unsubmitted = Unsubmitted();
  sqe_tail_ -= count < unsubmitted ? count : unsubmitted;
  // No SQPOLL thread reads the tail between enters, so lowering it is safe.
  __atomic_store_n(sq_tail_, sqe_tail_, __ATOMIC_RELEASE);
}

int Ring::Enter(unsigned wait_for) {
  // Release: the kernel must see the SQE contents before it sees the new tail.
  __atomic_store_n(sq_tail_, sqe_tail_, __ATOMIC_RELEASE);
  unsigned flags = 0;
  if (wait_for > 0 || CqOverflowed() || TaskRunPending()) flags |= IORING_ENTER_GETEVENTS;
  for (;;) {
    unsigned to_submit = Unsubmitted();
    if (to_submit == 0 && flags == 0) return 0;
    int ret = SysEnter(fd_, to_submit, wait_for, flags);
    if (ret >= 0) return ret;
    if (errno != EINTR) return -errno;
  }
}

bool Ring::CqOverflowed() const { return (__atomic_load_n(sq_flags_, __ATOMIC_RELAXED) & IORING_SQ_CQ_OVERFLOW) != 0; }

bool Ring::TaskRunPending() const { return (__atomic_load_n(sq_flags_, __ATOMIC_RELAXED) & IORING_SQ_TASKRUN) != 0; }

}  // namespace mfio::rt
