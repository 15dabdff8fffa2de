// The read arena: recycled, already-faulted, page-aligned memory for read destinations, one per
// Node environment (the main thread, each worker).
//
// Why: fresh memory costs as much as the read it receives. 64 random 64 KiB page-cache reads
// take ~240 us here; a fresh 4 MiB Buffer for them costs another 250-470 us (page faults, glibc
// trimming, V8 collecting external memory rarely and in bulk). A pool in JS cannot recycle
// safely (a caller may keep a subarray of a Buffer whose wrapper died): only the ArrayBuffer's own
// death may return its memory. So each block goes to JS as an external Buffer whose finalizer
// gives the block back.
//
// Layout: chunks are anonymous mappings. A chunk of kChunkSize is carved into blocks of one
// power-of-two size class from 4 KiB to kChunkSize; a larger class gets a chunk per block, up to
// kMaxClassSize; past that a request gets a mapping of its own, unmapped when its Buffer dies. A
// chunk whose blocks are all free goes to the empty list, from which any class may carve it again;
// empty chunks past keep_bytes_ are unmapped, oldest first. Past max_bytes_ mapped, Allocate
// answers undefined (the caller allocates as before): a loop that drops arena Buffers without
// yielding to the event loop gets nothing back meanwhile (finalizers run from the loop) and must
// not map memory without bound.
//
// Contents: the arena never zeroes a recycled block unless asked (`zero`), and then only the
// bytes that were handed out before; memory never handed out is the kernel's zero pages. Whoever
// reads into a recycled block must zero, or never expose, the bytes the read did not fill.
//
// Threads: everything runs on the environment's JS thread. Node runs an external Buffer's
// finalizer there (node_buffer.cc's CallbackInfo: from a SetImmediateThreadsafe once the backing
// store is freed, or from the environment's cleanup, which first detaches the ArrayBuffer). A
// finalizer that another host runs on some other thread only queues its block, under a lock,
// for the JS thread to take back at its next allocation.
//
// Teardown: the arena is the addon's instance data; its finalizer runs when the environment goes,
// after the finalizers of the Buffers still alive (each holds a reference on the napi_env until its
// own has run). Either way round, a chunk is unmapped only once no Buffer points into it, and the
// arena deletes itself with its last chunk.
#pragma once

#include <napi.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace mfio::rt {

class ReadArena;

struct ArenaChunk {
  ReadArena* arena = nullptr;
  uint8_t* base = nullptr;
  size_t size = 0;                    // bytes mapped
  int size_class = -1;                // the class it is carved for; -1 while empty; kOneOff
  size_t block = 0;                   // block size while carved
  uint32_t live = 0;                  // blocks handed out whose finalizer has not run
  size_t clean_from = 0;              // bytes from here on were never handed out: still zero
  size_t partial_pos = SIZE_MAX;      // index in its class's partial list, or SIZE_MAX
  std::vector<uint32_t> free_blocks;  // while carved: the free blocks, next on top
};

class ReadArena {
 public:
  static constexpr size_t kPage = 4096;
  static constexpr size_t kChunkSize = size_t{4} << 20;
  static constexpr int kClasses = 17;  // 4 KiB << 0 .. 4 KiB << 16 (256 MiB)
  static constexpr size_t kMaxClassSize = kPage << (kClasses - 1);
  static constexpr int kOneOff = kClasses;

  // The environment's arena, made on first use; nullptr if it cannot be (napi failure).
  static ReadArena* ForEnv(napi_env env);

  // A Buffer of `length` bytes on a page boundary, or undefined (at max_bytes_, mmap failed, the
  // host refuses external buffers).
  napi_value Allocate(napi_env env, size_t length, bool zero);
  void Describe(Napi::Object out) const;
  // Unmap empty chunks until at most `keep` bytes of them are left.
  void Trim(size_t keep);
  void Configure(size_t keep_bytes, size_t max_bytes);

 private:
  ReadArena();
  ~ReadArena();

  static int ClassOf(size_t length);
  ArenaChunk* TakeChunk(int size_class, size_t length);
  void Carve(ArenaChunk* chunk, int size_class);
  void Give(ArenaChunk* chunk, uint8_t* data);
  void ReleaseChunk(ArenaChunk* chunk);
  void TakeBackForeign();
  void AddPartial(ArenaChunk* chunk);
  void RemovePartial(ArenaChunk* chunk);
  // The environment is going: unmap what no Buffer holds; the rest goes with its last finalizer.
  void Close();

  static void OnFinalize(napi_env env, void* data, void* hint);
  static void OnEnvGone(napi_env env, void* data, void* hint);

  const std::thread::id owner_;
  bool closed_ = false;
  bool disabled_ = false;  // the host refuses external buffers
  size_t keep_bytes_;
  size_t max_bytes_;

  std::map<uintptr_t, std::unique_ptr<ArenaChunk>> chunks_;  // by base address
  std::vector<ArenaChunk*> partial_[kClasses];               // carved chunks with a free block
  std::vector<ArenaChunk*> empty_;                           // oldest first

  // Figures for arenaStats().
  size_t mapped_bytes_ = 0;
  size_t empty_bytes_ = 0;
  size_t live_bytes_ = 0;  // blocks handed out (their class size)
  uint64_t live_blocks_ = 0;
  uint64_t allocations_ = 0;
  uint64_t recycled_ = 0;  // allocations served from memory handed out before
  uint64_t refused_ = 0;   // allocations answered with undefined
  uint64_t unmapped_ = 0;  // chunks given back to the kernel
  uint64_t zeroed_bytes_ = 0;

  // Blocks given back by a finalizer on another thread, for the JS thread to take back.
  std::mutex foreign_mutex_;
  std::vector<std::pair<ArenaChunk*, uint8_t*>> foreign_;
  std::atomic<bool> has_foreign_{false};
};

// arenaAllocate(length, zero), arenaStats(), arenaTrim(keepBytes), arenaConfigure(keep, max).
void DefineReadArena(Napi::Env env, Napi::Object exports);

}  // namespace mfio::rt
