// Pointers into the JS buffers named by one submit() batch, looked up once per buffer per batch
// (a readMany batch sends every request into one buffer). Used on the JS thread only; the
// pointers stay valid after the batch because JS keeps each buffer reachable until its request
// completes.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mfio::rt {

class BufferTable {
 public:
  explicit BufferTable(Napi::Array buffers) : buffers_(buffers), cache_(buffers.Length()) {}

  // The address of [offset, offset + len) of buffer `index`, or nullptr if out of bounds.
  uint8_t* Range(double index, double offset, double len);

  // Buffer `index` as a C string, only if it ends in a NUL: the kernel reads up to the first one.
  const char* Path(double index);

 private:
  struct Entry {
    bool looked_up = false;
    uint8_t* data = nullptr;
    size_t size = 0;
  };
  Napi::Array buffers_;
  std::vector<Entry> cache_;
};

}  // namespace mfio::rt
