#include "stat_into.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace mfio::rt {

#ifdef __linux__

int StatInto(int dirfd, const char* path, unsigned flags, unsigned mask, uint8_t* out) {
  static_assert(sizeof(struct statx) == 256, "the JS side parses a 256-byte struct statx");
  struct statx result;
  if (statx(dirfd, path, static_cast<int>(flags), mask, &result) < 0) return -errno;
  std::memcpy(out, &result, sizeof result);  // `out` has no alignment guarantee
  return 0;
}

#else

namespace {

// Offsets in Linux's struct statx (linux/stat.h).
constexpr unsigned kStatxBasicStats = 0x7ff;
constexpr unsigned kStatxBtime = 0x800;
constexpr int kLinuxAtSymlinkNofollow = 0x100;
constexpr int kLinuxAtEmptyPath = 0x1000;

template <typename T>
void Put(uint8_t* out, int offset, T value) {
  std::memcpy(out + offset, &value, sizeof value);
}

void PutTime(uint8_t* out, int offset, const timespec& t) {
  Put<int64_t>(out, offset, t.tv_sec);
  Put<uint32_t>(out, offset + 8, static_cast<uint32_t>(t.tv_nsec));
}

}  // namespace

int StatInto(int dirfd, const char* path, unsigned flags, unsigned mask, uint8_t* out) {
  (void)mask;
  struct stat st;
  int rc;
  if ((flags & kLinuxAtEmptyPath) && path[0] == '\0') {
    rc = fstat(dirfd, &st);
  } else {
    // Linux's AT_FDCWD (-100) means the same here; paths from JS are absolute anyway.
    if (dirfd == -100) dirfd = AT_FDCWD;
    rc = fstatat(dirfd, path, &st, (flags & kLinuxAtSymlinkNofollow) ? AT_SYMLINK_NOFOLLOW : 0);
  }
  if (rc < 0) return -errno;
  std::memset(out, 0, 256);
  unsigned filled = kStatxBasicStats;
  Put<uint32_t>(out, 4, static_cast<uint32_t>(st.st_blksize));
  Put<uint32_t>(out, 16, static_cast<uint32_t>(st.st_nlink));
  Put<uint32_t>(out, 20, st.st_uid);
  Put<uint32_t>(out, 24, st.st_gid);
  Put<uint16_t>(out, 28, static_cast<uint16_t>(st.st_mode));
  Put<uint64_t>(out, 32, st.st_ino);
  Put<uint64_t>(out, 40, static_cast<uint64_t>(st.st_size));
  Put<uint64_t>(out, 48, static_cast<uint64_t>(st.st_blocks));
#ifdef __APPLE__
  PutTime(out, 64, st.st_atimespec);
  PutTime(out, 80, st.st_birthtimespec);
  PutTime(out, 96, st.st_ctimespec);
  PutTime(out, 112, st.st_mtimespec);
  filled |= kStatxBtime;
#else
  PutTime(out, 64, st.st_atim);
  PutTime(out, 96, st.st_ctim);
  PutTime(out, 112, st.st_mtim);
#endif
  Put<uint32_t>(out, 0, filled);
  return 0;
}

#endif

}  // namespace mfio::rt
