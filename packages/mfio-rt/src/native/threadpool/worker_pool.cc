#include "worker_pool.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <system_error>

#include "blocking_ops.h"

namespace mfio::rt {

struct WorkerPool::Worker {
  std::thread thread;
  Wakeup wakeup;
  std::atomic<bool> cancelled{false};
  uint64_t running = 0;  // user_data of the request in hand, when busy
  bool busy = false;
};

// A worker's socket waits: parked while they last, interruptible through the worker's doorbell.
class WorkerPool::WorkerWait : public SocketWait {
 public:
  WorkerWait(WorkerPool& pool, Worker& worker) : pool_(pool), worker_(worker) {}
  int WaitFor(int fd, short events) override {
    pool_.Park(true);
    int rc = PollInterruptible(fd, events, worker_.wakeup, worker_.cancelled);
    pool_.Park(false);
    return rc;
  }

 private:
  WorkerPool& pool_;
  Worker& worker_;
};

WorkerPool::WorkerPool(unsigned threads, void (*on_ready)(void*), void* data)
    : size_(std::max(1u, std::min(threads, kMaxThreads))),
      eager_(std::min(size_, std::max(2u, std::thread::hardware_concurrency()))),
      on_ready_(on_ready),
      data_(data),
      target_(eager_) {}

WorkerPool::~WorkerPool() { Shutdown(); }

int WorkerPool::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  try {
    monitor_ = std::thread(&WorkerPool::Monitor, this);
  } catch (const std::system_error&) {
    return -EAGAIN;
  }
  for (unsigned i = 0; i < size_; i++) {
    if (!SpawnLocked()) {
      // Not even one worker: report it. Fewer than asked still works.
      if (workers_.empty()) return -EAGAIN;  // the destructor stops the monitor
      break;
    }
  }
  return 0;
}

bool WorkerPool::SpawnLocked() {
  auto worker = std::make_unique<Worker>();
  if (worker->wakeup.Open() < 0) return false;
  try {
    worker->thread = std::thread(&WorkerPool::Run, this, worker.get());
  } catch (const std::system_error&) {
    return false;  // out of threads: the pool goes on with those it has
  }
  workers_.push_back(std::move(worker));
  return true;
}

unsigned WorkerPool::threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<unsigned>(workers_.size());
}

void WorkerPool::Run(Worker* worker) {
  using Clock = std::chrono::steady_clock;
  WorkerWait wait(*this, *worker);
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    while (!stopping_ && queue_.empty()) {
      sleeping_++;
      work_cv_.wait(lock, [&] { return stopping_ || wakes_ > 0; });
      if (wakes_ > 0) {
        wakes_--;  // the waker already took this worker off sleeping_
      } else {
        sleeping_--;  // stopping
      }
    }
    if (queue_.empty()) return;  // stopping, and Shutdown dropped the queue
    Command command = queue_.front();
    queue_.pop_front();
    dequeued_++;
    worker->running = command.user_data;
    worker->busy = true;
    worker->cancelled.store(false);
    lock.unlock();
    const auto started = Clock::now();
    const int32_t res = IsSocketCommand(command.op) ? RunSocketCommand(command, wait) : RunFileCommand(command);
    const bool slow = Clock::now() - started > std::chrono::nanoseconds(kSlowCommandNs);
    lock.lock();
    worker->busy = false;
    CompleteLocked(command.user_data, res);
    if (!IsSocketCommand(command.op)) {
      NoteDurationLocked(slow);
      // Commands are blocking: the queue may be waiting on blocked threads, so add one.
      if (slow && !queue_.empty() && AwakeLocked() - parked_ < target_) WakeOneLocked();
    }
  }
}

bool WorkerPool::WakeOneLocked() {
  if (sleeping_ == 0) return false;
  sleeping_--;
  wakes_++;
  work_cv_.notify_one();
  return true;
}

void WorkerPool::Monitor() {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t seen = dequeued_;
  unsigned idle_ticks = 0;
  while (!stopping_) {
    if (queue_.empty() && idle_ticks >= kIdleTicksToSleep) {
      // Idle: sleep until Push queues something, so an idle pool costs no wakeups.
      monitor_asleep_ = true;
      monitor_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      monitor_asleep_ = false;
      idle_ticks = 0;
      seen = dequeued_;
      continue;
    }
    monitor_cv_.wait_for(lock, kStallCheck, [&] { return stopping_; });
    if (stopping_) break;
    if (queue_.empty()) {
      idle_ticks++;
    } else {
      idle_ticks = 0;
      // A whole tick with commands queued and none taken: every awake worker is blocked.
      if (dequeued_ == seen && WakeOneLocked() && target_ < size_) target_++;
    }
    seen = dequeued_;
  }
}

unsigned WorkerPool::awake() const {
  std::lock_guard<std::mutex> lock(mu_);
  return AwakeLocked();
}

unsigned WorkerPool::target() const {
  std::lock_guard<std::mutex> lock(mu_);
  return target_;
}

unsigned WorkerPool::AwakeLocked() const {
  // Promised wakes count as awake: those workers will run.
  return static_cast<unsigned>(workers_.size()) - sleeping_;
}

void WorkerPool::NoteDurationLocked(bool slow) {
  if (slow) {
    fast_run_ = 0;
    if (target_ < size_) target_++;
    return;
  }
  // Back off slowly: a read that waited on the disk is worth many page-cache hits.
  if (++fast_run_ >= kFastRunToShrink) {
    fast_run_ = 0;
    if (target_ > eager_) target_--;
  }
}

void WorkerPool::Park(bool parked) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!parked) {
    parked_--;
    return;
  }
  parked_++;
  // Keep `size_` threads free for the queue while this one waits on a peer.
  if (!stopping_ && workers_.size() - parked_ < size_ && workers_.size() < kMaxThreads) SpawnLocked();
}

void WorkerPool::Push(const Command* commands, size_t count) {
  if (count == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  queue_.insert(queue_.end(), commands, commands + count);
  // Wake sleepers until `target_` workers are awake, and no more than there are commands.
  // Parked workers (socket waits) do not count: Park started stand-ins for them.
  unsigned awake = AwakeLocked() - parked_;
  for (size_t queued = queue_.size(); awake < target_ && queued > 0 && WakeOneLocked(); awake++, queued--) {
  }
  if (monitor_asleep_) monitor_cv_.notify_one();
}

void WorkerPool::Complete(uint64_t user_data, int32_t res) {
  std::lock_guard<std::mutex> lock(mu_);
  CompleteLocked(user_data, res);
}

void WorkerPool::CompleteLocked(uint64_t user_data, int32_t res) {
  const bool first = done_.empty();
  done_.emplace_back(user_data, res);
  if (js_waiting_) ready_cv_.notify_one();
  // One wakeup per batch: the JS thread collects everything ready when it runs.
  if (first) on_ready_(data_);
}

int32_t WorkerPool::Cancel(uint64_t target, bool any) {
  std::lock_guard<std::mutex> lock(mu_);
  int32_t res = -ENOENT;
  for (auto it = queue_.begin(); it != queue_.end();) {
    if (any || it->user_data == target) {
      CompleteLocked(it->user_data, -ECANCELED);
      it = queue_.erase(it);
      res = 0;
      if (!any) return res;
    } else {
      ++it;
    }
  }
  for (auto& worker : workers_) {
    if (worker->busy && (any || worker->running == target)) {
      worker->cancelled.store(true);
      worker->wakeup.Signal();
      if (res == -ENOENT) res = -EALREADY;
      if (!any) break;
    }
  }
  return res;
}

void WorkerPool::WaitReady(size_t min) {
  std::unique_lock<std::mutex> lock(mu_);
  js_waiting_ = true;
  while (done_.size() < min && !stopping_) {
    // A sync wrapper is waiting anyway: run a queued command here instead of handing it off.
    // Newest first: the request being waited for was queued last. Only commands that cannot
    // wait indefinitely (MayRunOnCaller), since nothing else runs on this thread meanwhile.
    auto rit = std::find_if(queue_.rbegin(), queue_.rend(), [](const Command& c) { return MayRunOnCaller(c.op); });
    if (rit != queue_.rend()) {
      auto it = std::next(rit).base();
      Command command = *it;
      queue_.erase(it);
      dequeued_++;  // progress, as far as the monitor is concerned
      lock.unlock();
      const int32_t res = RunFileCommand(command);
      lock.lock();
      CompleteLocked(command.user_data, res);
      continue;
    }
    ready_cv_.wait(lock);
  }
  js_waiting_ = false;
}

size_t WorkerPool::TakeInto(int32_t* pairs, size_t max, bool* more) {
  std::lock_guard<std::mutex> lock(mu_);
  const size_t n = std::min(max, done_.size());
  for (size_t i = 0; i < n; i++) {
    pairs[2 * i] = static_cast<int32_t>(static_cast<uint32_t>(done_[i].first));
    pairs[2 * i + 1] = done_[i].second;
  }
  done_.erase(done_.begin(), done_.begin() + static_cast<std::ptrdiff_t>(n));
  *more = !done_.empty();
  return n;
}

void WorkerPool::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;  // from here on no worker is spawned, so workers_ stays as it is
    queue_.clear();
    for (auto& worker : workers_) {
      if (!worker->busy) continue;
      worker->cancelled.store(true);
      worker->wakeup.Signal();
    }
  }
  work_cv_.notify_all();
  ready_cv_.notify_all();
  monitor_cv_.notify_all();
  for (auto& worker : workers_) {
    if (worker->thread.joinable()) worker->thread.join();
  }
  if (monitor_.joinable()) monitor_.join();
  std::lock_guard<std::mutex> lock(mu_);
  done_.clear();
}

}  // namespace mfio::rt
