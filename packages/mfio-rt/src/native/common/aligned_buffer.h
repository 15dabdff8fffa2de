// pageOffset(buffer): how many bytes from the start of `buffer` to the next page boundary, so JS
// can carve page-aligned read destinations out of ordinary (GC-managed) Buffers. Page-cache reads
// copy into them at full speed: a destination 16 bytes past a page boundary (where malloc puts
// large blocks) makes each copy's loads alias its own recent stores (4K aliasing), and 64 KiB
// reads ran at about half speed here.
#pragma once

#include <napi.h>

namespace mfio::rt {

void DefinePageOffset(Napi::Env env, Napi::Object exports);

}  // namespace mfio::rt
