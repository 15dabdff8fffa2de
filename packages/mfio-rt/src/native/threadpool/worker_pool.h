// The pool itself, free of Node-API: a queue of decoded commands, threads that run them with
// blocking syscalls, and a list of completions for the JS thread to collect. One mutex guards
// the queue, the completions and each worker's running request.
//
// A worker waiting on a socket is "parked": it no longer counts toward the pool size, and a new
// worker is started in its place (up to kMaxThreads), so silent peers cannot starve file I/O.
//
// Waking policy: every thread exists from Start(), but only `target_` are kept awake. It starts
// at the core count (`eager_`) and grows by one for each command that ran past kSlowCommandNs
// (blocked on the disk, not copied from the page cache), up to the pool size; a run of fast
// commands shrinks it again. Page-cache reads stay on a few threads that drain the queue without
// sleeping (waking a thread per read costs more than the read); cold reads fan out to every
// thread within a few disk latencies, and keep that many busy.
//
// A command may block for good (a read from a FIFO whose writer is a later command): a monitor
// thread, ticking every kStallCheck while the pool is busy, wakes one more worker whenever the
// queue was not empty and nothing was dequeued for a whole tick. So a queued command never waits
// behind blocked workers while another thread sleeps.
//
// Only file commands inform the target: a socket wait is long because a peer is quiet, not
// because the disk is busy, and parked workers have stand-ins already.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "../common/command.h"
#include "wakeup.h"

namespace mfio::rt {

class WorkerPool {
 public:
  // `on_ready(data)` runs on any thread, with the pool's mutex held, when completions become
  // ready while none were waiting to be collected; it must only schedule a wakeup.
  WorkerPool(unsigned threads, void (*on_ready)(void*), void* data);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool();

  // Start the threads. 0 or -errno (then nothing runs).
  int Start();

  // --- JS thread ---
  // Queue commands (not kCancel) and wake workers.
  void Push(const Command* commands, size_t count);
  // A result known without running anything (a command that failed to decode).
  void Complete(uint64_t user_data, int32_t res);
  // Cancel `target` (or, with `any`, everything): a queued request completes with -ECANCELED at
  // once and never runs; a running socket wait is interrupted; a running file command finishes.
  // Returns the cancel's own result: 0, -EALREADY (running) or -ENOENT (not found).
  int32_t Cancel(uint64_t target, bool any);
  // Block until at least `min` completions are ready; meanwhile run queued file commands on this
  // thread (newest first, never socket commands or opens) rather than wait for a worker.
  void WaitReady(size_t min);
  // Move up to `max` completions into `pairs` as (user_data low 32 bits, res); returns how many.
  // `*more` is set when completions remain.
  size_t TakeInto(int32_t* pairs, size_t max, bool* more);
  // Drop queued commands, interrupt socket waits, let running commands finish, join the threads.
  void Shutdown();

  unsigned threads() const;
  // The waking policy's state, for tests: workers awake now and the target.
  unsigned awake() const;
  unsigned target() const;

  static constexpr unsigned kMaxThreads = 1024;
  // A command that took longer than this most likely blocked (disk, lock), not copied from cache.
  static constexpr long long kSlowCommandNs = 30'000;
  // Fast commands in a row that take one thread off target_.
  static constexpr unsigned kFastRunToShrink = 16;
  // The monitor's tick, and how long it keeps ticking with an empty queue before it sleeps.
  static constexpr std::chrono::milliseconds kStallCheck{1};
  static constexpr unsigned kIdleTicksToSleep = 100;

 private:
  struct Worker;
  class WorkerWait;

  void Run(Worker* worker);
  void Monitor();
  bool SpawnLocked();
  void CompleteLocked(uint64_t user_data, int32_t res);
  void Park(bool parked);
  // Wake one sleeping worker, if any. Returns whether one was woken.
  bool WakeOneLocked();
  // Workers not asleep on work_cv_: running, about to run, or parked on a socket.
  unsigned AwakeLocked() const;
  // Adjust target_ after a command that was (or was not) slow.
  void NoteDurationLocked(bool slow);

  const unsigned size_;
  const unsigned eager_;  // the fewest workers kept awake: the core count
  void (*const on_ready_)(void*);
  void* const data_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;     // workers: commands queued, or stopping
  std::condition_variable ready_cv_;    // WaitReady: a completion arrived
  std::condition_variable monitor_cv_;  // the monitor, asleep: commands queued, or stopping
  std::thread monitor_;
  bool monitor_asleep_ = false;
  uint64_t dequeued_ = 0;  // commands taken off queue_, ever: the monitor's sign of progress
  std::deque<Command> queue_;
  std::vector<std::pair<uint64_t, int32_t>> done_;
  std::vector<std::unique_ptr<Worker>> workers_;
  unsigned parked_ = 0;
  unsigned target_;        // workers to keep awake while commands are queued
  unsigned fast_run_ = 0;  // fast commands since the last slow one or shrink
  unsigned sleeping_ = 0;  // asleep on work_cv_ with no wake promised
  unsigned wakes_ = 0;     // wakes promised to sleepers and not yet taken
  bool js_waiting_ = false;
  bool stopping_ = false;
};

}  // namespace mfio::rt
