#include "loop_poll.h"

#include <uv.h>

namespace mfio::rt {
namespace {

struct PollData {
  LoopPoll::Callback callback;
  void* data;
};

void OnPoll(uv_poll_t* handle, int status, int events) {
  (void)status;
  (void)events;
  // An error status (e.g. the fd went bad) is still a reason to look at the ring: the owner
  // drains what is there and reports errors through its completions.
  auto* poll_data = static_cast<PollData*>(handle->data);
  poll_data->callback(poll_data->data);
}

void OnClose(uv_handle_t* handle) {
  delete static_cast<PollData*>(handle->data);
  delete reinterpret_cast<uv_poll_t*>(handle);
}

void OnAsync(uv_async_t* handle) {
  auto* poll_data = static_cast<PollData*>(handle->data);
  poll_data->callback(poll_data->data);
}

void OnAsyncClose(uv_handle_t* handle) {
  delete static_cast<PollData*>(handle->data);
  delete reinterpret_cast<uv_async_t*>(handle);
}

}  // namespace

int LoopPoll::Start(napi_env env, int fd, Callback on_readable, void* data) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) return UV_EINVAL;
  auto* handle = new uv_poll_t;
  int rc = uv_poll_init(loop, handle, fd);
  if (rc != 0) {
    delete handle;
    return rc;
  }
  handle->data = new PollData{on_readable, data};
  rc = uv_poll_start(handle, UV_READABLE, OnPoll);
  if (rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(handle), OnClose);
    return rc;
  }
  uv_unref(reinterpret_cast<uv_handle_t*>(handle));
  handle_ = handle;
  active_ = false;
  return 0;
}

void LoopPoll::SetActive(bool active) {
  if (handle_ == nullptr || active == active_) return;
  active_ = active;
  if (active) {
    uv_ref(reinterpret_cast<uv_handle_t*>(handle_));
  } else {
    uv_unref(reinterpret_cast<uv_handle_t*>(handle_));
  }
}

void LoopPoll::Stop() {
  if (handle_ == nullptr) return;
  uv_poll_stop(handle_);
  uv_close(reinterpret_cast<uv_handle_t*>(handle_), OnClose);
  handle_ = nullptr;
  active_ = false;
}

int LoopAsync::Start(napi_env env, Callback on_wake, void* data) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) return UV_EINVAL;
  auto* handle = new uv_async_t;
  int rc = uv_async_init(loop, handle, OnAsync);
  if (rc != 0) {
    delete handle;
    return rc;
  }
  handle->data = new PollData{on_wake, data};
  uv_unref(reinterpret_cast<uv_handle_t*>(handle));
  handle_ = handle;
  active_ = false;
  return 0;
}

void LoopAsync::Send() {
  if (handle_ != nullptr) uv_async_send(handle_);
}

void LoopAsync::SetActive(bool active) {
  if (handle_ == nullptr || active == active_) return;
  active_ = active;
  if (active) {
    uv_ref(reinterpret_cast<uv_handle_t*>(handle_));
  } else {
    uv_unref(reinterpret_cast<uv_handle_t*>(handle_));
  }
}

void LoopAsync::Stop() {
  if (handle_ == nullptr) return;
  uv_close(reinterpret_cast<uv_handle_t*>(handle_), OnAsyncClose);
  handle_ = nullptr;
  active_ = false;
}

}  // namespace mfio::rt
