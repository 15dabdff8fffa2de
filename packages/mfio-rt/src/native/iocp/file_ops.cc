#include "file_ops.h"

#include <fcntl.h>

#include <cstring>
#include <string>

#include "../common/commands.h"
#include "win_errors.h"

namespace mfio::rt::win {
namespace {

using namespace commands;

// Linux's AT_SYMLINK_NOFOLLOW, as JS sends it (the other AT_* flags JS sends are in commands.h).
constexpr unsigned kAtSymlinkNofollow = 0x100;

// struct statx (linux/stat.h), the layout JS parses (src/backends/engine/statx.ts).
constexpr size_t kStatxMask = 0;
constexpr size_t kStatxMode = 28;
constexpr size_t kStatxSize = 40;
constexpr size_t kStatxAtime = 64;
constexpr size_t kStatxBtime = 80;
constexpr size_t kStatxCtime = 96;
constexpr size_t kStatxMtime = 112;
constexpr uint32_t kStatxBasicStatsAndBtime = 0x7ff | 0x800;
constexpr uint16_t kIfReg = 0100000;
constexpr uint16_t kIfDir = 0040000;
constexpr uint16_t kIfLnk = 0120000;

// 100 ns intervals from 1601-01-01 to 1970-01-01.
constexpr int64_t kUnixEpochInFiletime = 116444736000000000LL;

HANDLE HandleOf(int fd) { return reinterpret_cast<HANDLE>(static_cast<intptr_t>(fd)); }

// UTF-8 (as JS encodes paths) to the UTF-16 Win32 wants; false if it is not valid UTF-8.
bool Widen(const uint8_t* utf8, std::wstring* out) {
  const char* text = reinterpret_cast<const char*>(utf8);
  const int length = static_cast<int>(std::strlen(text));
  if (length == 0) {
    out->clear();
    return true;
  }
  const int wide = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text, length, nullptr, 0);
  if (wide <= 0) return false;
  out->resize(static_cast<size_t>(wide));
  return MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text, length, out->data(), wide) == wide;
}

DWORD AttributesOf(const std::wstring& path) { return GetFileAttributesW(path.c_str()); }

bool IsDirectory(DWORD attributes) {
  return attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
}

// Windows says "path not found" where one of the path's directories is a file; Linux says
// ENOTDIR. Look for such a component (only after a failure, so the cost is on the error path).
int32_t NotFound(const std::wstring& path) {
  // Past the \\?\ prefix JS puts on every path (see cPath in command-builder.ts).
  const size_t start = path.rfind(L"\\\\?\\", 0) == 0 ? 4 : 0;
  for (size_t i = start; i < path.size(); i++) {
    if (path[i] != L'\\' && path[i] != L'/') continue;
    if (i == start || path[i - 1] == L':' || path[i - 1] == L'\\' || path[i - 1] == L'/') continue;  // a root
    const DWORD attributes = AttributesOf(path.substr(0, i));
    if (attributes == INVALID_FILE_ATTRIBUTES) return UV__ENOENT;
    if ((attributes & FILE_ATTRIBUTE_DIRECTORY) == 0) return UV__ENOTDIR;
  }
  return UV__ENOENT;
}

// The error of a path call: not-found refined to ENOTDIR where Linux would say so.
int32_t PathError(DWORD error, const std::wstring& path) {
  if (error == ERROR_PATH_NOT_FOUND || error == ERROR_FILE_NOT_FOUND || error == ERROR_DIRECTORY) {
    const int32_t refined = NotFound(path);
    if (refined == UV__ENOTDIR || error != ERROR_DIRECTORY) return refined;
  }
  return UvError(error);
}

// libuv's UV_FS_O_DIRECT on Windows (uv/win.h), which JS passes for `direct: true`.
constexpr unsigned kUvFsODirect = 0x02000000;

int32_t Open(const Command& c, HANDLE port, ULONG_PTR key) {
  std::wstring path;
  if (!Widen(c.data, &path)) return UV__EINVAL;
  const unsigned flags = c.flags;  // the C runtime's _O_* values: Node's fs.constants on Windows
  DWORD access;
  switch (flags & (_O_RDONLY | _O_WRONLY | _O_RDWR)) {
    case _O_WRONLY:
      access = FILE_GENERIC_WRITE;
      break;
    case _O_RDWR:
      access = FILE_GENERIC_READ | FILE_GENERIC_WRITE;
      break;
    default:
      access = FILE_GENERIC_READ;
      break;
  }
  // Append-only access: every write goes to the end whatever its offset, as O_APPEND.
  if (flags & _O_APPEND) access = (access & ~FILE_WRITE_DATA) | FILE_APPEND_DATA;
  DWORD disposition;
  if ((flags & (_O_CREAT | _O_EXCL)) == (_O_CREAT | _O_EXCL)) {
    disposition = CREATE_NEW;
  } else if ((flags & (_O_CREAT | _O_TRUNC)) == (_O_CREAT | _O_TRUNC)) {
    disposition = CREATE_ALWAYS;
  } else if (flags & _O_CREAT) {
    disposition = OPEN_ALWAYS;
  } else if (flags & _O_TRUNC) {
    disposition = TRUNCATE_EXISTING;
  } else {
    disposition = OPEN_EXISTING;
  }
  // BACKUP_SEMANTICS lets a directory open too; JS stats what it opened and refuses a directory
  // with EISDIR, as on Linux. libuv's UV_FS_O_DIRECT (direct: true) asks for unbuffered I/O.
  const DWORD buffering = (flags & kUvFsODirect) ? FILE_FLAG_NO_BUFFERING : 0;
  HANDLE h =
      CreateFileW(path.c_str(), access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, disposition,
                  FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OVERLAPPED | FILE_FLAG_BACKUP_SEMANTICS | buffering, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    const DWORD error = GetLastError();
    // As libuv: CREATE/OPEN_ALWAYS failing with "exists" means the path is a directory; so does
    // a denied write access on a directory.
    if (error == ERROR_FILE_EXISTS && disposition != CREATE_NEW) return UV__EISDIR;
    if (error == ERROR_ACCESS_DENIED && IsDirectory(AttributesOf(path))) return UV__EISDIR;
    return PathError(error, path);
  }
  if (CreateIoCompletionPort(h, port, key, 0) == nullptr) {
    const DWORD error = GetLastError();
    CloseHandle(h);
    return UvError(error);
  }
  return static_cast<int32_t>(reinterpret_cast<intptr_t>(h));
}

void PutTime(uint8_t* out, size_t offset, LARGE_INTEGER filetime) {
  const int64_t since = filetime.QuadPart - kUnixEpochInFiletime;
  int64_t seconds = since / 10000000;
  int64_t rest = since % 10000000;
  if (rest < 0) {
    rest += 10000000;
    seconds--;
  }
  const uint32_t nanoseconds = static_cast<uint32_t>(rest * 100);
  std::memcpy(out + offset, &seconds, 8);
  std::memcpy(out + offset + 8, &nanoseconds, 4);
}

// Fill the statx buffer from an open handle. Permissions as libuv gives them on Windows:
// 0666, or 0444 for a read-only file; directories have size 0.
int32_t StatHandle(HANDLE h, bool nofollow, uint8_t* out) {
  FILE_BASIC_INFO basic;
  FILE_STANDARD_INFO standard;
  if (!GetFileInformationByHandleEx(h, FileBasicInfo, &basic, sizeof basic) ||
      !GetFileInformationByHandleEx(h, FileStandardInfo, &standard, sizeof standard)) {
    return UvError(GetLastError());
  }
  uint16_t type = standard.Directory ? kIfDir : kIfReg;
  if (nofollow && (basic.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
    FILE_ATTRIBUTE_TAG_INFO tag;
    if (GetFileInformationByHandleEx(h, FileAttributeTagInfo, &tag, sizeof tag) &&
        tag.ReparseTag == IO_REPARSE_TAG_SYMLINK) {
      type = kIfLnk;
    }
  }
  const uint16_t permissions = (basic.FileAttributes & FILE_ATTRIBUTE_READONLY) ? 0444 : 0666;
  const uint16_t mode = type | permissions;
  const uint64_t size = type == kIfReg ? static_cast<uint64_t>(standard.EndOfFile.QuadPart) : 0;
  std::memset(out, 0, 256);
  std::memcpy(out + kStatxMask, &kStatxBasicStatsAndBtime, 4);
  std::memcpy(out + kStatxMode, &mode, 2);
  std::memcpy(out + kStatxSize, &size, 8);
  PutTime(out, kStatxAtime, basic.LastAccessTime);
  PutTime(out, kStatxBtime, basic.CreationTime);
  PutTime(out, kStatxCtime, basic.ChangeTime);
  PutTime(out, kStatxMtime, basic.LastWriteTime);
  return 0;
}

int32_t Stat(const Command& c) {
  const bool nofollow = (c.flags & kAtSymlinkNofollow) != 0;
  if ((c.flags & kAtEmptyPath) != 0 && c.data[0] == 0) return StatHandle(HandleOf(c.fd), nofollow, c.data2);
  std::wstring path;
  if (!Widen(c.data, &path)) return UV__EINVAL;
  HANDLE h =
      CreateFileW(path.c_str(), FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                  OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | (nofollow ? FILE_FLAG_OPEN_REPARSE_POINT : 0), nullptr);
  if (h == INVALID_HANDLE_VALUE) return PathError(GetLastError(), path);
  const int32_t rc = StatHandle(h, nofollow, c.data2);
  CloseHandle(h);
  return rc;
}

int32_t Mkdir(const Command& c) {
  std::wstring path;
  if (!Widen(c.data, &path)) return UV__EINVAL;
  if (CreateDirectoryW(path.c_str(), nullptr)) return 0;
  return PathError(GetLastError(), path);
}

int32_t Unlink(const Command& c) {
  std::wstring path;
  if (!Widen(c.data, &path)) return UV__EINVAL;
  if (c.flags & kAtRemovedir) {
    if (RemoveDirectoryW(path.c_str())) return 0;
    const DWORD error = GetLastError();
    const DWORD attributes = AttributesOf(path);
    if (attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY) == 0) return UV__ENOTDIR;
    return PathError(error, path);
  }
  if (DeleteFileW(path.c_str())) return 0;
  const DWORD error = GetLastError();
  const DWORD attributes = AttributesOf(path);
  if (IsDirectory(attributes)) return UV__EISDIR;
  // POSIX unlinks a read-only file (the directory's permissions decide); so does libuv.
  if (error == ERROR_ACCESS_DENIED && attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_READONLY)) {
    if (SetFileAttributesW(path.c_str(), attributes & ~FILE_ATTRIBUTE_READONLY)) {
      if (DeleteFileW(path.c_str())) return 0;
      const DWORD again = GetLastError();
      SetFileAttributesW(path.c_str(), attributes);
      return UvError(again);
    }
  }
  return PathError(error, path);
}

// rename(2)'s rules where MoveFileExW differs: a file cannot replace a directory (EISDIR), a
// directory cannot replace a file (ENOTDIR), and a directory replaces only an empty directory.
int32_t Rename(const Command& c) {
  std::wstring from, to;
  if (!Widen(c.data, &from) || !Widen(c.data2, &to)) return UV__EINVAL;
  // Checked first, not after a failure: Wine's MoveFileExW lets a directory replace a file.
  const DWORD from_attributes = AttributesOf(from);
  const DWORD to_attributes = AttributesOf(to);
  if (from_attributes != INVALID_FILE_ATTRIBUTES && to_attributes != INVALID_FILE_ATTRIBUTES) {
    const bool from_dir = IsDirectory(from_attributes);
    const bool to_dir = IsDirectory(to_attributes);
    if (!from_dir && to_dir) return UV__EISDIR;
    if (from_dir && !to_dir) return UV__ENOTDIR;
  }
  if (MoveFileExW(from.c_str(), to.c_str(), MOVEFILE_REPLACE_EXISTING)) return 0;
  const DWORD error = GetLastError();
  if (from_attributes == INVALID_FILE_ATTRIBUTES) return PathError(error, from);
  if (to_attributes != INVALID_FILE_ATTRIBUTES) {
    if (IsDirectory(from_attributes) && IsDirectory(to_attributes)) {
      // Only an empty directory can go; RemoveDirectoryW refuses any other.
      if (!RemoveDirectoryW(to.c_str())) {
        const DWORD remove_error = GetLastError();
        return remove_error == ERROR_DIR_NOT_EMPTY ? UV__ENOTEMPTY : UvError(remove_error);
      }
      if (MoveFileExW(from.c_str(), to.c_str(), 0)) return 0;
      return UvError(GetLastError());
    }
  }
  return PathError(error, to);
}

int32_t Link(const Command& c) {
  std::wstring from, to;
  if (!Widen(c.data, &from) || !Widen(c.data2, &to)) return UV__EINVAL;
  if (CreateHardLinkW(to.c_str(), from.c_str(), nullptr)) return 0;
  const DWORD error = GetLastError();
  if (AttributesOf(from) == INVALID_FILE_ATTRIBUTES) return PathError(error, from);
  return PathError(error, to);
}

int32_t Flush(const Command& c) {
  if (FlushFileBuffers(HandleOf(c.fd))) return 0;
  const DWORD error = GetLastError();
  // A handle without write access has nothing of its own to flush; fsync(2) succeeds on it.
  if (error == ERROR_ACCESS_DENIED) return 0;
  return UvError(error);
}

int32_t SetLen(const Command& c) {
  FILE_END_OF_FILE_INFO info;
  info.EndOfFile.QuadPart = static_cast<LONGLONG>(c.arg);
  if (SetFileInformationByHandle(HandleOf(c.fd), FileEndOfFileInfo, &info, sizeof info)) return 0;
  return UvError(GetLastError());
}

}  // namespace

bool IsBlockingCommand(int op) {
  switch (op) {
    case kOpenAt:
    case kFsync:
    case kStatx:
    case kMkdirAt:
    case kUnlinkAt:
    case kRenameAt:
    case kLinkAt:
    case kSetLen:
      return true;
    default:
      return false;
  }
}

int32_t RunBlockingCommand(const Command& c, HANDLE port, ULONG_PTR key) {
  switch (c.op) {
    case kOpenAt:
      return Open(c, port, key);
    case kFsync:
      return Flush(c);
    case kStatx:
      return Stat(c);
    case kMkdirAt:
      return Mkdir(c);
    case kUnlinkAt:
      return Unlink(c);
    case kRenameAt:
      return Rename(c);
    case kLinkAt:
      return Link(c);
    case kSetLen:
      return SetLen(c);
    default:
      return UV__EINVAL;
  }
}

}  // namespace mfio::rt::win
