// The command layout as this addon was compiled (commands.h), exported as commandLayout() so a
// test can compare it with the TypeScript side: a stale build or a hand edit shows up there.
#pragma once

#include <napi.h>

namespace mfio::rt {

void DefineCommandLayout(Napi::Env env, Napi::Object exports);

}  // namespace mfio::rt
