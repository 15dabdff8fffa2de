// The JS-facing ring: one object per runtime. JS fills a command buffer during a tick and calls
// submit() once; completions are drained into an Int32Array of (user_data, res) pairs and handed
// to JS with one callback. Buffers are kept alive by JS (a slot table keyed by user_data) until
// their completion; this object never keeps a pointer past the SQE it wrote it into.
#pragma once

#include <linux/openat2.h>
#include <napi.h>

#include <cerrno>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "../common/delivery.h"
#include "../common/executor_base.h"
#include "../common/loop_poll.h"
#include "fixed_files.h"
#include "ring.h"
#include "ring_waiter.h"

namespace mfio::rt {

class UringExecutor : public ExecutorBase<UringExecutor> {
 public:
  explicit UringExecutor(const Napi::CallbackInfo& info);
  ~UringExecutor() override;

  // CQ entries per SQ entry: 256 SQEs give 2,048 CQEs, so 1,023 requests in flight (capacity).
  static constexpr unsigned kCqPerSqe = 8;

 private:
  friend class ExecutorBase<UringExecutor>;
  static constexpr const char* kClassName = "UringExecutor";
  static constexpr int kBadFd = -EBADF;
  static constexpr const char* kSubmitCall = "io_uring_enter";
  static constexpr const char* kWaitCall = "io_uring_enter";

  // Fill SQEs from the commands and enter the ring once; the commands the SQ has no room for
  // are left for the next call.
  Napi::Value SubmitCommands(Napi::Env env, const double* base, unsigned count, BufferTable& buffers);
  // Submit what is queued and wait for `min_complete` completions.
  int WaitFor(unsigned min_complete);
  void KeepAlive(bool active);
  void Describe(Napi::Object out);

  static void OnReadable(void* self);
  // Move ready completions into the shared array; returns how many pairs were written.
  unsigned DrainInto();
  // Cancel everything in flight, wait for the kernel to let go of every buffer, release the ring.
  void Stop();

  Ring ring_;
  // The one of the two that `delivery_` names is started: a uv_poll_t on the ring fd (Node), or
  // an eventfd waited on by a thread that wakes JS through a thread-safe function (any host).
  Delivery delivery_ = Delivery::kUv;
  LoopPoll poll_;
  RingWaiter waiter_;
  // Commands that could not be prepared go to the kernel as NOPs; their real result lives here.
  std::unordered_map<uint64_t, int32_t> overrides_;
  // One open_how per SQE slot, for OPENAT2 (the kernel reads it when it takes the SQE).
  std::vector<open_how> hows_;
  // The files this ring opened, registered for IOSQE_FIXED_FILE; and the opens in flight.
  FixedFiles files_;
  std::unordered_set<uint64_t> opens_;
  // in_flight_ (ExecutorBase) counts SQEs handed out minus CQEs seen.
};

}  // namespace mfio::rt
