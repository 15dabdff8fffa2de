// The JS-facing protocol every executor shares (NativeExecutorClass in src/native/addon.ts):
// `new Executor(size, completions: Int32Array, onCompletions)` and
// `submit(commands: Float64Array, count, buffers)`. Checked once here, for every executor; the
// class and its lifecycle are ExecutorBase (executor_base.h).
#pragma once

#include <napi.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "commands.h"

namespace mfio::rt {

// A JS Error for a failed system call, carrying `errno` (negative, as Node's) and `syscall`.
inline Napi::Error ErrnoError(Napi::Env env, int negative_errno, const char* syscall) {
  Napi::Error error = Napi::Error::New(env, std::string(syscall) + " failed: " + std::strerror(-negative_errno));
  error.Set("errno", Napi::Number::New(env, negative_errno));
  error.Set("syscall", Napi::String::New(env, syscall));
  return error;
}

// The constructor's (size, completions, onCompletions); false with a pending TypeError if not.
inline bool CheckExecutorArgs(const Napi::CallbackInfo& info, const char* signature) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsTypedArray() || !info[2].IsFunction()) {
    Napi::TypeError::New(env, signature).ThrowAsJavaScriptException();
    return false;
  }
  Napi::TypedArray typed = info[1].As<Napi::TypedArray>();
  if (typed.TypedArrayType() != napi_int32_array || typed.ElementLength() < 2) {
    Napi::TypeError::New(env, "completions must be an Int32Array of at least 2 elements").ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

// How many of `count` commands to take with `in_flight` of `capacity` used: in order, cancels
// always (they make room, and requests waiting for a peer may hold it all for good), others
// while room lasts.
inline unsigned CommandsToTake(const double* base, unsigned count, uint64_t in_flight, unsigned capacity) {
  const unsigned room = in_flight >= capacity ? 0 : static_cast<unsigned>(capacity - in_flight);
  unsigned take = 0;
  for (unsigned used = 0; take < count; take++) {
    if (base[static_cast<size_t>(take) * commands::kStride + commands::kFieldOp] == commands::kCancel) continue;
    if (used == room) break;
    used++;
  }
  return take;
}

// submit()'s command buffer and count; false with a pending RangeError if the count overruns it.
// A closed executor throws `bad_fd` (EBADF as the executor numbers errors) naming `syscall`.
inline bool CheckSubmitArgs(const Napi::CallbackInfo& info, bool closed, int bad_fd, const char* syscall,
                            Napi::Float64Array* commands, unsigned* count) {
  if (closed) {
    ErrnoError(info.Env(), bad_fd, syscall).ThrowAsJavaScriptException();
    return false;
  }
  *commands = info[0].As<Napi::Float64Array>();
  *count = info[1].As<Napi::Number>().Uint32Value();
  if (static_cast<size_t>(*count) * commands::kStride > commands->ElementLength()) {
    Napi::RangeError::New(info.Env(), "count exceeds the command buffer").ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

}  // namespace mfio::rt
