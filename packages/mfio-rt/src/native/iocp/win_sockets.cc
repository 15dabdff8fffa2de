#include "win_sockets.h"

#include <ws2tcpip.h>

#include <unordered_map>

#include "win_errors.h"

namespace mfio::rt::win {
namespace {

SRWLOCK registry_lock = SRWLOCK_INIT;

// SRWLOCK, not std::mutex: the mingw-w64 toolchain's default (win32) thread model has none.
struct Locked {
  Locked() { AcquireSRWLockExclusive(&registry_lock); }
  ~Locked() { ReleaseSRWLockExclusive(&registry_lock); }
};

// Every socket made here or accepted, and the port using it (null until one does).
std::unordered_map<SOCKET, const void*>& Registry() {
  static auto* sockets = new std::unordered_map<SOCKET, const void*>;  // never freed: closes may run at exit
  return *sockets;
}

Napi::Number Failed(Napi::Env env) { return Napi::Number::New(env, UvError(WSAGetLastError())); }

SOCKET SocketArg(const Napi::CallbackInfo& info) {
  return static_cast<SOCKET>(info[0].As<Napi::Number>().Int64Value());
}

// socketOpen(ipv6: boolean) -> socket | -error
Napi::Value Open(const Napi::CallbackInfo& info) {
  DWORD error = 0;
  SOCKET s = NewSocket(info[0].ToBoolean().Value() ? AF_INET6 : AF_INET, &error);
  if (s == INVALID_SOCKET) return Napi::Number::New(info.Env(), UvError(error));
  return Napi::Number::New(info.Env(), static_cast<double>(s));
}

// socketListen(socket, sockaddr: Uint8Array, backlog) -> 0 | -error. No SO_REUSEADDR: on
// Windows it lets another socket steal the port, and a port in TIME_WAIT binds without it.
Napi::Value Listen(const Napi::CallbackInfo& info) {
  SOCKET s = SocketArg(info);
  Napi::Uint8Array address = info[1].As<Napi::Uint8Array>();
  int backlog = info[2].As<Napi::Number>().Int32Value();
  if (bind(s, reinterpret_cast<const sockaddr*>(address.Data()), static_cast<int>(address.ByteLength())) != 0) {
    return Failed(info.Env());
  }
  if (listen(s, backlog) != 0) return Failed(info.Env());
  return Napi::Number::New(info.Env(), 0);
}

// socketName(socket, peer: boolean, out: Uint8Array of 128 bytes) -> sockaddr length | -error
Napi::Value Name(const Napi::CallbackInfo& info) {
  SOCKET s = SocketArg(info);
  bool peer = info[1].ToBoolean().Value();
  Napi::Uint8Array out = info[2].As<Napi::Uint8Array>();
  if (out.ByteLength() < sizeof(sockaddr_storage)) return Napi::Number::New(info.Env(), UV__EINVAL);
  int length = sizeof(sockaddr_storage);
  auto* address = reinterpret_cast<sockaddr*>(out.Data());
  int rc = peer ? getpeername(s, address, &length) : getsockname(s, address, &length);
  if (rc != 0) return Failed(info.Env());
  return Napi::Number::New(info.Env(), length);
}

// socketNoDelay(socket) -> 0 | -error
Napi::Value NoDelay(const Napi::CallbackInfo& info) {
  BOOL one = TRUE;
  if (setsockopt(SocketArg(info), IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&one), sizeof one) != 0) {
    return Failed(info.Env());
  }
  return Napi::Number::New(info.Env(), 0);
}

// socketResetClose(socket) -> 0 | -error: SO_LINGER 0, so the peer gets a reset at once.
Napi::Value ResetClose(const Napi::CallbackInfo& info) {
  SOCKET s = SocketArg(info);
  linger option{1, 0};
  setsockopt(s, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&option), sizeof option);
  ForgetSocket(s);
  if (closesocket(s) != 0) return Failed(info.Env());
  return Napi::Number::New(info.Env(), 0);
}

template <typename Fn>
Fn Extension(SOCKET socket, GUID guid, DWORD* error) {
  Fn fn = nullptr;
  DWORD bytes = 0;
  if (WSAIoctl(socket, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &fn, sizeof fn, &bytes, nullptr,
               nullptr) != 0) {
    *error = WSAGetLastError();
    return nullptr;
  }
  return fn;
}

}  // namespace

void RegisterSocket(SOCKET socket) {
  Locked lock;
  Registry()[socket] = nullptr;
}

void SetSocketOwner(SOCKET socket, const void* owner) {
  Locked lock;
  auto it = Registry().find(socket);
  if (it != Registry().end()) it->second = owner;
}

std::vector<SOCKET> TakeSocketsOf(const void* owner) {
  Locked lock;
  std::vector<SOCKET> taken;
  for (auto it = Registry().begin(); it != Registry().end();) {
    if (it->second == owner) {
      taken.push_back(it->first);
      it = Registry().erase(it);
    } else {
      ++it;
    }
  }
  return taken;
}

bool ForgetSocket(SOCKET socket) {
  Locked lock;
  return Registry().erase(socket) > 0;
}

SOCKET NewSocket(int family, DWORD* error) {
  SOCKET s = WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET) {
    *error = WSAGetLastError();
    return s;
  }
  RegisterSocket(s);
  return s;
}

LPFN_CONNECTEX ConnectExFor(SOCKET socket, DWORD* error) {
  static LPFN_CONNECTEX cached = nullptr;  // a benign race: every thread finds the same pointer
  if (cached == nullptr) cached = Extension<LPFN_CONNECTEX>(socket, WSAID_CONNECTEX, error);
  return cached;
}

LPFN_ACCEPTEX AcceptExFor(SOCKET socket, DWORD* error) {
  static LPFN_ACCEPTEX cached = nullptr;
  if (cached == nullptr) cached = Extension<LPFN_ACCEPTEX>(socket, WSAID_ACCEPTEX, error);
  return cached;
}

void DefineSockets(Napi::Env env, Napi::Object exports) {
  WSADATA data;
  WSAStartup(MAKEWORD(2, 2), &data);  // counted: one per addon instance, never undone (exit does)
  exports.Set("socketOpen", Napi::Function::New(env, Open));
  exports.Set("socketListen", Napi::Function::New(env, Listen));
  exports.Set("socketName", Napi::Function::New(env, Name));
  exports.Set("socketNoDelay", Napi::Function::New(env, NoDelay));
  exports.Set("socketResetClose", Napi::Function::New(env, ResetClose));
}

}  // namespace mfio::rt::win
