// The C++ baseline of the write-path bench (apps/bench/src/io-bench.ts): random reads with
// O_DIRECT, or random overwrites (buffered or O_DIRECT), through the addon's own Ring
// (packages/mfio-rt/src/native/io_uring), DEPTH in flight, no JavaScript, for SECONDS. Prints one
// JSON line: the operations completed, those that failed or came up short, and the seconds they
// took (the last ones in flight included).
// Usage: uring_io probe
//        uring_io read FILE SIZE DEPTH SECONDS SEED
//        uring_io write FILE SIZE DEPTH SECONDS ORDER_FILE STAMP FILL direct|buffered
// read: SIZE bytes at random SIZE-aligned positions of the file (splitmix64 from SEED), each into
// its own aligned buffer. write: records of SIZE bytes, FILL in every byte but the first 8, which
// hold STAMP as a little-endian float64 (io-bench's record()), at the blocks ORDER_FILE lists
// (uint32 little-endian) in that order, round after round: io-bench then checks the file.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "io_uring/ring.h"

namespace {

struct Result {
  uint64_t ops = 0;
  uint64_t failed = 0;
  double seconds = 0;
};

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Keeps `depth` operations in flight for `seconds`, then waits for the last ones. `prep(sqe,
// slot)` fills an SQE for buffer slot `slot`, which is free again once its completion arrived.
// An operation counts as failed unless it moved `size` bytes. Returns 0, or -errno if entering
// the ring failed.
template <typename Prep>
int Run(mfio::rt::Ring& ring, unsigned depth, double seconds, unsigned size, Prep&& prep, Result* result) {
  std::vector<unsigned> free_slots;
  for (unsigned i = 0; i < depth; i++) free_slots.push_back(i);
  unsigned in_flight = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto end =
      start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
  bool issuing = true;
  while (issuing || in_flight > 0) {
    if (issuing && std::chrono::steady_clock::now() >= end) issuing = false;
    while (issuing && !free_slots.empty()) {
      io_uring_sqe* sqe = ring.NextSqe();
      if (sqe == nullptr) break;
      unsigned slot = free_slots.back();
      free_slots.pop_back();
      prep(sqe, slot);
      sqe->user_data = slot;
      in_flight++;
    }
    if (in_flight == 0) break;
    int rc = ring.Enter(1);
    if (rc < 0) return rc;
    ring.Drain(depth, [&](uint64_t slot, int32_t res, uint32_t) {
      if (res != static_cast<int32_t>(size)) result->failed++;
      result->ops++;
      in_flight--;
      free_slots.push_back(static_cast<unsigned>(slot));
    });
  }
  result->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return 0;
}

uint8_t* Aligned(unsigned size) {
  void* p = nullptr;
  return posix_memalign(&p, 4096, size) == 0 ? static_cast<uint8_t*>(p) : nullptr;
}

int Fail(const char* what, int errno_value) {
  std::printf("{\"error\":\"%s: %s\"}\n", what, std::strerror(errno_value));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  mfio::rt::Ring ring;
  if (mode == "probe") {
    int rc = ring.Open(8);
    if (rc < 0) return Fail("io_uring_setup", -rc);
    std::printf("{\"ok\":true}\n");
    return 0;
  }
  const bool read = mode == "read" && argc == 7;
  const bool write = mode == "write" && argc == 10;
  if (!read && !write) {
    std::fprintf(stderr,
                 "usage: uring_io probe\n"
                 "       uring_io read FILE SIZE DEPTH SECONDS SEED\n"
                 "       uring_io write FILE SIZE DEPTH SECONDS ORDER_FILE STAMP FILL direct|buffered\n");
    return 2;
  }
  const unsigned size = std::atoi(argv[3]), depth = std::atoi(argv[4]);
  const double seconds = std::atof(argv[5]);
  const bool direct = read || std::string(argv[9]) == "direct";
  const int fd = open(argv[2], (read ? O_RDONLY : O_WRONLY) | (direct ? O_DIRECT : 0));
  if (fd < 0) return Fail("open", errno);
  int rc = ring.Open(depth * 2);
  if (rc < 0) return Fail("io_uring_setup", -rc);

  Result result;
  if (read) {
    struct stat st;
    if (fstat(fd, &st) != 0) return Fail("fstat", errno);
    const uint64_t blocks = st.st_size / size;
    uint64_t state = std::strtoull(argv[6], nullptr, 10);
    std::vector<uint8_t*> buffers(depth);
    for (auto& buffer : buffers) {
      if ((buffer = Aligned(size)) == nullptr) return Fail("posix_memalign", ENOMEM);
    }
    rc = Run(
        ring, depth, seconds, size,
        [&](io_uring_sqe* sqe, unsigned slot) {
          sqe->opcode = IORING_OP_READ;
          sqe->fd = fd;
          sqe->addr = reinterpret_cast<uint64_t>(buffers[slot]);
          sqe->len = size;
          sqe->off = (SplitMix64(&state) % blocks) * size;
        },
        &result);
    for (uint8_t* buffer : buffers) std::free(buffer);
  } else {
    std::vector<uint32_t> order;
    FILE* of = std::fopen(argv[6], "rb");
    uint32_t block;
    while (of && std::fread(&block, sizeof block, 1, of) == 1) order.push_back(block);
    if (of) std::fclose(of);
    if (order.empty()) return Fail("order file", EINVAL);
    // One record for every write in flight, as the JS contenders share theirs.
    uint8_t* record = Aligned(size);
    if (record == nullptr) return Fail("posix_memalign", ENOMEM);
    std::memset(record, std::atoi(argv[8]), size);
    const double stamp = std::atof(argv[7]);
    std::memcpy(record, &stamp, sizeof stamp);  // little-endian on every target we build for
    size_t next = 0;
    rc = Run(
        ring, depth, seconds, size,
        [&](io_uring_sqe* sqe, unsigned) {
          sqe->opcode = IORING_OP_WRITE;
          sqe->fd = fd;
          sqe->addr = reinterpret_cast<uint64_t>(record);
          sqe->len = size;
          sqe->off = static_cast<uint64_t>(order[next++ % order.size()]) * size;
        },
        &result);
    std::free(record);
  }
  close(fd);
  if (rc < 0) return Fail("io_uring_enter", -rc);
  std::printf("{\"ops\":%llu,\"failed\":%llu,\"seconds\":%.6f}\n", static_cast<unsigned long long>(result.ops),
              static_cast<unsigned long long>(result.failed), result.seconds);
  return 0;
}
