#include "aligned_buffer.h"

#include <cstdlib>
#include <cstring>

#ifdef _WIN32
#include <malloc.h>
#endif

namespace mfio::rt {
namespace {

constexpr size_t kAlignment = 4096;

void* AllocateAligned(size_t size) {
#ifdef _WIN32
  return _aligned_malloc(size, kAlignment);
#else
  void* p = nullptr;
  return posix_memalign(&p, kAlignment, size) == 0 ? p : nullptr;
#endif
}

void FreeAligned(Napi::Env, uint8_t* data) {
#ifdef _WIN32
  _aligned_free(data);
#else
  std::free(data);
#endif
}

// alignedBuffer(size: number) -> Buffer. JS checks `size` (an integer from 1 to buffer.constants.MAX_LENGTH).
Napi::Value AlignedBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "alignedBuffer(size: number)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const double requested = info[0].As<Napi::Number>().DoubleValue();
  if (!(requested >= 1) || requested > 9007199254740991.0) {
    Napi::RangeError::New(env, "size must be a positive integer").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const size_t size = static_cast<size_t>(requested);
  auto* data = static_cast<uint8_t*>(AllocateAligned(size));
  if (data == nullptr) {
    Napi::Error::New(env, "alignedBuffer: out of memory").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::memset(data, 0, size);
  // The Buffer owns the memory: freed by its finalizer when the GC collects it.
  return Napi::Buffer<uint8_t>::New(env, data, size, FreeAligned);
}

}  // namespace

void DefineAlignedBuffer(Napi::Env env, Napi::Object exports) {
  exports.Set("alignedBuffer", Napi::Function::New(env, AlignedBuffer, "alignedBuffer"));
}

}  // namespace mfio::rt
