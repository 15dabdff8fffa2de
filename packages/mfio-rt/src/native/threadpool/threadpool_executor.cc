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

// new ThreadpoolExecutor(threads, completions: Int32Array, onCompletions: (count) => void, delivery?: 'uv' | 'tsfn')
ThreadpoolExecutor::ThreadpoolExecutor(const Napi::CallbackInfo& info) : ExecutorBase(info) {
  Napi::Env env = info.Env();
  if (!CheckExecutorArgs(info, "ThreadpoolExecutor(threads, completions: Int32Array, onCompletions, delivery?)"))
    return;
  if (!ParseDelivery(info, 3, &delivery_)) return;
  const uint32_t threads = info[0].As<Napi::Number>().Uint32Value();
  if (threads < 1 || threads > WorkerPool::kMaxThreads) {
    Napi::RangeError::New(env, "threads must be between 1 and " + std::to_string(WorkerPool::kMaxThreads))
        .ThrowAsJavaScriptException();
    return;
  }
  const bool tsfn = delivery_ == Delivery::kTsfn;
  int rc = tsfn ? tsfn_.Start(env, "mfio:threadpool", &ThreadpoolExecutor::OnAsync, this)
                : async_.Start(env, &ThreadpoolExecutor::OnAsync, this);
  if (rc < 0) {
    ErrnoError(env, rc, tsfn ? "napi_create_threadsafe_function" : "uv_async_init").ThrowAsJavaScriptException();
    return;
  }
  pool_ = std::make_unique<WorkerPool>(threads, &ThreadpoolExecutor::OnReady, this);
  rc = pool_->Start();
  if (rc < 0) {
    pool_.reset();
    async_.Stop();
    tsfn_.Stop();
    ErrnoError(env, rc, "pthread_create").ThrowAsJavaScriptException();
    return;
  }
  Open(info, "mfio:threadpool");
}

ThreadpoolExecutor::~ThreadpoolExecutor() { Shutdown(); }

Napi::Value ThreadpoolExecutor::SubmitCommands(Napi::Env env, const double* base, unsigned count,
                                               BufferTable& buffers) {
  const unsigned take = CommandsToTake(base, count, in_flight_, kCapacity);
  std::vector<Command> batch;
  batch.reserve(take);
  for (unsigned i = 0; i < take; i++) {
    Command command;
    const int rc =
        DecodeCommand(base + static_cast<size_t>(i) * kStride, buffers, commands::kExecutorThreadpool, &command);
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

// wait(minComplete): block until at least `min_complete` completions are ready, running queued
// file commands on this thread meanwhile.
int ThreadpoolExecutor::WaitFor(unsigned min_complete) {
  pool_->WaitReady(static_cast<size_t>(Waitable(min_complete)));
  return 0;
}

unsigned ThreadpoolExecutor::DrainInto() {
  bool more = false;
  const size_t n = pool_->TakeInto(sink_.pairs(), sink_.capacity(), &more);
  in_flight_ -= n;
  // What did not fit goes with the next async callback.
  if (more) Wake();
  return static_cast<unsigned>(n);
}

void ThreadpoolExecutor::OnReady(void* data) { static_cast<ThreadpoolExecutor*>(data)->Wake(); }

void ThreadpoolExecutor::Wake() {
  if (delivery_ == Delivery::kTsfn) {
    tsfn_.Send();
  } else {
    async_.Send();
  }
}

void ThreadpoolExecutor::OnAsync(void* data) { static_cast<ThreadpoolExecutor*>(data)->Deliver(); }

// Only the started one of the two does anything.
void ThreadpoolExecutor::KeepAlive(bool active) {
  async_.SetActive(active);
  tsfn_.SetActive(active);
}

// close(): JS cancels and waits for its requests first; anything left is dropped or interrupted.
void ThreadpoolExecutor::Stop() {
  // What the workers finish from here on is never delivered: no wakeup may be queued for it.
  tsfn_.Mute();
  // Joins every worker: after this no thread touches a JS buffer or the async handle.
  pool_->Shutdown();
  async_.Stop();
  tsfn_.Stop();
}

void ThreadpoolExecutor::Describe(Napi::Object out) {
  out.Set("capacity", kCapacity);
  out.Set("inFlight", static_cast<double>(in_flight_));
  out.Set("fd", -1);
  out.Set("delivery", DeliveryName(delivery_));
  out.Set("threads", closed_ ? 0 : pool_->threads());
  out.Set("awake", closed_ ? 0 : pool_->awake());
  out.Set("target", closed_ ? 0 : pool_->target());
}

}  // namespace mfio::rt
