// The ring's completions reaching the JS thread without libuv (Bun, Deno; on Node when asked):
// an eventfd the kernel signals with every CQE it posts (IORING_REGISTER_EVENTFD), a native
// thread that sleeps in read(2) on it, and a thread-safe function (TsfnWake) that wakes JS,
// whose callback drains the ring as the uv_poll_t's does. The thread only waits and wakes: it
// never touches the ring, so the CQ keeps one reader, the JS thread.
#pragma once

#include <node_api.h>

#include <atomic>
#include <thread>

#include "../common/tsfn_wake.h"

namespace mfio::rt {

class RingWaiter {
 public:
  using Callback = TsfnWake::Callback;

  RingWaiter() = default;
  RingWaiter(const RingWaiter&) = delete;
  RingWaiter& operator=(const RingWaiter&) = delete;
  ~RingWaiter() { Stop(); }

  // JS thread: register an eventfd with the ring `ring_fd` and start the thread. Unreferenced
  // until SetActive(true). Returns 0 or -errno, with `*syscall` the call that failed.
  int Start(napi_env env, int ring_fd, Callback on_ready, void* data, const char** syscall);
  void SetActive(bool active) { wake_.SetActive(active); }
  // JS thread: wake JS no more (the owner is closing and drains by itself).
  void Mute() { wake_.Mute(); }
  // JS thread: stop and join the thread, release the function. The eventfd stays registered
  // until the ring closes (the owner closes it next), which is harmless: nothing reads it.
  void Stop();

 private:
  void Run();

  int event_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  TsfnWake wake_;
};

}  // namespace mfio::rt
