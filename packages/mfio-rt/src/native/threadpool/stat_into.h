// statx(2) into the 256-byte Linux `struct statx` the JS side parses (backends/engine/statx.ts).
// Elsewhere the same layout is filled from fstatat(2)/fstat(2): the basic fields, plus the birth
// time where the platform keeps one (macOS).
#pragma once

#include <cstdint>

namespace mfio::rt {

// `flags` are Linux AT_* values (AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW), as JS sends them.
// Returns 0 or -errno.
int StatInto(int dirfd, const char* path, unsigned flags, unsigned mask, uint8_t* out);

}  // namespace mfio::rt
