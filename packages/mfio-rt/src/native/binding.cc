// The addon's one entry point: registers each native backend compiled for this platform.
#include <napi.h>

#include "common/aligned_buffer.h"

#ifndef _WIN32
#include "common/sockets.h"
#include "threadpool/thread_pool.h"
#endif
#ifdef __linux__
#include "io_uring/uring_ring.h"
#endif
#ifdef _WIN32
#include "iocp/iocp_port.h"
#include "iocp/win_sockets.h"
#endif

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  mfio::rt::DefinePageOffset(env, exports);
#ifndef _WIN32
  mfio::rt::DefineSockets(env, exports);
  exports.Set("ThreadPool", mfio::rt::ThreadPool::Define(env));
#endif
#ifdef __linux__
  exports.Set("UringRing", mfio::rt::UringRing::Define(env));
#endif
#ifdef _WIN32
  mfio::rt::win::DefineSockets(env, exports);
  exports.Set("IocpPort", mfio::rt::win::IocpPort::Define(env));
#endif
  return exports;
}

}  // namespace

NODE_API_MODULE(mfio_rt, Init)
