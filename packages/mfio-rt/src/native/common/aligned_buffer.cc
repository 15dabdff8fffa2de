#include "aligned_buffer.h"

#include <cstdint>

namespace mfio::rt {
namespace {

constexpr uintptr_t kPage = 4096;

// pageOffset(buffer: Uint8Array) -> bytes from its start to the next 4 KiB boundary (0 to 4095).
Napi::Value PageOffset(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    Napi::TypeError::New(env, "pageOffset(buffer: Uint8Array)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const auto address = reinterpret_cast<uintptr_t>(info[0].As<Napi::Uint8Array>().Data());
  return Napi::Number::New(env, static_cast<double>((kPage - address % kPage) % kPage));
}

}  // namespace

void DefinePageOffset(Napi::Env env, Napi::Object exports) {
  exports.Set("pageOffset", Napi::Function::New(env, PageOffset, "pageOffset"));
}

}  // namespace mfio::rt
