// How an executor's completions reach the JS thread, chosen by JS per executor
// (src/backends/engine/delivery.ts): through Node's libuv loop (a uv_poll_t or uv_async_t,
// LoopPoll/LoopAsync) or through a napi_threadsafe_function woken by a native thread (TsfnWake),
// which needs nothing but Node-API and so runs on Bun and Deno too. The JS side of the
// executor is the same either way: one callback per drain.
#pragma once

#include <napi.h>

#include <string>

namespace mfio::rt {

enum class Delivery { kUv, kTsfn };

inline const char* DeliveryName(Delivery delivery) { return delivery == Delivery::kTsfn ? "tsfn" : "uv"; }

// The constructor's optional argument `index`: "uv" (the default) or "tsfn". False with a
// pending TypeError for anything else.
inline bool ParseDelivery(const Napi::CallbackInfo& info, size_t index, Delivery* out) {
  *out = Delivery::kUv;
  if (info.Length() <= index || info[index].IsUndefined()) return true;
  if (info[index].IsString()) {
    const std::string name = info[index].As<Napi::String>().Utf8Value();
    if (name == "uv" || name == "tsfn") {
      *out = name == "tsfn" ? Delivery::kTsfn : Delivery::kUv;
      return true;
    }
  }
  Napi::TypeError::New(info.Env(), "delivery must be 'uv' or 'tsfn'").ThrowAsJavaScriptException();
  return false;
}

}  // namespace mfio::rt
