// The socket calls io_uring has no operation for (or that are instant): create, bind+listen,
// addresses, options, close. Each returns a result or -errno; none blocks.
#pragma once

#include <napi.h>

namespace mfio::rt {

// Adds socketOpen, socketListen, socketName, socketNoDelay, socketResetClose to `exports`.
void DefineSockets(Napi::Env env, Napi::Object exports);

}  // namespace mfio::rt
