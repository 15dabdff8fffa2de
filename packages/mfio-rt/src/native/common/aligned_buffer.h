// alignedBuffer(size): a zeroed Buffer whose memory starts on a page boundary. Page-cache reads
// copy into it at full speed: a destination 16 bytes past a page boundary (where malloc puts
// large blocks) makes each copy's loads alias its own recent stores (4K aliasing), and 64 KiB
// reads ran at about half speed here.
#pragma once

#include <napi.h>

namespace mfio::rt {

void DefineAlignedBuffer(Napi::Env env, Napi::Object exports);

}  // namespace mfio::rt
