// The socket calls that need no completion (create, bind+listen, addresses, options, reset
// close) for Windows, with the same JS signatures as common/sockets.cc: each returns a result or
// a negative libuv error. A socket's number in JS is its SOCKET value.
//
// The IOCP port must close a socket with closesocket and a file with CloseHandle, and only
// knows a number: every socket made here or accepted by a port is registered until it closes.
#pragma once

#include <winsock2.h>
#include <mswsock.h>
#include <windows.h>
#include <napi.h>

#include <vector>

namespace mfio::rt::win {

// Adds socketOpen, socketListen, socketName, socketNoDelay, socketResetClose to `exports`, and
// starts Winsock.
void DefineSockets(Napi::Env env, Napi::Object exports);

void RegisterSocket(SOCKET socket);
// Whether `socket` is registered; removes it if so (it is about to be closed).
bool ForgetSocket(SOCKET socket);
// The port whose requests use `socket` (it closes the socket if its environment goes first).
void SetSocketOwner(SOCKET socket, const void* owner);
// Unregister and return every socket `owner` uses, for it to close.
std::vector<SOCKET> TakeSocketsOf(const void* owner);

// Winsock's extension functions (the same for every TCP socket of the base provider), or null
// with the error in *error.
LPFN_CONNECTEX ConnectExFor(SOCKET socket, DWORD* error);
LPFN_ACCEPTEX AcceptExFor(SOCKET socket, DWORD* error);

// A new overlapped TCP socket, not inheritable, registered; INVALID_SOCKET with the error.
SOCKET NewSocket(int family, DWORD* error);

}  // namespace mfio::rt::win
