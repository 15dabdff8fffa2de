#include "command_layout.h"

#include "commands.h"

namespace mfio::rt {

namespace {

using namespace commands;

template <size_t N>
Napi::Object Named(Napi::Env env, const NamedValue (&values)[N]) {
  Napi::Object out = Napi::Object::New(env);
  for (const NamedValue& value : values) out.Set(value.name, value.value);
  return out;
}

// commandLayout(): { stride, fields, ops, constants, layouts }. `layouts[i]` describes op i as
// decoded: [fd, buf, len, arg] kinds (the enums' numbers), whether flags are read, executor bits.
Napi::Value CommandLayout(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("stride", kStride);
  out.Set("fields", Named(env, kFieldValues));
  out.Set("ops", Named(env, kOpValues));
  out.Set("constants", Named(env, kConstantValues));
  Napi::Array layouts = Napi::Array::New(env, kOpCount);
  for (uint32_t i = 0; i < kOpCount; i++) {
    const OpLayout& layout = kOpLayouts[i];
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("name", layout.name);
    entry.Set("fd", static_cast<int>(layout.fd));
    entry.Set("buf", static_cast<int>(layout.buf));
    entry.Set("len", static_cast<int>(layout.len));
    entry.Set("arg", static_cast<int>(layout.arg));
    entry.Set("flags", layout.flags);
    entry.Set("executors", layout.executors);
    layouts.Set(i, entry);
  }
  out.Set("layouts", layouts);
  return out;
}

}  // namespace

void DefineCommandLayout(Napi::Env env, Napi::Object exports) {
  exports.Set("commandLayout", Napi::Function::New<CommandLayout>(env, "commandLayout"));
}

}  // namespace mfio::rt
