#include "file_splice.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace mfio::rt {
namespace {

#ifndef __NR_cachestat
#define __NR_cachestat 451  // the same number on every architecture (Linux 6.5)
#endif

struct CachestatRange {
  uint64_t off;
  uint64_t len;
};

struct Cachestat {
  uint64_t nr_cache;
  uint64_t nr_dirty;
  uint64_t nr_writeback;
  uint64_t nr_evicted;
  uint64_t nr_recently_evicted;
};

// new FileSplice(capacity): one pipe, its capacity raised to `capacity` bytes if the system
// allows (fs.pipe-max-size). Its methods return -errno on failure.
//   capacity -> the most one stage() takes (whatever its alignment)
//   spliceable(fileFd) -> true for a file on a filesystem whose splice reads only wait for the
//     pages themselves (ext4, btrfs, tmpfs); elsewhere splice may wait on the network (NFS), on
//     a lock a throttled writer holds (XFS) or never find the pages cached (overlayfs)
//   stage(fileFd, position, length) -> bytes moved from the file into the pipe (fewer only at end
//     of file) | -EAGAIN: not all of the range is in the page cache and read (splice would block
//     on the disk) | -ENOSYS or -EPERM: no cachestat (before Linux 6.5, or a seccomp filter) |
//     -EBUSY: bytes staged and not yet sent
//   send(socketFd, header: Uint8Array) -> bytes the socket took of the header and then the staged
//     bytes | -errno (the staged bytes are dropped)
//   rest() -> Buffer: the staged bytes the socket did not take (empties the pipe)
//   drop() -> empties the pipe
class FileSplice : public Napi::ObjectWrap<FileSplice> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(
        env, "FileSplice",
        {InstanceAccessor<&FileSplice::Capacity>("capacity"), InstanceMethod<&FileSplice::Spliceable>("spliceable"),
         InstanceMethod<&FileSplice::Stage>("stage"), InstanceMethod<&FileSplice::Send>("send"),
         InstanceMethod<&FileSplice::Rest>("rest"), InstanceMethod<&FileSplice::Drop>("drop")});
  }

  explicit FileSplice(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FileSplice>(info) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
      Napi::Error::New(info.Env(), "FileSplice: pipe2 failed").ThrowAsJavaScriptException();
      return;
    }
    read_ = fds[0];
    write_ = fds[1];
    int wanted = info[0].As<Napi::Number>().Int32Value();
    fcntl(write_, F_SETPIPE_SZ, wanted);  // refused past pipe-max-size: the default then
    int capacity = fcntl(write_, F_GETPIPE_SZ);
    page_ = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    // A range that starts inside a page takes one pipe slot more than its length in pages.
    capacity_ = capacity > static_cast<int>(page_) ? static_cast<size_t>(capacity) - page_ : 0;
  }

  ~FileSplice() override {
    if (read_ >= 0) close(read_);
    if (write_ >= 0) close(write_);
  }

 private:
  Napi::Value Capacity(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(capacity_));
  }

  Napi::Value Spliceable(const Napi::CallbackInfo& info) {
    struct statfs fs{};
    if (fstatfs(info[0].As<Napi::Number>().Int32Value(), &fs) < 0) return Napi::Boolean::New(info.Env(), false);
    auto type = static_cast<uint64_t>(fs.f_type);
    bool local = type == EXT4_SUPER_MAGIC || type == BTRFS_SUPER_MAGIC || type == TMPFS_MAGIC;
    return Napi::Boolean::New(info.Env(), local);
  }

  Napi::Value Stage(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (staged_ != 0) return Napi::Number::New(env, -EBUSY);
    int fd = info[0].As<Napi::Number>().Int32Value();
    auto position = static_cast<int64_t>(info[1].As<Napi::Number>().DoubleValue());
    auto length = static_cast<size_t>(info[2].As<Napi::Number>().DoubleValue());
    if (position < 0 || length > capacity_) return Napi::Number::New(env, -EINVAL);
    if (length == 0) return Napi::Number::New(env, 0);
    // splice blocks on a page it has to read from the disk, whatever the flags say: only a
    // range wholly in the page cache is spliced here, on the caller's thread.
    uint64_t first = static_cast<uint64_t>(position) / page_;
    uint64_t last = (static_cast<uint64_t>(position) + length - 1) / page_;
    CachestatRange range{first * page_, (last - first + 1) * page_};
    Cachestat stat{};
    if (syscall(__NR_cachestat, fd, &range, &stat, 0) < 0) return Napi::Number::New(env, -errno);
    if (stat.nr_cache < last - first + 1) return Napi::Number::New(env, -EAGAIN);
    // Pages readahead put in the cache may still be on their way from the disk (cachestat
    // counts them): the range's last page, read without waiting, says whether it arrived.
    char probe;
    iovec one{&probe, 1};
    if (preadv2(fd, &one, 1, position + static_cast<int64_t>(length) - 1, RWF_NOWAIT) < 0) {
      return Napi::Number::New(env, errno == EAGAIN ? -EAGAIN : -errno);
    }
    loff_t offset = position;
    while (staged_ < length) {
      ssize_t moved = splice(fd, &offset, write_, nullptr, length - staged_, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (moved == 0) break;  // end of file
      if (moved < 0) {
        if (errno == EINTR) continue;
        int error = errno;
        Empty();
        return Napi::Number::New(env, -error);
      }
      staged_ += static_cast<size_t>(moved);
    }
    return Napi::Number::New(env, static_cast<double>(staged_));
  }

  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int socket = info[0].As<Napi::Number>().Int32Value();
    Napi::Uint8Array header = info[1].As<Napi::Uint8Array>();
    size_t sent = 0;
    while (sent < header.ByteLength()) {
      ssize_t n = ::send(socket, header.Data() + sent, header.ByteLength() - sent,
                         MSG_DONTWAIT | MSG_NOSIGNAL | (staged_ > 0 ? MSG_MORE : 0));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Napi::Number::New(env, static_cast<double>(sent));
      if (n < 0) return Failed(env);
      sent += static_cast<size_t>(n);
    }
    while (staged_ > 0) {
      ssize_t n = splice(read_, nullptr, socket, nullptr, staged_, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n == 0) errno = EIO;  // the pipe holds the bytes: a socket taking none is broken
      if (n <= 0) return Failed(env);
      staged_ -= static_cast<size_t>(n);
      sent += static_cast<size_t>(n);
    }
    return Napi::Number::New(env, static_cast<double>(sent));
  }

  Napi::Value Rest(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Buffer<uint8_t> rest = Napi::Buffer<uint8_t>::New(env, staged_);
    size_t got = 0;
    while (got < rest.Length()) {
      ssize_t n = read(read_, rest.Data() + got, rest.Length() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {  // cannot happen: the bytes are in the pipe
        Empty();
        Napi::Error::New(env, "FileSplice: the pipe gave back fewer bytes than it held").ThrowAsJavaScriptException();
        return env.Undefined();
      }
      got += static_cast<size_t>(n);
    }
    staged_ = 0;
    return rest;
  }

  Napi::Value Drop(const Napi::CallbackInfo& info) {
    Empty();
    return info.Env().Undefined();
  }

  Napi::Value Failed(Napi::Env env) {
    int error = errno;
    Empty();
    return Napi::Number::New(env, -error);
  }

  // Read and discard whatever the pipe holds: the next stage starts from an empty pipe.
  void Empty() {
    char scrap[4096];
    while (read(read_, scrap, sizeof scrap) > 0) {
    }
    staged_ = 0;
  }

  int read_ = -1;
  int write_ = -1;
  size_t capacity_ = 0;
  size_t staged_ = 0;
  uint64_t page_ = 4096;
};

}  // namespace

void DefineFileSplice(Napi::Env env, Napi::Object exports) { exports.Set("FileSplice", FileSplice::Define(env)); }

}  // namespace mfio::rt
