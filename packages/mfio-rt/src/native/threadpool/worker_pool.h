// The pool itself, free of Node-API: a queue of decoded commands, threads that run them with
// blocking syscalls, and a list of completions for the JS thread to collect. One mutex guards
// the queue, the completions and each worker's running request.
//
// A worker waiting on a socket is "parked": it no longer counts toward the pool size, and a new
// worker is started in its place (up to kMaxThreads), so silent peers cannot starve file I/O.
#pragma once

#include <atomic>
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

  static constexpr unsigned kMaxThreads = 1024;

 private:
  struct Worker;
  class WorkerWait;

  void Run(Worker* worker);
  bool SpawnLocked();
  void CompleteLocked(uint64_t user_data, int32_t res);
  void Park(bool parked);

  const unsigned size_;
  void (*const on_ready_)(void*);
  void* const data_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;   // workers: commands queued, or stopping
  std::condition_variable ready_cv_;  // WaitReady: a completion arrived
  std::deque<Command> queue_;
  std::vector<std::pair<uint64_t, int32_t>> done_;
  std::vector<std::unique_ptr<Worker>> workers_;
  unsigned parked_ = 0;
  bool js_waiting_ = false;
  bool stopping_ = false;
};

}  // namespace mfio::rt
