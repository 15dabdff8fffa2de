// The addon's one entry point: registers each native backend compiled for this platform.
#include <napi.h>

#include "common/aligned_buffer.h"
#include "common/command_layout.h"

#ifndef _WIN32
#include "common/read_arena.h"
#include "common/sockets.h"
#include "threadpool/threadpool_executor.h"
#endif
#ifdef __linux__
#include "common/file_splice.h"
#include "io_uring/uring_executor.h"
#endif
#ifdef _WIN32
#include "iocp/iocp_executor.h"
#include "iocp/win_sockets.h"
#endif

namespace {

// "@mfio/rt@<version>" whole in the binary: the version is what the loader checks
// (src/native/addon.ts), the prefix lets a test find and change it (test/packaging.test.ts).
constexpr char kVersionTag[] = "@mfio/rt@" MFIO_RT_VERSION;
constexpr size_t kVersionPrefix = sizeof("@mfio/rt@") - 1;

Napi::Object Init(Napi::Env env, Napi::Object exports) {
#ifdef _WIN32
  // Node unloads a worker's addons when the worker goes, while the port's waiter thread or a
  // thread-pool work item may still be running our code: pin the module for the process's life
  // (what -z nodelete does for the ELF build, CMakeLists.txt).
  HMODULE self = nullptr;
  GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
                     reinterpret_cast<LPCWSTR>(&Init), &self);
#endif
  exports.Set("version", Napi::String::New(env, kVersionTag + kVersionPrefix));
  mfio::rt::DefinePageOffset(env, exports);
  mfio::rt::DefineCommandLayout(env, exports);
#ifndef _WIN32
  mfio::rt::DefineSockets(env, exports);
  mfio::rt::DefineReadArena(env, exports);
  exports.Set("ThreadpoolExecutor", mfio::rt::ThreadpoolExecutor::Define(env));
#endif
#ifdef __linux__
  exports.Set("UringExecutor", mfio::rt::UringExecutor::Define(env));
  mfio::rt::DefineFileSplice(env, exports);
#endif
#ifdef _WIN32
  mfio::rt::win::DefineSockets(env, exports);
  exports.Set("IocpExecutor", mfio::rt::win::IocpExecutor::Define(env));
#endif
  return exports;
}

}  // namespace

NODE_API_MODULE(mfio_rt, Init)
