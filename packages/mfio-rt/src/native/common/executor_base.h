// The lifecycle every executor shares, whatever its kernel interface: the JS class and its six
// methods (NativeExecutor in src/native/addon.ts), the environment, the completion sink, the
// closed flag and the count of requests in flight, the reference and the environment cleanup
// hook that keep the object alive while something it started may still call it, and the order in
// which close() or the environment going away takes it apart.
//
// `Derived` (UringExecutor, ThreadpoolExecutor, IocpExecutor) keeps only what its kernel
// interface needs, as private members this base calls (it makes the base a friend):
//   static constexpr const char* kClassName   the JS class's name
//   static constexpr int kBadFd               EBADF as it numbers errors (-EBADF, or libuv's)
//   static constexpr const char* kSubmitCall  the `syscall` of an error from submit()
//   static constexpr const char* kWaitCall    the `syscall` of an error from wait()
//   Napi::Value SubmitCommands(Napi::Env, const double* commands, unsigned count, BufferTable&)
//       take what it has room for, in order, and return how many (or throw)
//   int WaitFor(unsigned min_complete)  block until that many completions are ready; 0 or -errno
//   unsigned DrainInto()                move ready completions into sink_; the pairs written
//   void KeepAlive(bool active)         keep Node's loop alive (requests in flight) or not
//   void Stop()                         let go of every JS buffer (cancel, wait, join), then
//                                       release the kernel objects; runs once, closed_ already set
//   void Describe(Napi::Object out)     info()'s fields
// and calls Open() at the end of a constructor that succeeded, and Shutdown() from its destructor.
//
// CRTP rather than virtual hooks: Napi::ObjectWrap is itself CRTP (it constructs and unwraps the
// most derived type), so the base is a template over that type anyway, and every hook is a
// static call the compiler can inline: submit() and the drain that runs on every completion
// callback cost what they cost when each executor spelled them out.
#pragma once

#include <napi.h>

#include <cstdint>

#include "buffer_table.h"
#include "completion_sink.h"
#include "executor_args.h"

namespace mfio::rt {

template <typename Derived>
class ExecutorBase : public Napi::ObjectWrap<Derived> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return Derived::DefineClass(env, Derived::kClassName,
                                {
                                    Method<&ExecutorBase::Submit>("submit"),
                                    Method<&ExecutorBase::Wait>("wait"),
                                    Method<&ExecutorBase::Drain>("drain"),
                                    Method<&ExecutorBase::SetActive>("setActive"),
                                    Method<&ExecutorBase::Close>("close"),
                                    Method<&ExecutorBase::Info>("info"),
                                });
  }

 protected:
  explicit ExecutorBase(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Derived>(info), env_(info.Env()) {}

  // The end of a constructor whose kernel objects all started: from here JS may submit, and
  // only close() or the environment's cleanup ends it. The constructor's argument 4, when
  // `false`, says the host has no async_hooks (Bun, Deno): its callbacks get no async context.
  void Open(const Napi::CallbackInfo& info, const char* resource) {
    const bool hooks = info.Length() <= 4 || !info[4].IsBoolean() || info[4].As<Napi::Boolean>().Value();
    sink_.Init(env_, info[1].As<Napi::Int32Array>(), info[2].As<Napi::Function>(), hooks ? resource : nullptr);
    closed_ = false;
    // What the executor started (a poll handle, threads, a port's waiter) points at this
    // object: keep it alive until close().
    this->Ref();
    napi_add_env_cleanup_hook(env_, &ExecutorBase::OnEnvCleanup, this);
  }

  // From the loop (a readable ring, a wakeup from another thread): hand JS every ready
  // completion, one callback per drain.
  void Deliver() {
    if (closed_) return;
    sink_.Deliver(
        Napi::Env(env_), [this] { return this->Value(); }, [this] { return self().DrainInto(); },
        [this] { return closed_; });
  }

  // How many completions wait() may block for: never more than will come (a request in flight
  // each), nor more than one drain hands over.
  uint64_t Waitable(unsigned min_complete) const {
    uint64_t n = min_complete;
    if (n > in_flight_) n = in_flight_;
    if (n > sink_.capacity()) n = sink_.capacity();
    return n;
  }

  // Once, from close(), the environment's cleanup or the destructor: the executor lets go of
  // every buffer and its kernel objects, then JS's arrays and this object are released.
  void Shutdown() {
    if (closed_) return;
    closed_ = true;
    self().Stop();
    sink_.Reset();
    this->Unref();
  }

  napi_env env_;
  CompletionSink sink_;
  uint64_t in_flight_ = 0;  // requests taken by submit() whose completion JS has not been handed
  bool closed_ = true;

 private:
  Derived& self() { return *static_cast<Derived*>(this); }

  // submit(commands: Float64Array, count, buffers: Uint8Array[]) -> commands consumed; the rest
  // stay with the caller.
  Napi::Value Submit(const Napi::CallbackInfo& info) {
    Napi::Float64Array commands;
    unsigned count;
    if (!CheckSubmitArgs(info, closed_, Derived::kBadFd, Derived::kSubmitCall, &commands, &count))
      return info.Env().Undefined();
    BufferTable buffers(info[2].As<Napi::Array>());
    return self().SubmitCommands(info.Env(), commands.Data(), count, buffers);
  }

  // wait(minComplete) -> pairs written: block until at least `minComplete` completions are
  // ready, then drain them. For the sync wrappers.
  Napi::Value Wait(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (closed_) {
      ErrnoError(env, Derived::kBadFd, Derived::kWaitCall).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const int rc = self().WaitFor(info[0].As<Napi::Number>().Uint32Value());
    if (rc < 0) {
      ErrnoError(env, rc, Derived::kWaitCall).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    return Napi::Number::New(env, self().DrainInto());
  }

  // drain() -> pairs written, without waiting.
  Napi::Value Drain(const Napi::CallbackInfo& info) {
    if (closed_) return Napi::Number::New(info.Env(), 0);
    return Napi::Number::New(info.Env(), self().DrainInto());
  }

  void SetActive(const Napi::CallbackInfo& info) {
    if (closed_) return;
    self().KeepAlive(info[0].ToBoolean().Value());
  }

  // close(): JS cancels and waits for its requests first; what is left, Stop() deals with.
  void Close(const Napi::CallbackInfo& info) {
    (void)info;
    if (closed_) return;
    napi_remove_env_cleanup_hook(env_, &ExecutorBase::OnEnvCleanup, this);
    Shutdown();
  }

  Napi::Value Info(const Napi::CallbackInfo& info) {
    Napi::Object out = Napi::Object::New(info.Env());
    self().Describe(out);
    return out;
  }

  // A worker thread exiting, or the process: the same as close(), from Node.
  static void OnEnvCleanup(void* data) { static_cast<ExecutorBase*>(data)->Shutdown(); }

  // ObjectWrap<Derived>::InstanceMethod<&m> takes only a member of Derived itself, and these are
  // the base's: the same direct-call trampolines it would make, for members of the base.
  template <Napi::Value (ExecutorBase::*M)(const Napi::CallbackInfo&)>
  static napi_value Call(napi_env env, napi_callback_info raw) {
    Napi::CallbackInfo info(env, raw);
    ExecutorBase* self = Derived::Unwrap(info.This().As<Napi::Object>());
    return self != nullptr ? (self->*M)(info) : Napi::Value();
  }
  template <void (ExecutorBase::*M)(const Napi::CallbackInfo&)>
  static napi_value Call(napi_env env, napi_callback_info raw) {
    Napi::CallbackInfo info(env, raw);
    ExecutorBase* self = Derived::Unwrap(info.This().As<Napi::Object>());
    if (self != nullptr) (self->*M)(info);
    return nullptr;
  }
  template <auto M>
  static Napi::ClassPropertyDescriptor<Derived> Method(const char* name) {
    napi_property_descriptor desc = napi_property_descriptor();
    desc.utf8name = name;
    desc.method = &ExecutorBase::Call<M>;
    desc.attributes = napi_default;
    return desc;
  }
};

}  // namespace mfio::rt
