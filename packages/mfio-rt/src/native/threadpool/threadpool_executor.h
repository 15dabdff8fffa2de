// The JS-facing thread pool: the same executor interface as UringExecutor (see
// src/native/addon.ts), so the shared NativeQueue and drivers run on it unchanged. submit()
// decodes and copies each command on the JS thread and queues it; workers run blocking syscalls
// and signal a uv_async_t; its callback hands every ready completion to JS in one call.
// Buffers are kept alive by JS (the slot table) until their completion.
#pragma once

#include <napi.h>

#include <memory>

#include "../common/completion_sink.h"
#include "../common/loop_poll.h"
#include "worker_pool.h"

namespace mfio::rt {

class ThreadpoolExecutor : public Napi::ObjectWrap<ThreadpoolExecutor> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit ThreadpoolExecutor(const Napi::CallbackInfo& info);
  ~ThreadpoolExecutor() override;

  // Requests accepted at once; NativeQueue keeps the rest queued in JS.
  static constexpr unsigned kCapacity = 4096;

 private:
  template <typename T>
  friend Napi::Function DefineExecutorClass(Napi::Env env, const char* name);

  Napi::Value Submit(const Napi::CallbackInfo& info);
  Napi::Value Wait(const Napi::CallbackInfo& info);
  Napi::Value Drain(const Napi::CallbackInfo& info);
  void SetActive(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);
  Napi::Value Info(const Napi::CallbackInfo& info);

  static void OnReady(void* self);  // any thread
  static void OnAsync(void* self);  // JS thread
  static void OnEnvCleanup(void* self);
  // Move ready completions into the shared array; returns how many pairs were written.
  unsigned DrainInto();
  // Stop the workers (dropping queued requests, interrupting socket waits), release the handle.
  void Shutdown();

  std::unique_ptr<WorkerPool> pool_;
  LoopAsync async_;
  napi_env env_;
  CompletionSink sink_;
  uint64_t in_flight_ = 0;  // completions owed to JS
  bool closed_ = true;
};

}  // namespace mfio::rt
