// Windows error codes as the negative numbers Node names: libuv's own error numbers on Windows
// (UV__ENOENT is -4058 there; `util.getSystemErrorName` knows them, not the C runtime's errno).
// The table follows libuv's uv_translate_sys_error, so the IOCP backend and the libuv backend
// report the same `code` for the same failure, and both agree with Linux where Windows allows.
#pragma once

#include <winsock2.h>
#include <windows.h>

#include <cstdint>

// The numbers themselves, from the uv/errno.h every Node install ships (found by CMake like
// uv.h); with _WIN32 defined it gives the Windows values.
#include <uv/errno.h>

namespace mfio::rt::win {

// A Win32 error (GetLastError) or a Winsock error (WSAGetLastError) as a negative libuv error.
int32_t UvError(DWORD error);

// The C runtime's -errno of DecodeCommand (-EFAULT, -EINVAL) as libuv's.
int32_t UvErrorFromErrno(int negative_errno);

}  // namespace mfio::rt::win
