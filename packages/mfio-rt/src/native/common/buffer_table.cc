#include "buffer_table.h"

namespace mfio::rt {

uint8_t* BufferTable::Range(double index, double offset, double len) {
  if (!(index >= 0 && index < cache_.size())) return nullptr;
  Entry& entry = cache_[static_cast<size_t>(index)];
  if (!entry.looked_up) {
    entry.looked_up = true;
    Napi::Value value = buffers_.Get(static_cast<uint32_t>(index));
    if (value.IsTypedArray()) {
      Napi::TypedArray array = value.As<Napi::TypedArray>();
      Napi::ArrayBuffer backing = array.ArrayBuffer();
      entry.data = static_cast<uint8_t*>(backing.Data()) + array.ByteOffset();
      entry.size = array.ByteLength();
    }
  }
  if (entry.data == nullptr) return nullptr;
  if (!(offset >= 0 && len >= 0 && offset + len <= static_cast<double>(entry.size))) return nullptr;
  return entry.data + static_cast<size_t>(offset);
}

const char* BufferTable::Path(double index) {
  if (Range(index, 0, 0) == nullptr) return nullptr;
  const Entry& entry = cache_[static_cast<size_t>(index)];
  if (entry.size == 0 || entry.data[entry.size - 1] != 0) return nullptr;
  return reinterpret_cast<const char*>(entry.data);
}

}  // namespace mfio::rt
