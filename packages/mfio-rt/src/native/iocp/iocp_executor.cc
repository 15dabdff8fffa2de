#include "iocp_executor.h"

#include <ws2tcpip.h>
#include <mswsock.h>

#include <string>
#include <vector>

#include "../common/buffer_table.h"
#include "../common/commands.h"
#include "../common/executor_args.h"
#include "file_ops.h"
#include "win_errors.h"
#include "win_sockets.h"

namespace mfio::rt::win {

using namespace commands;

namespace {

constexpr unsigned kCancelAny = 1u << 2;  // IORING_ASYNC_CANCEL_ANY, as NativeQueue.close() sends it
// Completion keys: the kernel's packets for our handles, a blocking command's result posted by
// the system thread pool, and the waiter's stop signal.
constexpr ULONG_PTR kKeyIo = 1;
constexpr ULONG_PTR kKeyPosted = 2;
constexpr ULONG_PTR kKeyStop = 3;
// Packets taken per GetQueuedCompletionStatusEx call.
constexpr ULONG kBatch = 256;
// AcceptEx's room for each address: the largest sockaddr plus the 16 bytes it requires.
constexpr DWORD kAcceptAddressSize = sizeof(sockaddr_in6) + 16;

HANDLE HandleOf(int fd) { return reinterpret_cast<HANDLE>(static_cast<intptr_t>(fd)); }
SOCKET SocketOf(int fd) { return static_cast<SOCKET>(static_cast<intptr_t>(fd)); }

// Holds an SRWLOCK for a scope (the mingw-w64 default thread model has no std::mutex).
struct Locked {
  explicit Locked(SRWLOCK* lock) : lock_(lock) { AcquireSRWLockExclusive(lock_); }
  ~Locked() { ReleaseSRWLockExclusive(lock_); }
  SRWLOCK* lock_;
};

// Associate `handle` with `port`; a handle already associated (ERROR_INVALID_PARAMETER: a
// listening socket's second accept) is fine.
DWORD Associate(HANDLE handle, HANDLE port) {
  if (CreateIoCompletionPort(handle, port, kKeyIo, 0) != nullptr) return 0;
  const DWORD error = GetLastError();
  return error == ERROR_INVALID_PARAMETER ? 0 : error;
}

// A read that failed for reaching the end (of a file, of a pipe whose writer left, of a socket
// shut for reading) read 0 bytes, as on Linux.
bool IsEndOfRead(int op, DWORD error) {
  if (op == kRecv) return error == WSAESHUTDOWN;
  return op == kRead && (error == ERROR_HANDLE_EOF || error == ERROR_BROKEN_PIPE);
}

}  // namespace

struct Operation {
  OVERLAPPED overlapped{};  // the packet names the Operation by this, so it comes first
  IocpExecutor* port = nullptr;
  Command command;
  bool blocking = false;               // on the system thread pool: CancelIoEx cannot reach it
  std::atomic<bool> read_shut{false};  // a recv cancelled by shutdown(SHUT_RD): it read 0 bytes, as on Linux
  int32_t result = 0;                  // a blocking command's result, posted with kKeyPosted
  SOCKET accept_socket = INVALID_SOCKET;
  char addresses[2 * kAcceptAddressSize];
};

// new IocpExecutor(size, completions: Int32Array, onCompletions: (count) => void). `size` is the
// port's concurrency value (0: as many threads as cores); one thread dequeues, so it is advisory.
IocpExecutor::IocpExecutor(const Napi::CallbackInfo& info) : ExecutorBase(info) {
  Napi::Env env = info.Env();
  if (!CheckExecutorArgs(info, "IocpExecutor(size, completions: Int32Array, onCompletions)")) return;
  port_ = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
  if (port_ == nullptr) {
    ErrnoError(env, UvError(GetLastError()), "CreateIoCompletionPort").ThrowAsJavaScriptException();
    return;
  }
  napi_value name;
  napi_create_string_utf8(env, "mfio:iocp", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, nullptr, nullptr, this, &IocpExecutor::CallJs,
                                      &wake_) != napi_ok) {
    CloseHandle(port_);
    port_ = nullptr;
    Napi::Error::New(env, "napi_create_threadsafe_function failed").ThrowAsJavaScriptException();
    return;
  }
  // Idle: the port must not keep Node's loop alive until requests are in flight.
  napi_unref_threadsafe_function(env, wake_);
  waiter_ = CreateThread(nullptr, 0, &IocpExecutor::WaiterMain, this, 0, nullptr);
  if (waiter_ == nullptr) {
    const DWORD error = GetLastError();
    napi_release_threadsafe_function(wake_, napi_tsfn_abort);
    wake_ = nullptr;
    CloseHandle(port_);
    port_ = nullptr;
    ErrnoError(env, UvError(error), "CreateThread").ThrowAsJavaScriptException();
    return;
  }
  Open(info, "mfio:iocp");
}

IocpExecutor::~IocpExecutor() { Shutdown(); }

Napi::Value IocpExecutor::SubmitCommands(Napi::Env env, const double* base, unsigned count, BufferTable& buffers) {
  const unsigned take = CommandsToTake(base, count, in_flight_, kCapacity);
  in_flight_ += take;
  for (unsigned i = 0; i < take; i++) {
    Command command;
    const int rc = DecodeCommand(base + static_cast<size_t>(i) * kStride, buffers, commands::kExecutorIocp, &command);
    if (rc < 0) {
      Complete(command.user_data, UvErrorFromErrno(rc));  // still completes, like any request
    } else {
      Start(command);
    }
  }
  return Napi::Number::New(env, take);
}

void IocpExecutor::Start(const Command& c) {
  switch (c.op) {
    case kNop:
      Complete(c.user_data, 0);
      return;
    case kCancel:
      Complete(c.user_data, Cancel(c.arg, (c.flags & kCancelAny) != 0));
      return;
    case kClose: {
      // JS closes a handle only after every request on it completed.
      int32_t res = 0;
      if (ForgetSocket(SocketOf(c.fd))) {
        if (closesocket(SocketOf(c.fd)) != 0) res = UvError(WSAGetLastError());
      } else {
        {
          Locked lock(&lock_);
          files_.erase(HandleOf(c.fd));
        }
        if (!CloseHandle(HandleOf(c.fd))) res = UvError(GetLastError());
      }
      Complete(c.user_data, res);
      return;
    }
    case kShutdown:
      Complete(c.user_data, ShutdownSocket(c));
      return;
    case kOpenAt2:
      // RESOLVE_BENEATH has no Windows counterpart here.
      Complete(c.user_data, UV__ENOSYS);
      return;
    default:
      break;
  }
  auto* op = new Operation;
  op->port = this;
  op->command = c;
  if (IsBlockingCommand(c.op)) {
    op->blocking = true;
    {
      Locked lock(&lock_);
      running_[c.user_data] = op;
    }
    if (!TrySubmitThreadpoolCallback(&IocpExecutor::RunBlocking, op, nullptr)) {
      const DWORD error = GetLastError();
      {
        Locked lock(&lock_);
        running_.erase(c.user_data);
      }
      delete op;
      Complete(c.user_data, UvError(error));
    }
    return;
  }
  switch (c.op) {
    case kRead:
    case kWrite:
    case kRecv:
    case kSend:
    case kConnect:
    case kAccept:
      StartOverlapped(op);
      return;
    default:
      delete op;
      Complete(c.user_data, UV__EINVAL);
      return;
  }
}

void IocpExecutor::StartOverlapped(Operation* op) {
  const Command& c = op->command;
  {
    // Registered before the call: the waiter may dequeue its packet before the call returns.
    Locked lock(&lock_);
    running_[c.user_data] = op;
  }
  BOOL ok = FALSE;
  DWORD error = 0;
  switch (c.op) {
    case kRead:
    case kWrite: {
      op->overlapped.Offset = static_cast<DWORD>(c.arg);
      op->overlapped.OffsetHigh = static_cast<DWORD>(c.arg >> 32);
      ok = c.op == kRead ? ReadFile(HandleOf(c.fd), c.data, c.len, nullptr, &op->overlapped)
                         : WriteFile(HandleOf(c.fd), c.data, c.len, nullptr, &op->overlapped);
      if (!ok) error = GetLastError();
      break;
    }
    case kRecv:
    case kSend: {
      WSABUF buffer{c.len, reinterpret_cast<char*>(c.data)};
      DWORD flags = 0;  // MSG_NOSIGNAL means nothing here: Windows raises no SIGPIPE
      const int rc = c.op == kRecv ? WSARecv(SocketOf(c.fd), &buffer, 1, nullptr, &flags, &op->overlapped, nullptr)
                                   : WSASend(SocketOf(c.fd), &buffer, 1, nullptr, 0, &op->overlapped, nullptr);
      ok = rc == 0;
      if (!ok) error = WSAGetLastError();
      break;
    }
    case kConnect: {
      // ConnectEx wants a bound socket: the wildcard address of the target's family, port 0.
      const SOCKET s = SocketOf(c.fd);
      const auto* target = reinterpret_cast<const sockaddr*>(c.data);
      sockaddr_storage any{};
      any.ss_family = target->sa_family;
      const int any_length = target->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
      LPFN_CONNECTEX connect_ex = nullptr;
      SetSocketOwner(s, this);
      if (bind(s, reinterpret_cast<const sockaddr*>(&any), any_length) != 0) {
        error = WSAGetLastError();
      } else if ((error = Associate(reinterpret_cast<HANDLE>(s), port_)) == 0 &&
                 (connect_ex = ConnectExFor(s, &error)) != nullptr) {
        ok = connect_ex(s, target, static_cast<int>(c.len), nullptr, 0, nullptr, &op->overlapped);
        if (!ok) error = WSAGetLastError();
      }
      break;
    }
    case kAccept: {
      const SOCKET listener = SocketOf(c.fd);
      sockaddr_storage local{};
      int local_length = sizeof local;
      LPFN_ACCEPTEX accept_ex = nullptr;
      SetSocketOwner(listener, this);
      if (getsockname(listener, reinterpret_cast<sockaddr*>(&local), &local_length) != 0) {
        error = WSAGetLastError();
      } else if ((error = Associate(reinterpret_cast<HANDLE>(listener), port_)) == 0 &&
                 (accept_ex = AcceptExFor(listener, &error)) != nullptr &&
                 (op->accept_socket = NewSocket(local.ss_family, &error)) != INVALID_SOCKET) {
        DWORD received = 0;
        ok = accept_ex(listener, op->accept_socket, op->addresses, 0, kAcceptAddressSize, kAcceptAddressSize, &received,
                       &op->overlapped);
        if (!ok) error = WSAGetLastError();
      }
      break;
    }
    default:
      error = ERROR_INVALID_FUNCTION;
      break;
  }
  // Started (at once or pending): the packet comes through the port, success or not.
  if (ok || error == ERROR_IO_PENDING) return;
  // Failed at once: no packet will come.
  {
    Locked lock(&lock_);
    running_.erase(c.user_data);
  }
  if (op->accept_socket != INVALID_SOCKET) {
    ForgetSocket(op->accept_socket);
    closesocket(op->accept_socket);
  }
  const uint64_t user_data = c.user_data;
  const int32_t res = IsEndOfRead(c.op, error) ? 0 : UvError(error);
  delete op;
  Complete(user_data, res);
}

int32_t IocpExecutor::ShutdownSocket(const Command& c) {
  // SHUT_RD/WR/RDWR are SD_RECEIVE/SEND/BOTH (0, 1, 2).
  const SOCKET s = SocketOf(c.fd);
  if (shutdown(s, static_cast<int>(c.len)) != 0) return UvError(WSAGetLastError());
  if (c.len == SD_SEND) return 0;
  // Linux ends a pending recv with 0 bytes; Windows leaves it waiting for data: cancel it, and
  // its cancellation reads as the end.
  Locked lock(&lock_);
  for (auto& [user_data, op] : running_) {
    (void)user_data;
    if (op->command.op == kRecv && op->command.fd == c.fd) {
      op->read_shut = true;
      CancelIoEx(HandleOf(c.fd), &op->overlapped);
    }
  }
  return 0;
}

void CALLBACK IocpExecutor::RunBlocking(PTP_CALLBACK_INSTANCE instance, void* data) {
  (void)instance;
  auto* op = static_cast<Operation*>(data);
  IocpExecutor* self = op->port;
  op->result = RunBlockingCommand(op->command, self->port_, kKeyIo);
  // The waiter finishes it like any packet; posting cannot fail for a valid port, which lives
  // until every running command has come back.
  PostQueuedCompletionStatus(self->port_, 0, kKeyPosted, &op->overlapped);
}

int32_t IocpExecutor::Cancel(uint64_t target, bool any) {
  Locked lock(&lock_);
  // Under the lock: the waiter frees an Operation only after taking it out of running_.
  if (any) {
    for (auto& [user_data, op] : running_) {
      (void)user_data;
      if (!op->blocking) CancelIoEx(HandleOf(op->command.fd), &op->overlapped);
    }
    return 0;
  }
  auto it = running_.find(target);
  if (it == running_.end()) return UV__ENOENT;
  Operation* op = it->second;
  if (op->blocking) return UV__EALREADY;  // a blocking call runs to its end
  if (CancelIoEx(HandleOf(op->command.fd), &op->overlapped)) return 0;
  const DWORD error = GetLastError();
  return error == ERROR_NOT_FOUND ? UV__EALREADY : UvError(error);  // completing already
}

void IocpExecutor::Complete(uint64_t user_data, int32_t res) {
  {
    Locked lock(&lock_);
    done_.emplace_back(user_data, res);
    WakeAllConditionVariable(&changed_);
  }
  Wake();
}

int32_t IocpExecutor::Finish(Operation* op, DWORD bytes) {
  const Command& c = op->command;
  if (op->blocking) {
    if (c.op == kOpenAt && op->result >= 0) {
      Locked lock(&lock_);
      files_.insert(HandleOf(op->result));
    }
    return op->result;
  }
  BOOL ok;
  DWORD error = 0;
  if (c.op == kRead || c.op == kWrite) {
    ok = GetOverlappedResult(HandleOf(c.fd), &op->overlapped, &bytes, FALSE);
    if (!ok) error = GetLastError();
  } else {
    DWORD flags = 0;
    ok = WSAGetOverlappedResult(SocketOf(c.fd), &op->overlapped, &bytes, FALSE, &flags);
    if (!ok) error = WSAGetLastError();
  }
  if (c.op == kAccept) {
    const SOCKET accepted = op->accept_socket;
    op->accept_socket = INVALID_SOCKET;
    if (ok) {
      // The accepted socket takes the listener's properties, so getpeername/shutdown work.
      const SOCKET listener = SocketOf(c.fd);
      setsockopt(accepted, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, reinterpret_cast<const char*>(&listener),
                 sizeof listener);
      error = Associate(reinterpret_cast<HANDLE>(accepted), port_);
      if (error == 0) {
        SetSocketOwner(accepted, this);
        return static_cast<int32_t>(accepted);
      }
    }
    ForgetSocket(accepted);
    closesocket(accepted);
    return IsEndOfRead(c.op, error) ? 0 : UvError(error);
  }
  if (!ok) {
    if (op->read_shut && error == ERROR_OPERATION_ABORTED) return 0;
    return IsEndOfRead(c.op, error) ? 0 : UvError(error);
  }
  if (c.op == kConnect) {
    setsockopt(SocketOf(c.fd), SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nullptr, 0);
    return 0;
  }
  return static_cast<int32_t>(bytes);
}

DWORD WINAPI IocpExecutor::WaiterMain(void* self) {
  static_cast<IocpExecutor*>(self)->RunWaiter();
  return 0;
}

void IocpExecutor::RunWaiter() {
  std::vector<OVERLAPPED_ENTRY> entries(kBatch);
  std::vector<std::pair<uint64_t, int32_t>> results;
  std::vector<Operation*> finished;
  bool stop = false;
  while (!stop) {
    ULONG n = 0;
    if (!GetQueuedCompletionStatusEx(port_, entries.data(), kBatch, &n, INFINITE, FALSE)) {
      // Only a port that is gone fails an infinite wait; ours lives until this thread is joined.
      const DWORD error = GetLastError();
      if (error == ERROR_ABANDONED_WAIT_0 || error == ERROR_INVALID_HANDLE) return;
      continue;
    }
    results.clear();
    finished.clear();
    for (ULONG i = 0; i < n; i++) {
      if (entries[i].lpCompletionKey == kKeyStop) {
        stop = true;
        continue;
      }
      auto* op = reinterpret_cast<Operation*>(entries[i].lpOverlapped);
      results.emplace_back(op->command.user_data, Finish(op, entries[i].dwNumberOfBytesTransferred));
      finished.push_back(op);
    }
    if (results.empty()) continue;
    {
      Locked lock(&lock_);
      for (auto& result : results) {
        running_.erase(result.first);
        done_.push_back(result);
      }
      WakeAllConditionVariable(&changed_);
    }
    for (Operation* op : finished) delete op;
    Wake();  // one wakeup per drained batch: JS gets them all in one callback
  }
}

void IocpExecutor::Wake() {
  if (wake_pending_.exchange(true)) return;
  napi_call_threadsafe_function(wake_, nullptr, napi_tsfn_nonblocking);
}

void IocpExecutor::CallJs(napi_env env, napi_value js_callback, void* context, void* data) {
  (void)js_callback;
  (void)data;
  // A call left over when the function was released: the port may be gone, touch nothing.
  if (env == nullptr) return;
  auto* self = static_cast<IocpExecutor*>(context);
  self->wake_pending_.store(false);
  self->Deliver();
}

unsigned IocpExecutor::DrainInto() {
  unsigned n = 0;
  bool more;
  {
    Locked lock(&lock_);
    const unsigned capacity = sink_.capacity();
    while (n < capacity && !done_.empty()) {
      sink_.Put(n++, done_.front().first, done_.front().second);
      done_.pop_front();
    }
    more = !done_.empty();
  }
  in_flight_ -= n;
  if (more) {
    // What did not fit goes with the next callback.
    wake_pending_.store(false);
    Wake();
  }
  return n;
}

// wait(minComplete): block until at least `min_complete` completions are ready.
int IocpExecutor::WaitFor(unsigned min_complete) {
  const uint64_t wait_for = Waitable(min_complete);
  Locked lock(&lock_);
  while (done_.size() < wait_for) SleepConditionVariableSRW(&changed_, &lock_, INFINITE, 0);
  return 0;
}

void IocpExecutor::KeepAlive(bool active) {
  if (active == active_) return;
  active_ = active;
  if (active) {
    napi_ref_threadsafe_function(env_, wake_);
  } else {
    napi_unref_threadsafe_function(env_, wake_);
  }
}

// close(): JS cancels and waits for its requests first; anything left is cancelled and waited
// for here.
void IocpExecutor::Stop() {
  {
    // The kernel may write into a buffer until its packet is dequeued: cancel what is left and
    // wait for every packet (a blocking command finishes on its own).
    Locked lock(&lock_);
    for (auto& [user_data, op] : running_) {
      (void)user_data;
      if (!op->blocking) CancelIoEx(HandleOf(op->command.fd), &op->overlapped);
    }
    while (!running_.empty()) SleepConditionVariableSRW(&changed_, &lock_, INFINITE, 0);
    done_.clear();
    // JS closes its handles before close(); these are left only when the environment goes
    // first (a terminated worker): close them, or the peers of its sockets wait forever.
    for (HANDLE file : files_) CloseHandle(file);
    files_.clear();
  }
  for (SOCKET s : TakeSocketsOf(this)) closesocket(s);
  PostQueuedCompletionStatus(port_, 0, kKeyStop, nullptr);
  WaitForSingleObject(waiter_, INFINITE);
  CloseHandle(waiter_);
  waiter_ = nullptr;
  CloseHandle(port_);
  port_ = nullptr;
  // Calls still queued are dropped (CallJs sees no env): nothing is left to deliver.
  napi_release_threadsafe_function(wake_, napi_tsfn_abort);
  wake_ = nullptr;
}

void IocpExecutor::Describe(Napi::Object out) {
  out.Set("capacity", kCapacity);
  out.Set("inFlight", static_cast<double>(in_flight_));
  out.Set("fd", -1);
}

}  // namespace mfio::rt::win
