// Library handles (cuBLAS, cuDNN) per thread and device, recycled across threads: a thread takes
// a free handle of the device from the pool (or creates one) and gives its handles back when it
// exits, so short-lived threads (data loader workers, thread pools) do not leak a handle each.
// The pools are never destroyed: handles stay valid until the process ends, because destroying
// them during static destruction races the driver's own teardown (PyTorch does the same).
#pragma once

#include <map>
#include <mutex>
#include <vector>

namespace fluxion::cuda::detail {

template <class H>
class HandlePool {
 public:
  /// A cached free handle of `device`, or H{} when there is none.
  H take(int device) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<H>& v = free_[device];
    if (v.empty()) return H{};
    H h = v.back();
    v.pop_back();
    return h;
  }
  void give_back(int device, H h) {
    std::lock_guard<std::mutex> lock(mu_);
    free_[device].push_back(h);
  }

 private:
  std::mutex mu_;
  std::map<int, std::vector<H>> free_;
};

/// The calling thread's handles, one slot per device, returned to `pool` at thread exit.
template <class H>
class ThreadHandles {
 public:
  explicit ThreadHandles(HandlePool<H>& pool) : pool_(pool) {}
  ~ThreadHandles() {
    for (const auto& [device, h] : slots_)
      if (h) pool_.give_back(device, h);
  }
  ThreadHandles(const ThreadHandles&) = delete;
  ThreadHandles& operator=(const ThreadHandles&) = delete;

  /// The slot of `device`; when empty it is filled from the pool, else left for the caller.
  H& at(int device) {
    H& h = slots_[device];
    if (!h) h = pool_.take(device);
    return h;
  }

 private:
  HandlePool<H>& pool_;
  std::map<int, H> slots_;
};

}  // namespace fluxion::cuda::detail
