// A wakeup of the JS thread that needs no libuv: a napi_threadsafe_function, which every
// Node-API host implements (Node, Bun, Deno), where LoopAsync's uv_async_t exists only on Node.
// Any thread may Send(); sends made before the callback runs coalesce into one call, so the
// callback drains everything that is ready (as with LoopAsync). Referenced only while its owner
// has work in flight, so an idle runtime never keeps the process alive.
#pragma once

#include <node_api.h>

#include <atomic>

namespace mfio::rt {

class TsfnWake {
 public:
  using Callback = void (*)(void* data);

  TsfnWake() = default;
  TsfnWake(const TsfnWake&) = delete;
  TsfnWake& operator=(const TsfnWake&) = delete;
  ~TsfnWake() { Stop(); }

  // JS thread. The function starts unreferenced. Returns 0 or -EINVAL when the host refuses it.
  int Start(napi_env env, const char* resource, Callback on_wake, void* data);
  // From any thread, until Stop() (the owner joins its threads first).
  void Send();
  // JS thread, when the owner starts closing: later sends queue nothing. A call queued while an
  // environment goes away is one Deno runs without a handle scope (a V8 fatal error).
  void Mute() {
    if (state_ != nullptr) state_->muted.store(true);
  }
  // JS thread: keep the loop alive (work in flight) or not (idle).
  void SetActive(bool active);
  // JS thread. Release the function; a call still queued runs no callback.
  void Stop();

 private:
  // What the function's calls reach. Owned by the function (freed by its finalizer), not by
  // this object: a host may run a call queued before Stop() after the owner is gone.
  struct State {
    Callback callback;  // nullptr once stopped
    void* data;
    // A call is queued and its callback has not started: later sends add nothing. Cleared
    // before the callback drains, so a completion that lands during the drain sends again.
    std::atomic<bool> pending{false};
    std::atomic<bool> muted{false};
  };
  static void CallJs(napi_env env, napi_value js_callback, void* context, void* data);
  static void Finalize(napi_env env, void* finalize_data, void* hint);

  napi_env env_ = nullptr;
  napi_threadsafe_function function_ = nullptr;
  State* state_ = nullptr;
  bool active_ = false;
};

}  // namespace mfio::rt
