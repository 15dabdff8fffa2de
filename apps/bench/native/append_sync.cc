// The native baselines of the write-path bench's durable appenders (apps/bench/src/io-bench.ts):
// WRITERS threads append SIZE-byte records to one file, each record durable (fdatasync) before
// its writer's next, for SECONDS; plain pwrite and fdatasync, no ring, no JavaScript. Two ways:
//   own    every writer calls fdatasync itself after its write: what Node's fs.promises does on
//          its thread pool, with as many threads as writers.
//   group  writers hand their flush to one flusher thread, which runs fdatasync back to back;
//          a record is answered by the first flush that started after its write completed
//          (group commit, the rule mfio's datasync keeps). FLUSHERS (1 unless given) such
//          threads let that many flushes overlap.
// Record i holds FILL in every byte but the first 8, which hold SEED * 1e6 + i as a
// little-endian float64 (io-bench's record()), at position i * SIZE: io-bench checks the file.
// Prints one JSON line: records made durable, records whose write or flush failed, the seconds
// they took, and the fdatasync calls made.
// Usage: append_sync FILE SIZE WRITERS SECONDS SEED FILL own|group [FLUSHERS]
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Shared {
  int fd = -1;
  unsigned size = 0;
  double seed = 0;
  int fill = 0;
  Clock::time_point end;

  std::mutex mu;
  uint64_t next = 0;     // the next record's index
  uint64_t durable = 0;  // records whose flush completed
  uint64_t failed = 0;
  uint64_t flushes = 0;
  // Group commit: flushes are numbered as they start; a writer waits for one numbered after
  // the last that had started when its write completed.
  std::condition_variable flushed;
  std::condition_variable wanted;
  uint64_t started = 0;
  uint64_t completed = 0;
  // Any flush failed: which records it covered is not tracked, so none counts as durable.
  bool flush_failed = false;
  unsigned waiting = 0;
  bool stopping = false;
};

// The next record's index, this writer's to write.
uint64_t Reserve(Shared& s) {
  std::lock_guard<std::mutex> lock(s.mu);
  return s.next++;
}

// Write record `index`; true when all of it went in.
bool WriteRecord(Shared& s, std::vector<uint8_t>& record, uint64_t index) {
  const double stamp = s.seed * 1e6 + static_cast<double>(index);
  std::memcpy(record.data(), &stamp, sizeof stamp);  // little-endian on every target we build for
  return pwrite(s.fd, record.data(), s.size, static_cast<off_t>(index * s.size)) == static_cast<ssize_t>(s.size);
}

void OwnWriter(Shared* s) {
  std::vector<uint8_t> record(s->size, static_cast<uint8_t>(s->fill));
  while (Clock::now() < s->end) {
    const bool written = WriteRecord(*s, record, Reserve(*s));
    const bool ok = written && fdatasync(s->fd) == 0;
    std::lock_guard<std::mutex> lock(s->mu);
    if (written) s->flushes++;
    (ok ? s->durable : s->failed)++;
  }
}

void GroupWriter(Shared* s) {
  std::vector<uint8_t> record(s->size, static_cast<uint8_t>(s->fill));
  while (Clock::now() < s->end) {
    const bool written = WriteRecord(*s, record, Reserve(*s));
    std::unique_lock<std::mutex> lock(s->mu);
    const uint64_t need = s->started + 1;
    s->waiting++;
    s->wanted.notify_one();
    s->flushed.wait(lock, [&] { return s->completed >= need; });
    (written ? s->durable : s->failed)++;
  }
}

void Flusher(Shared* s) {
  std::unique_lock<std::mutex> lock(s->mu);
  for (;;) {
    s->wanted.wait(lock, [&] { return s->waiting > 0 || s->stopping; });
    if (s->waiting == 0) return;  // stopping, nobody left to answer
    s->waiting = 0;
    const uint64_t number = ++s->started;
    lock.unlock();
    const int rc = fdatasync(s->fd);
    lock.lock();
    s->flushes++;
    // Overlapping flushers may finish out of order: a later number answers every earlier one.
    if (rc != 0) s->flush_failed = true;
    if (number < s->completed) continue;
    s->completed = number;
    s->flushed.notify_all();
  }
}

int Fail(const char* what, int errno_value) {
  std::printf("{\"error\":\"%s: %s\"}\n", what, std::strerror(errno_value));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 8 || argc == 9 ? argv[7] : "";
  const int flushers = argc == 9 ? std::atoi(argv[8]) : 1;
  if ((mode != "own" && mode != "group") || flushers < 1) {
    std::fprintf(stderr, "usage: append_sync FILE SIZE WRITERS SECONDS SEED FILL own|group [FLUSHERS]\n");
    return 2;
  }
  Shared s;
  const int size = std::atoi(argv[2]), writer_count = std::atoi(argv[3]);
  // A record holds its 8-byte stamp; threads are bounded.
  if (size < 8 || writer_count < 1 || writer_count > 1024 || flushers > 64) {
    std::fprintf(stderr, "append_sync: SIZE >= 8, 1 <= WRITERS <= 1024, FLUSHERS <= 64\n");
    return 2;
  }
  s.size = static_cast<unsigned>(size);
  const unsigned writers = static_cast<unsigned>(writer_count);
  s.fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (s.fd < 0) return Fail("open", errno);
  const double seconds = std::atof(argv[4]);
  s.seed = std::atof(argv[5]);
  s.fill = std::atoi(argv[6]);
  const auto start = Clock::now();
  s.end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));

  std::vector<std::thread> flusher_threads;
  if (mode == "group") {
    for (int i = 0; i < flushers; i++) flusher_threads.emplace_back(Flusher, &s);
  }
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < writers; i++) threads.emplace_back(mode == "own" ? OwnWriter : GroupWriter, &s);
  for (auto& thread : threads) thread.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.stopping = true;
  }
  s.wanted.notify_all();
  for (auto& thread : flusher_threads) thread.join();
  close(s.fd);
  if (s.flush_failed) {
    s.failed += s.durable;
    s.durable = 0;
  }
  std::printf("{\"ops\":%llu,\"failed\":%llu,\"seconds\":%.6f,\"flushes\":%llu}\n",
              static_cast<unsigned long long>(s.durable), static_cast<unsigned long long>(s.failed), elapsed,
              static_cast<unsigned long long>(s.flushes));
  return 0;
}
