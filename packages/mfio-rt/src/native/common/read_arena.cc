#include "read_arena.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>

namespace mfio::rt {
namespace {

// Empty chunks kept mapped for the next allocations; past this they are unmapped. V8 collects
// external memory about every 64 MiB of new ArrayBuffers, and the dead ones' blocks come back
// together: a smaller cap unmaps at every collection what the next 64 MiB of reads fault in again
// (8 MiB: 1,453 of 2,182 4 MiB batches got a fresh chunk; 64 MiB: none, arena at 44-80 MiB).
constexpr size_t kDefaultKeepBytes = size_t{64} << 20;
constexpr size_t kDefaultMaxBytes = size_t{1} << 30;

size_t RoundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

// Plain anonymous memory. Not MADV_HUGEPAGE: touching a fresh 4 MiB took a median 0.67 ms with
// it against 1.8 ms without, but 4 to 10 ms one time in three (1.5 to 4 ms without), and recycled
// chunks are faulted once; nor MADV_DONTFORK, which would make a Buffer fault in a forked child.
uint8_t* MapChunk(size_t size) {
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
}

}  // namespace

ReadArena::ReadArena()
    : owner_(std::this_thread::get_id()), keep_bytes_(kDefaultKeepBytes), max_bytes_(kDefaultMaxBytes) {}

ReadArena::~ReadArena() {
  for (auto& entry : chunks_) munmap(entry.second->base, entry.second->size);
}

ReadArena* ReadArena::ForEnv(napi_env env) {
  void* data = nullptr;
  if (napi_get_instance_data(env, &data) != napi_ok) return nullptr;
  if (data != nullptr) return static_cast<ReadArena*>(data);
  ReadArena* arena = new ReadArena();
  if (napi_set_instance_data(env, arena, &ReadArena::OnEnvGone, nullptr) != napi_ok) {
    delete arena;
    return nullptr;
  }
  return arena;
}

int ReadArena::ClassOf(size_t length) {
  if (length > kMaxClassSize) return kOneOff;
  int c = 0;
  while ((kPage << c) < length) c++;
  return c;
}

void ReadArena::AddPartial(ArenaChunk* chunk) {
  auto& list = partial_[chunk->size_class];
  chunk->partial_pos = list.size();
  list.push_back(chunk);
}

void ReadArena::RemovePartial(ArenaChunk* chunk) {
  auto& list = partial_[chunk->size_class];
  ArenaChunk* last = list.back();
  list[chunk->partial_pos] = last;
  last->partial_pos = chunk->partial_pos;
  list.pop_back();
  chunk->partial_pos = SIZE_MAX;
}

void ReadArena::Carve(ArenaChunk* chunk, int size_class) {
  chunk->size_class = size_class;
  chunk->block = kPage << size_class;
  const uint32_t blocks = static_cast<uint32_t>(chunk->size / chunk->block);
  chunk->free_blocks.clear();
  chunk->free_blocks.reserve(blocks);
  // Popped from the back: block 0 first, then upwards through memory.
  for (uint32_t i = blocks; i-- > 0;) chunk->free_blocks.push_back(i);
  AddPartial(chunk);
}

// A chunk with a free block of `size_class`: a partial one, an empty one carved anew, or a new
// mapping. nullptr at max_bytes_ or when mmap fails.
ArenaChunk* ReadArena::TakeChunk(int size_class, size_t length) {
  if (size_class != kOneOff && !partial_[size_class].empty()) return partial_[size_class].back();
  const size_t size = size_class == kOneOff ? RoundUp(length, kPage) : std::max(kChunkSize, kPage << size_class);
  if (size_class != kOneOff) {
    // The most recently emptied chunk of that size: the likeliest to be still in cache.
    for (size_t i = empty_.size(); i-- > 0;) {
      ArenaChunk* chunk = empty_[i];
      if (chunk->size != size) continue;
      empty_.erase(empty_.begin() + static_cast<ptrdiff_t>(i));
      empty_bytes_ -= chunk->size;
      Carve(chunk, size_class);
      return chunk;
    }
  }
  // Make room under max_bytes_ from empty chunks, if it takes that.
  while (mapped_bytes_ + size > max_bytes_ && !empty_.empty()) ReleaseChunk(empty_.front());
  if (mapped_bytes_ + size > max_bytes_) return nullptr;
  uint8_t* base = MapChunk(size);
  if (base == nullptr) return nullptr;
  auto owned = std::make_unique<ArenaChunk>();
  ArenaChunk* chunk = owned.get();
  chunk->arena = this;
  chunk->base = base;
  chunk->size = size;
  chunks_.emplace(reinterpret_cast<uintptr_t>(base), std::move(owned));
  mapped_bytes_ += size;
  if (size_class == kOneOff) {
    chunk->size_class = kOneOff;
    chunk->block = size;
    chunk->free_blocks.assign(1, 0);
  } else {
    Carve(chunk, size_class);
  }
  return chunk;
}

napi_value ReadArena::Allocate(napi_env env, size_t length, bool zero) {
  napi_value result = nullptr;
  napi_get_undefined(env, &result);
  if (has_foreign_.load(std::memory_order_acquire)) TakeBackForeign();
  // Give() never unmaps (see there): free memory past keep_bytes_ goes back here, on the JS thread
  // of a live environment.
  if (empty_bytes_ > keep_bytes_) Trim(keep_bytes_);
  if (disabled_ || length == 0) return result;
  const int size_class = ClassOf(length);
  ArenaChunk* chunk = TakeChunk(size_class, length);
  if (chunk == nullptr) {
    refused_++;
    return result;
  }
  const uint32_t index = chunk->free_blocks.back();
  chunk->free_blocks.pop_back();
  if (chunk->free_blocks.empty() && chunk->partial_pos != SIZE_MAX) RemovePartial(chunk);
  chunk->live++;
  const size_t offset = static_cast<size_t>(index) * chunk->block;
  uint8_t* data = chunk->base + offset;
  // Bytes below clean_from were handed out before (dirty); from it on, the kernel's zeroes.
  const size_t dirty_end = std::min(offset + length, chunk->clean_from);
  if (dirty_end > offset) {
    recycled_++;
    if (zero) {
      std::memset(data, 0, dirty_end - offset);
      zeroed_bytes_ += dirty_end - offset;
    }
  }
  chunk->clean_from = std::max(chunk->clean_from, offset + length);
  allocations_++;
  live_blocks_++;
  live_bytes_ += chunk->block;
  // No napi_adjust_external_memory: V8 already counts every ArrayBuffer's backing store, external
  // ones included (ArrayBufferSweeper::IncrementExternalMemoryCounters), and reporting the blocks
  // again only made it collect more often: 0.64x / 0.53x / 0.20x of a reused buffer's speed with
  // 1x / 3x / 7x the block size reported, against 0.80x without.

  napi_value buffer = nullptr;
  const napi_status status = napi_create_external_buffer(env, length, data, &ReadArena::OnFinalize, chunk, &buffer);
  if (status == napi_ok) return buffer;
  // Refused before Node took the finalizer (a host without external buffers, a pending
  // exception): take the block back. After that (a generic failure) Node may still call the
  // finalizer, which gives the block back itself: leave it.
  if (status == napi_no_external_buffers_allowed || status == napi_pending_exception || status == napi_invalid_arg) {
    disabled_ = status == napi_no_external_buffers_allowed;
    Give(chunk, data);
  }
  refused_++;
  return result;
}

void ReadArena::Give(ArenaChunk* chunk, uint8_t* data) {
  live_blocks_--;
  live_bytes_ -= chunk->block;
  chunk->live--;
  chunk->free_blocks.push_back(static_cast<uint32_t>(static_cast<size_t>(data - chunk->base) / chunk->block));
  if (chunk->live > 0) {
    if (chunk->partial_pos == SIZE_MAX) AddPartial(chunk);
    return;
  }
  // Wholly free. A closed arena's chunk goes back to the kernel at once (Close runs after every
  // executor has stopped, so nothing writes it). Otherwise nothing is unmapped here: at env
  // teardown Node runs this for live Buffers before the executors' hooks have cancelled and waited
  // for their reads, so the kernel may still be writing the block. Allocate trims instead.
  if (chunk->partial_pos != SIZE_MAX) RemovePartial(chunk);
  if (closed_) {
    ReleaseChunk(chunk);
    if (chunks_.empty()) delete this;
    return;
  }
  chunk->size_class = -1;
  chunk->block = 0;
  chunk->free_blocks.clear();
  chunk->free_blocks.shrink_to_fit();
  empty_.push_back(chunk);
  empty_bytes_ += chunk->size;
}

void ReadArena::Trim(size_t keep) {
  while (empty_bytes_ > keep && !empty_.empty()) ReleaseChunk(empty_.front());
}

// Unmap a chunk no Buffer points into (an empty one, or a one-off whose Buffer died).
void ReadArena::ReleaseChunk(ArenaChunk* chunk) {
  auto it = std::find(empty_.begin(), empty_.end(), chunk);
  if (it != empty_.end()) {
    empty_.erase(it);
    empty_bytes_ -= chunk->size;
  }
  munmap(chunk->base, chunk->size);
  mapped_bytes_ -= chunk->size;
  unmapped_++;
  chunks_.erase(reinterpret_cast<uintptr_t>(chunk->base));
}

void ReadArena::TakeBackForeign() {
  std::vector<std::pair<ArenaChunk*, uint8_t*>> taken;
  {
    std::lock_guard<std::mutex> lock(foreign_mutex_);
    taken.swap(foreign_);
    has_foreign_.store(false, std::memory_order_relaxed);
  }
  for (auto& [chunk, data] : taken) Give(chunk, data);
}

void ReadArena::Configure(size_t keep_bytes, size_t max_bytes) {
  keep_bytes_ = keep_bytes;
  max_bytes_ = max_bytes;
  Trim(keep_bytes_);
}

void ReadArena::Close() {
  // Foreign blocks first, while Give() still keeps chunks: with closed_ set it may delete `this`.
  if (has_foreign_.load(std::memory_order_acquire)) TakeBackForeign();
  closed_ = true;
  Trim(0);
  if (chunks_.empty()) delete this;
}

// A Buffer from Allocate() died (see the header: on the JS thread, in Node).
void ReadArena::OnFinalize(napi_env, void* data, void* hint) {
  ArenaChunk* chunk = static_cast<ArenaChunk*>(hint);
  ReadArena* arena = chunk->arena;
  if (std::this_thread::get_id() != arena->owner_) {
    std::lock_guard<std::mutex> lock(arena->foreign_mutex_);
    arena->foreign_.emplace_back(chunk, static_cast<uint8_t*>(data));
    arena->has_foreign_.store(true, std::memory_order_release);
    return;
  }
  arena->Give(chunk, static_cast<uint8_t*>(data));
}

void ReadArena::OnEnvGone(napi_env, void* data, void*) { static_cast<ReadArena*>(data)->Close(); }

void ReadArena::Describe(Napi::Object out) const {
  out.Set("chunks", static_cast<double>(chunks_.size()));
  out.Set("bytesMapped", static_cast<double>(mapped_bytes_));
  out.Set("bytesLive", static_cast<double>(live_bytes_));
  out.Set("bytesEmpty", static_cast<double>(empty_bytes_));
  out.Set("blocksLive", static_cast<double>(live_blocks_));
  out.Set("allocations", static_cast<double>(allocations_));
  out.Set("recycled", static_cast<double>(recycled_));
  out.Set("refused", static_cast<double>(refused_));
  out.Set("unmapped", static_cast<double>(unmapped_));
  out.Set("zeroedBytes", static_cast<double>(zeroed_bytes_));
  out.Set("keepBytes", static_cast<double>(keep_bytes_));
  out.Set("maxBytes", static_cast<double>(max_bytes_));
  out.Set("disabled", disabled_);
}

namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;

// A non-negative integer argument up to 2^53 - 1; false if it is not one.
bool SizeArg(const Napi::CallbackInfo& info, size_t index, size_t* out) {
  if (info.Length() <= index || !info[index].IsNumber()) return false;
  const double value = info[index].As<Napi::Number>().DoubleValue();
  if (!(value >= 0 && value <= kMaxSafeInteger) || value != static_cast<double>(static_cast<uint64_t>(value)))
    return false;
  *out = static_cast<size_t>(value);
  return true;
}

// arenaAllocate(length, zero): Buffer | undefined. src/memory/read-arena.ts validates first.
Napi::Value ArenaAllocate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t length = 0;
  if (!SizeArg(info, 0, &length)) {
    Napi::TypeError::New(env, "arenaAllocate(length: a non-negative integer, zero: boolean)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  ReadArena* arena = ReadArena::ForEnv(env);
  if (arena == nullptr) return env.Undefined();
  const bool zero = info.Length() > 1 && info[1].ToBoolean().Value();
  return Napi::Value(env, arena->Allocate(env, length, zero));
}

Napi::Value ArenaStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  ReadArena* arena = ReadArena::ForEnv(env);
  if (arena != nullptr) arena->Describe(out);
  return out;
}

// arenaTrim(keepBytes): unmap empty chunks past `keepBytes`.
Napi::Value ArenaTrim(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t keep = 0;
  if (!SizeArg(info, 0, &keep)) {
    Napi::TypeError::New(env, "arenaTrim(keepBytes: a non-negative integer)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  ReadArena* arena = ReadArena::ForEnv(env);
  if (arena != nullptr) arena->Trim(keep);
  return env.Undefined();
}

// arenaConfigure(keepBytes, maxBytes)
Napi::Value ArenaConfigure(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t keep = 0;
  size_t max = 0;
  if (!SizeArg(info, 0, &keep) || !SizeArg(info, 1, &max)) {
    Napi::TypeError::New(env, "arenaConfigure(keepBytes, maxBytes: non-negative integers)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  ReadArena* arena = ReadArena::ForEnv(env);
  if (arena != nullptr) arena->Configure(keep, max);
  return env.Undefined();
}

}  // namespace

void DefineReadArena(Napi::Env env, Napi::Object exports) {
  exports.Set("arenaAllocate", Napi::Function::New(env, ArenaAllocate, "arenaAllocate"));
  exports.Set("arenaStats", Napi::Function::New(env, ArenaStats, "arenaStats"));
  exports.Set("arenaTrim", Napi::Function::New(env, ArenaTrim, "arenaTrim"));
  exports.Set("arenaConfigure", Napi::Function::New(env, ArenaConfigure, "arenaConfigure"));
}

}  // namespace mfio::rt
