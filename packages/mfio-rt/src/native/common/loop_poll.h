// Reaching Node's own event loop. Every libuv call of the addon lives in this file and its .cc:
// a uv_poll_t on an fd (io_uring) or a uv_async_t other threads signal (the thread pool), each
// referenced only while its owner has work in flight, so an idle runtime never keeps the process
// alive.
#pragma once

#include <node_api.h>

struct uv_poll_s;
struct uv_async_s;

namespace mfio::rt {

class LoopPoll {
 public:
  using Callback = void (*)(void* data);

  LoopPoll() = default;
  LoopPoll(const LoopPoll&) = delete;
  LoopPoll& operator=(const LoopPoll&) = delete;
  ~LoopPoll() { Stop(); }

  // Start watching `fd` for readability on the loop of `env`; the handle starts unreferenced.
  // Returns 0 or a negative libuv/errno code.
  int Start(napi_env env, int fd, Callback on_readable, void* data);
  // Keep the loop alive (work in flight) or not (idle).
  void SetActive(bool active);
  // Stop watching and release the handle (freed by libuv's close callback).
  void Stop();

 private:
  uv_poll_s* handle_ = nullptr;
  bool active_ = false;
};

// A wakeup any thread may send; the callback runs on the loop of `env`. Sends made before the
// callback runs coalesce into one call, so the callback drains everything that is ready.
class LoopAsync {
 public:
  using Callback = void (*)(void* data);

  LoopAsync() = default;
  LoopAsync(const LoopAsync&) = delete;
  LoopAsync& operator=(const LoopAsync&) = delete;
  ~LoopAsync() { Stop(); }

  // The handle starts unreferenced. Returns 0 or a negative libuv/errno code.
  int Start(napi_env env, Callback on_wake, void* data);
  // From any thread, until Stop() (the owner joins its threads first).
  void Send();
  void SetActive(bool active);
  // JS thread only. Release the handle (freed by libuv's close callback).
  void Stop();

 private:
  uv_async_s* handle_ = nullptr;
  bool active_ = false;
};

}  // namespace mfio::rt
