// The JS-facing thread pool: the same executor interface as UringExecutor (see
// src/native/addon.ts), so the shared NativeQueue and drivers run on it unchanged. submit()
// decodes and copies each command on the JS thread and queues it; workers run blocking syscalls
// and wake the JS thread (a uv_async_t, or a thread-safe function: common/delivery.h); its callback hands every ready
// completion to JS in one call. Buffers are kept alive by JS (the slot table) until their completion.
#pragma once

#include <napi.h>

#include <cerrno>
#include <memory>

#include "../common/delivery.h"
#include "../common/executor_base.h"
#include "../common/loop_poll.h"
#include "../common/tsfn_wake.h"
#include "worker_pool.h"

namespace mfio::rt {

class ThreadpoolExecutor : public ExecutorBase<ThreadpoolExecutor> {
 public:
  explicit ThreadpoolExecutor(const Napi::CallbackInfo& info);
  ~ThreadpoolExecutor() override;

  // Requests accepted at once; NativeQueue keeps the rest queued in JS.
  static constexpr unsigned kCapacity = 4096;

 private:
  friend class ExecutorBase<ThreadpoolExecutor>;
  static constexpr const char* kClassName = "ThreadpoolExecutor";
  static constexpr int kBadFd = -EBADF;
  static constexpr const char* kSubmitCall = "threadpool submit";
  static constexpr const char* kWaitCall = "threadpool wait";

  // Decode the commands and queue them for the workers: others up to the room left under
  // kCapacity, cancels always (CommandsToTake).
  Napi::Value SubmitCommands(Napi::Env env, const double* base, unsigned count, BufferTable& buffers);
  // Block until `min_complete` completions are ready, running queued file commands meanwhile.
  int WaitFor(unsigned min_complete);
  void KeepAlive(bool active);
  void Describe(Napi::Object out);

  static void OnReady(void* self);  // any thread
  static void OnAsync(void* self);  // JS thread
  // Any thread: have OnAsync run on the JS thread, through whichever of the two is started.
  void Wake();
  // Move ready completions into the shared array; returns how many pairs were written.
  unsigned DrainInto();
  // Stop the workers (dropping queued requests, interrupting socket waits), release the handle.
  void Stop();

  std::unique_ptr<WorkerPool> pool_;
  // The one `delivery_` names is started: a uv_async_t (Node) or a thread-safe function (any host).
  Delivery delivery_ = Delivery::kUv;
  LoopAsync async_;
  TsfnWake tsfn_;
};

}  // namespace mfio::rt
