// The IOCP executor: the same JS interface as UringExecutor and ThreadpoolExecutor (src/native/addon.ts),
// so the shared NativeQueue and drivers run on it unchanged.
//
// submit() decodes each command on the JS thread and starts it at once: file reads and writes
// as overlapped ReadFile/WriteFile at their offsets, sockets with ConnectEx, AcceptEx, WSARecv,
// WSASend; what Windows has no overlapped call for (open, stat, flush, directory operations)
// runs blocking on the system thread pool and posts its result to the same port. One waiter
// thread drains the port with GetQueuedCompletionStatusEx and wakes the JS thread through a
// napi_threadsafe_function (Node-API only: node.exe's libuv symbols are not in the import
// library node-api-headers gives us); its callback hands every ready completion to JS in one
// call.
//
// Memory: each started command owns an Operation (its OVERLAPPED and, for accept, the address
// buffer), freed only when its completion packet has been dequeued. JS keeps the command's
// buffers reachable until it hears the completion. Cancellation is CancelIoEx, whose effect is
// a completion (usually ERROR_OPERATION_ABORTED) like any other; close() and the environment's
// cleanup cancel what is left and wait for every packet before the port goes.
#pragma once

#include <winsock2.h>
#include <windows.h>
#include <napi.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "../common/command.h"
#include "../common/executor_base.h"
#include "win_errors.h"

namespace mfio::rt::win {

struct Operation;

class IocpExecutor : public ExecutorBase<IocpExecutor> {
 public:
  explicit IocpExecutor(const Napi::CallbackInfo& info);
  ~IocpExecutor() override;

  // Requests accepted at once; NativeQueue keeps the rest queued in JS.
  static constexpr unsigned kCapacity = 4096;

 private:
  friend class ExecutorBase<IocpExecutor>;
  static constexpr const char* kClassName = "IocpExecutor";
  static constexpr int kBadFd = UV__EBADF;
  static constexpr const char* kSubmitCall = "iocp submit";
  static constexpr const char* kWaitCall = "iocp wait";

  // Decode the commands and start each at once: others up to the room left under kCapacity,
  // cancels always (CommandsToTake).
  Napi::Value SubmitCommands(Napi::Env env, const double* base, unsigned count, BufferTable& buffers);
  // Block until `min_complete` completions are ready.
  int WaitFor(unsigned min_complete);
  void KeepAlive(bool active);
  void Describe(Napi::Object out);

  // JS thread: start one decoded command; its result comes later through the port, or now.
  void Start(const Command& c);
  void StartOverlapped(Operation* op);
  // JS thread: shutdown(2) with Linux's effect on pending receives.
  int32_t ShutdownSocket(const Command& c);
  // JS thread: the cancel command's own result.
  int32_t Cancel(uint64_t target, bool any);
  // Any thread: a result for JS.
  void Complete(uint64_t user_data, int32_t res);
  // Waiter thread: the result of a dequeued packet.
  int32_t Finish(Operation* op, DWORD bytes);
  void RunWaiter();
  static DWORD WINAPI WaiterMain(void* self);
  static void CALLBACK RunBlocking(PTP_CALLBACK_INSTANCE instance, void* op);
  static void CallJs(napi_env env, napi_value js_callback, void* context, void* data);
  // Ask the JS thread to drain, unless a wakeup is already on its way.
  void Wake();
  // JS thread: move ready completions into the shared array; returns the pairs written.
  unsigned DrainInto();
  // Cancel what is left, wait for every packet, close what the port's requests left open, stop
  // the waiter and release the port.
  void Stop();

  HANDLE port_ = nullptr;
  HANDLE waiter_ = nullptr;
  napi_threadsafe_function wake_ = nullptr;

  SRWLOCK lock_ = SRWLOCK_INIT;
  CONDITION_VARIABLE changed_ = CONDITION_VARIABLE_INIT;  // a completion arrived
  // Guarded by lock_: results not yet taken by JS, and the started commands by user_data.
  std::deque<std::pair<uint64_t, int32_t>> done_;
  std::unordered_map<uint64_t, Operation*> running_;
  // The files this port opened and JS has not closed: closed by Shutdown, for an environment
  // that goes away with handles open (a terminated worker). Sockets: see SetSocketOwner.
  std::unordered_set<HANDLE> files_;

  std::atomic<bool> wake_pending_{false};
  bool active_ = false;
};

}  // namespace mfio::rt::win
