#include "sockets.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace mfio::rt {
namespace {

Napi::Number Result(Napi::Env env, int rc) { return Napi::Number::New(env, rc < 0 ? -errno : rc); }

// socketOpen(ipv6: boolean) -> fd | -errno
Napi::Value Open(const Napi::CallbackInfo& info) {
  int family = info[0].ToBoolean().Value() ? AF_INET6 : AF_INET;
  return Result(info.Env(), socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
}

// socketListen(fd, sockaddr: Uint8Array, backlog) -> 0 | -errno
Napi::Value Listen(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  Napi::Uint8Array address = info[1].As<Napi::Uint8Array>();
  int backlog = info[2].As<Napi::Number>().Int32Value();
  int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) return Result(info.Env(), -1);
  if (bind(fd, reinterpret_cast<const sockaddr*>(address.Data()), static_cast<socklen_t>(address.ByteLength())) < 0) {
    return Result(info.Env(), -1);
  }
  return Result(info.Env(), listen(fd, backlog));
}

// socketName(fd, peer: boolean, out: Uint8Array of 128 bytes) -> sockaddr length | -errno
Napi::Value Name(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  bool peer = info[1].ToBoolean().Value();
  Napi::Uint8Array out = info[2].As<Napi::Uint8Array>();
  if (out.ByteLength() < sizeof(sockaddr_storage)) return Napi::Number::New(info.Env(), -EINVAL);
  socklen_t length = sizeof(sockaddr_storage);
  auto* address = reinterpret_cast<sockaddr*>(out.Data());
  int rc = peer ? getpeername(fd, address, &length) : getsockname(fd, address, &length);
  return Result(info.Env(), rc < 0 ? rc : static_cast<int>(length));
}

// socketNoDelay(fd) -> 0 | -errno: small writes go out at once, as Node's sockets do.
Napi::Value NoDelay(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  int one = 1;
  return Result(info.Env(), setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
}

// socketResetClose(fd) -> 0 | -errno: close with SO_LINGER 0, so the peer gets a RST at once.
Napi::Value ResetClose(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  linger option{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, sizeof option);
  return Result(info.Env(), close(fd));
}

}  // namespace

void DefineSockets(Napi::Env env, Napi::Object exports) {
  exports.Set("socketOpen", Napi::Function::New(env, Open));
  exports.Set("socketListen", Napi::Function::New(env, Listen));
  exports.Set("socketName", Napi::Function::New(env, Name));
  exports.Set("socketNoDelay", Napi::Function::New(env, NoDelay));
  exports.Set("socketResetClose", Napi::Function::New(env, ResetClose));
}

}  // namespace mfio::rt
