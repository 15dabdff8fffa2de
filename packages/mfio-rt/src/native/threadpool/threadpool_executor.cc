#include "threadpool_executor.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "../common/buffer_table.h"
#include "../common/command.h"
#include "../common/commands.h"
#include "../common/executor_args.h"

namespace mfio::rt {
namespace {

using namespace commands;

constexpr unsigned kCancelAny = 1u << 2;  // IORING_ASYNC_CANCEL_ANY, as NativeQueue.close() sends it

}  // namespace

Napi::Function ThreadpoolExecutor::Define(Napi::Env env) { return DefineExecutorClass<ThreadpoolExecutor>(env, "ThreadpoolExecutor"); }

// new ThreadpoolExecutor(threads, completions: Int32Array, onCompletions: (count) => void)
ThreadpoolExecutor::ThreadpoolExecutor(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ThreadpoolExecutor>(info), env_(info.Env()) {
  Napi::Env env = info.Env();
  if (!CheckExecutorArgs(info, "ThreadpoolExecutor(threads, completions: Int32Array, onCompletions)")) return;
  const uint32_t threads = info[0].As<Napi::Number>().Uint32Value();
  if (threads < 1 || threads > WorkerPool::kMaxThreads) {
    Napi::RangeError::New(env, "threads must be between 1 and " + std::to_string(WorkerPool::kMaxThreads)).ThrowAsJavaScriptException();
    return;
  }
  int rc = async_.Start(env, &ThreadpoolExecutor::OnAsync, this);
  if (rc < 0) {
    ErrnoError(env, rc, "uv_async_init").ThrowAsJavaScriptException();
    return;
  }
  pool_ = std::make_unique<WorkerPool>(threads, &ThreadpoolExecutor::OnReady, this);
  rc = pool_->Start();
  if (rc < 0) {
    pool_.reset();
    async_.Stop();
    ErrnoError(env, rc, "pthread_create").ThrowAsJavaScriptException();
    return;
  }
  Napi::Int32Array completions = info[1].As<Napi::Int32Array>();
  sink_.Init(env, completions, info[2].As<Napi::Function>(), "mfio:threadpool");
  closed_ = false;
  // The async handle and the workers point at this object: keep it alive until close().
  Ref();
  napi_add_env_cleanup_hook(env, &ThreadpoolExecutor::OnEnvCleanup, this);
}

ThreadpoolExecutor::~ThreadpoolExecutor() {
  if (!closed_) Shutdown();
}

// submit(commands: Float64Array, count, buffers: Uint8Array[]) -> commands consumed: others up to
// the room left under kCapacity, cancels always (CommandsToTake); the rest stay with the caller.
Napi::Value ThreadpoolExecutor::Submit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Float64Array commands;
  unsigned count;
  if (!CheckSubmitArgs(info, closed_, -EBADF, "threadpool submit", &commands, &count)) return env.Undefined();
  const double* base = commands.Data();
  const unsigned take = CommandsToTake(base, count, in_flight_, kCapacity);
  BufferTable buffers(info[2].As<Napi::Array>());
  std::vector<Command> batch;
  batch.reserve(take);
  for (unsigned i = 0; i < take; i++) {
    Command command;
    const int rc = DecodeCommand(base + static_cast<size_t>(i) * kStride, buffers, commands::kExecutorThreadpool, &command);
    if (rc < 0) {
      pool_->Complete(command.user_data, rc);  // still completes, like any request
    } else if (command.op == kCancel) {
      // Queued in order: what this batch queued before the cancel can be cancelled by it.
      pool_->Push(batch.data(), batch.size());
      batch.clear();
      pool_->Complete(command.user_data, pool_->Cancel(command.arg, (command.flags & kCancelAny) != 0));
    } else {
      batch.push_back(command);
    }
  }
  pool_->Push(batch.data(), batch.size());
  in_flight_ += take;
  return Napi::Number::New(env, take);
}

// wait(minComplete) -> pairs written: block until at least `minComplete` completions are ready
// (running queued file commands on this thread meanwhile), then drain them. For the sync wrappers.
Napi::Value ThreadpoolExecutor::Wait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (closed_) {
    ErrnoError(env, -EBADF, "threadpool wait").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  uint64_t wait_for = info[0].As<Napi::Number>().Uint32Value();
  if (wait_for > in_flight_) wait_for = in_flight_;  // never wait for what nothing will complete
  if (wait_for > sink_.capacity()) wait_for = sink_.capacity();
  pool_->WaitReady(static_cast<size_t>(wait_for));
  return Napi::Number::New(env, DrainInto());
}

// drain() -> pairs written, without waiting.
Napi::Value ThreadpoolExecutor::Drain(const Napi::CallbackInfo& info) {
  if (closed_) return Napi::Number::New(info.Env(), 0);
  return Napi::Number::New(info.Env(), DrainInto());
}

unsigned ThreadpoolExecutor::DrainInto() {
  bool more = false;
  const size_t n = pool_->TakeInto(sink_.pairs(), sink_.capacity(), &more);
  in_flight_ -= n;
  // What did not fit goes with the next async callback.
  if (more) async_.Send();
  return static_cast<unsigned>(n);
}

void ThreadpoolExecutor::OnReady(void* data) {
  static_cast<ThreadpoolExecutor*>(data)->async_.Send();
}

void ThreadpoolExecutor::OnAsync(void* data) {
  auto* self = static_cast<ThreadpoolExecutor*>(data);
  if (self->closed_) return;
  Napi::Env env(self->env_);
  self->sink_.Deliver(env, [self] { return self->Value(); }, [self] { return self->DrainInto(); }, [self] { return self->closed_; });
}

void ThreadpoolExecutor::SetActive(const Napi::CallbackInfo& info) {
  async_.SetActive(info[0].ToBoolean().Value());
}

// close(): JS cancels and waits for its requests first; anything left is dropped or interrupted.
void ThreadpoolExecutor::Close(const Napi::CallbackInfo& info) {
  (void)info;
  if (closed_) return;
  napi_remove_env_cleanup_hook(env_, &ThreadpoolExecutor::OnEnvCleanup, this);
  Shutdown();
}

void ThreadpoolExecutor::OnEnvCleanup(void* data) {
  static_cast<ThreadpoolExecutor*>(data)->Shutdown();
}

void ThreadpoolExecutor::Shutdown() {
  if (closed_) return;
  closed_ = true;
  // Joins every worker: after this no thread touches a JS buffer or the async handle.
  pool_->Shutdown();
  async_.Stop();
  sink_.Reset();
  Unref();
}

Napi::Value ThreadpoolExecutor::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("capacity", kCapacity);
  out.Set("inFlight", static_cast<double>(in_flight_));
  out.Set("fd", -1);
  out.Set("threads", closed_ ? 0 : pool_->threads());
  out.Set("awake", closed_ ? 0 : pool_->awake());
  out.Set("target", closed_ ? 0 : pool_->target());
  return out;
}

}  // namespace mfio::rt
