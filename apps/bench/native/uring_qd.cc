// The native baseline of the bench: the same reads as the JS contenders, through our own Ring
// (packages/mfio-rt/src/native/io_uring), `depth` in flight, no JS. Prints one JSON line:
// the digest of the first `count` reads (checked like every contender's) and the throughput of
// the rest. With `cold`, the file's pages are dropped after the checked reads, as the JS
// contenders' are after theirs (apps/bench/src/run-case.ts).
// Usage: uring_qd FILE SIZE DEPTH COUNT POSITIONS_FILE [cold]   (positions: float64 little-endian)
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "io_uring/ring.h"

namespace {

// Same as apps/bench/src/checksum.ts (Math.imul is 32-bit wrapping multiplication).
struct Digest {
  uint32_t value = 0;
  void Add(uint32_t index, const uint8_t* bytes, uint32_t length) {
    uint32_t a = length ? bytes[0] : 0, b = length ? bytes[length >> 1] : 0, c = length ? bytes[length - 1] : 0;
    uint32_t h = ((index + 1) ^ (length * 0x9e3779b1u)) * 0x85ebca6bu;
    h ^= a | (b << 8) | (c << 16);
    value += h * 0xc2b2ae35u;
  }
};

// Reads positions[begin, end) keeping `depth` in flight, and digests them (as the JS
// contenders do every read they time).
bool Run(mfio::rt::Ring& ring, int fd, const std::vector<double>& positions, size_t begin, size_t end, unsigned size,
         unsigned depth, Digest* digest) {
  // Page-aligned, like every JS contender's buffers (apps/bench/src/contenders.ts).
  std::vector<uint8_t*> buffers(depth);
  for (auto& buffer : buffers) {
    void* p = nullptr;
    if (posix_memalign(&p, 4096, size) != 0) return false;
    buffer = static_cast<uint8_t*>(p);
  }
  struct Free {
    std::vector<uint8_t*>& buffers;
    ~Free() {
      for (uint8_t* buffer : buffers) std::free(buffer);
    }
  } free_buffers{buffers};
  std::vector<size_t> index_of(depth);
  std::vector<unsigned> free_slots;
  for (unsigned i = 0; i < depth; i++) free_slots.push_back(i);
  size_t next = begin, done = begin;
  while (done < end) {
    while (next < end && !free_slots.empty()) {
      io_uring_sqe* sqe = ring.NextSqe();
      if (sqe == nullptr) break;
      unsigned slot = free_slots.back();
      free_slots.pop_back();
      index_of[slot] = next;
      sqe->opcode = IORING_OP_READ;
      sqe->fd = fd;
      sqe->addr = reinterpret_cast<uint64_t>(buffers[slot]);
      sqe->len = size;
      sqe->off = static_cast<uint64_t>(positions[next]);
      sqe->user_data = slot;
      next++;
    }
    if (ring.Enter(1) < 0) return false;
    bool ok = true;
    ring.Drain(depth, [&](uint64_t slot, int32_t res, uint32_t) {
      if (res < 0) ok = false;
      digest->Add(static_cast<uint32_t>(index_of[slot] - begin), buffers[slot], res < 0 ? 0 : res);
      free_slots.push_back(static_cast<unsigned>(slot));
      done++;
    });
    if (!ok) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const bool cold = argc == 7 && std::string(argv[6]) == "cold";
  if (argc != 6 && !cold) {
    std::fprintf(stderr, "usage: uring_qd FILE SIZE DEPTH COUNT POSITIONS_FILE [cold]\n");
    return 2;
  }
  const unsigned size = std::atoi(argv[2]), depth = std::atoi(argv[3]);
  const size_t count = std::atol(argv[4]);
  FILE* pf = std::fopen(argv[5], "rb");
  std::vector<double> positions;
  double p;
  while (pf && std::fread(&p, sizeof p, 1, pf) == 1) positions.push_back(p);
  if (pf) std::fclose(pf);
  int fd = open(argv[1], O_RDONLY);
  mfio::rt::Ring ring;
  if (fd < 0 || positions.size() <= count || ring.Open(depth * 2) < 0) {
    std::printf("{\"error\":\"setup failed\"}\n");
    return 1;
  }
  Digest digest;
  if (!Run(ring, fd, positions, 0, count, size, depth, &digest)) return 1;
  if (cold) posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  auto start = std::chrono::steady_clock::now();
  Digest timed;  // unchecked (other positions), but paid for like the JS contenders' digests
  if (!Run(ring, fd, positions, count, positions.size(), size, depth, &timed)) return 1;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"digest\":%u,\"timedDigest\":%u,\"reads\":%zu,\"seconds\":%.6f}\n", digest.value, timed.value,
              positions.size() - count, seconds);
  return 0;
}
