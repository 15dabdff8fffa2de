// FileSplice: a file's page-cache bytes sent down a socket with splice(2) through a pipe, never
// copied through user memory (Linux only). For servers answering large reads: the kernel hands
// the socket references to the cached pages instead of a read copying them out and a send
// copying them back in. Every call is synchronous and returns at once: bytes not yet cached are
// refused (cachestat(2)), a full socket takes what it can and the rest is handed back.
#pragma once

#include <napi.h>

namespace mfio::rt {

// Adds the FileSplice class to `exports`.
void DefineFileSplice(Napi::Env env, Napi::Object exports);

}  // namespace mfio::rt
