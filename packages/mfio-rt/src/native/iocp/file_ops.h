// The file and directory commands Windows has no overlapped form for: open, flush, stat, mkdir,
// unlink, rmdir, rename, link and set-length are plain blocking Win32 calls, which the port runs
// on the system thread pool and completes through itself. Each returns a result >= 0 (open: the
// HANDLE's value) or a negative libuv error, with the code Linux would give where the two
// differ (a file where a directory is expected is ENOTDIR, not ENOENT; unlinking a directory is
// EISDIR, not EPERM).
#pragma once

#include <winsock2.h>
#include <windows.h>

#include <cstdint>

#include "../common/command.h"

namespace mfio::rt::win {

// True for the commands RunBlockingCommand runs.
bool IsBlockingCommand(int op);

// Run `c`. A file it opens is associated with `port` under `key` before it is returned, so its
// reads and writes complete there.
int32_t RunBlockingCommand(const Command& c, HANDLE port, ULONG_PTR key);

}  // namespace mfio::rt::win
