// Where an executor puts its completions for JS: the Int32Array of (user_data, result) pairs
// that JS made, and the one callback that hears about each drain. Shared by every executor.
#pragma once

#include <napi.h>

#include <cstdint>
#include <memory>

namespace mfio::rt {

class CompletionSink {
 public:
  // `resource` names the async context of the callbacks; nullptr for none: on a host without
  // async_hooks (Bun, Deno) it adds nothing, and Deno cannot destroy one in an environment's
  // cleanup (napi_async_destroy makes a handle where no handle scope exists: a V8 fatal error).
  void Init(Napi::Env env, Napi::Int32Array pairs, Napi::Function callback, const char* resource) {
    pairs_ref_ = Napi::Persistent(pairs);
    pairs_ = pairs.Data();
    capacity_ = static_cast<unsigned>(pairs.ElementLength() / 2);
    callback_ = Napi::Persistent(callback);
    if (resource != nullptr) async_context_ = std::make_unique<Napi::AsyncContext>(env, resource);
  }

  int32_t* pairs() const { return pairs_; }
  // Pairs the array holds.
  unsigned capacity() const { return capacity_; }

  void Put(unsigned index, uint64_t user_data, int32_t result) {
    pairs_[2 * index] = static_cast<int32_t>(static_cast<uint32_t>(user_data));
    pairs_[2 * index + 1] = result;
  }

  // From the loop (not from JS): `drain()` fills the array and returns the pairs written; JS
  // hears of each drain with one callback on `receiver()`, until a drain finds nothing, or
  // `stopped()`, or kMaxRounds callbacks. What completed while JS ran its callback (and the
  // requests that callback made) is taken at once, not after a trip through the event loop: when
  // the kernel or the workers complete as fast as JS settles, that trip (a wakeup, a context
  // switch) would cost as much as the requests. The bound lets timers and sockets in between.
  // The receiver is asked for inside the handle scope this opens: called from libuv, there is
  // no scope before it.
  template <typename Receiver, typename Drain, typename Stopped>
  void Deliver(Napi::Env env, Receiver&& receiver, Drain&& drain, Stopped&& stopped) {
    Napi::HandleScope scope(env);
    for (unsigned round = 0; round < kMaxRounds; round++) {
      unsigned n = drain();
      if (n == 0) return;
      callback_.MakeCallback(receiver(), {Napi::Number::New(env, n)},
                             async_context_ ? static_cast<napi_async_context>(*async_context_) : nullptr);
      if (env.IsExceptionPending()) {
        // A throwing completion handler is the program's bug: report it as uncaught.
        Napi::Error error = env.GetAndClearPendingException();
        napi_fatal_exception(env, error.Value());
        return;
      }
      if (stopped()) return;
    }
  }

  // Callbacks one Deliver makes at most; completions left over wait for the next wakeup (the
  // executor keeps one pending when it stops with completions ready).
  static constexpr unsigned kMaxRounds = 16;

  void Reset() {
    pairs_ = nullptr;
    pairs_ref_.Reset();
    callback_.Reset();
    async_context_.reset();
  }

 private:
  Napi::Reference<Napi::Int32Array> pairs_ref_;
  int32_t* pairs_ = nullptr;
  unsigned capacity_ = 0;
  Napi::FunctionReference callback_;
  std::unique_ptr<Napi::AsyncContext> async_context_;
};

}  // namespace mfio::rt
