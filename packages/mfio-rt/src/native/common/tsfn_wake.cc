#include "tsfn_wake.h"

#include <cerrno>

namespace mfio::rt {

int TsfnWake::Start(napi_env env, const char* resource, Callback on_wake, void* data) {
  napi_value name;
  if (napi_create_string_utf8(env, resource, NAPI_AUTO_LENGTH, &name) != napi_ok) return -EINVAL;
  auto* state = new State{on_wake, data};
  // No JS function: CallJs calls the owner, which makes its own callback into JS with its async
  // context. Queue size 0 (unbounded): Send() never blocks, and with `pending` at most one call
  // is queued at a time anyway.
  if (napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, state, &TsfnWake::Finalize, state,
                                      &TsfnWake::CallJs, &function_) != napi_ok) {
    delete state;
    function_ = nullptr;
    return -EINVAL;
  }
  napi_unref_threadsafe_function(env, function_);
  env_ = env;
  state_ = state;
  active_ = false;
  return 0;
}

void TsfnWake::Send() {
  if (function_ == nullptr || state_->muted.load() || state_->pending.exchange(true)) return;
  // napi_closing once the environment is going away: its cleanup stops the owner next.
  napi_call_threadsafe_function(function_, nullptr, napi_tsfn_nonblocking);
}

void TsfnWake::CallJs(napi_env env, napi_value js_callback, void* context, void* data) {
  (void)js_callback;
  (void)data;
  // Node calls what is left in the queue with no env when the function is released.
  if (env == nullptr) return;
  auto* state = static_cast<State*>(context);
  state->pending.store(false);
  if (state->callback != nullptr) state->callback(state->data);
}

void TsfnWake::Finalize(napi_env env, void* finalize_data, void* hint) {
  (void)env;
  (void)hint;
  delete static_cast<State*>(finalize_data);
}

void TsfnWake::SetActive(bool active) {
  if (function_ == nullptr || active == active_) return;
  active_ = active;
  if (active) {
    napi_ref_threadsafe_function(env_, function_);
  } else {
    napi_unref_threadsafe_function(env_, function_);
  }
}

void TsfnWake::Stop() {
  if (function_ == nullptr) return;
  // JS thread, as every CallJs: a call still queued finds no callback and touches nothing of the
  // owner, which may be freed before the host gets to it.
  state_->callback = nullptr;
  napi_release_threadsafe_function(function_, napi_tsfn_abort);
  function_ = nullptr;
  state_ = nullptr;  // the function's finalizer frees it
  active_ = false;
}

}  // namespace mfio::rt
