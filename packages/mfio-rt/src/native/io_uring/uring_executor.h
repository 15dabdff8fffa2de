// The JS-facing ring: one object per runtime. JS fills a command buffer during a tick and calls
// submit() once; completions are drained into an Int32Array of (user_data, res) pairs and handed
// to JS with one callback. Buffers are kept alive by JS (a slot table keyed by user_data) until
// their completion; this object never keeps a pointer past the SQE it wrote it into.
#pragma once

#include <linux/openat2.h>
#include <napi.h>

#include <memory>
#include <unordered_map>
#include <vector>

#include "../common/completion_sink.h"
#include "../common/loop_poll.h"
#include "ring.h"

namespace mfio::rt {

class UringExecutor : public Napi::ObjectWrap<UringExecutor> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit UringExecutor(const Napi::CallbackInfo& info);
  ~UringExecutor() override;

  // CQ entries per SQ entry: 256 SQEs give 2,048 CQEs, so 1,023 requests in flight (capacity).
  static constexpr unsigned kCqPerSqe = 8;

 private:
  template <typename T>
  friend Napi::Function DefineExecutorClass(Napi::Env env, const char* name);

  Napi::Value Submit(const Napi::CallbackInfo& info);
  Napi::Value Wait(const Napi::CallbackInfo& info);
  Napi::Value Drain(const Napi::CallbackInfo& info);
  void SetActive(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);
  Napi::Value Info(const Napi::CallbackInfo& info);

  static void OnReadable(void* self);
  static void OnEnvCleanup(void* self);
  // Move ready completions into the shared array; returns how many pairs were written.
  unsigned DrainInto();
  // Cancel everything in flight, wait for the kernel to let go of every buffer, release the ring.
  void Shutdown();

  Ring ring_;
  LoopPoll poll_;
  napi_env env_;
  CompletionSink sink_;
  // Commands that could not be prepared go to the kernel as NOPs; their real result lives here.
  std::unordered_map<uint64_t, int32_t> overrides_;
  // One open_how per SQE slot, for OPENAT2 (the kernel reads it when it takes the SQE).
  std::vector<open_how> hows_;
  uint64_t in_flight_ = 0;  // SQEs handed out minus CQEs seen
  bool closed_ = true;
};

}  // namespace mfio::rt
