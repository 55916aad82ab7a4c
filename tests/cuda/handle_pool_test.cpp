// The per-thread handle cache of the CUDA backend (cuda/handle_pool.h) is plain C++, so it is
// tested here with integers standing for cuBLAS/cuDNN handles (runs without a GPU).
#include <gtest/gtest.h>

#include <thread>

#include "cuda/handle_pool.h"

namespace cd = fluxion::cuda::detail;

TEST(CudaHandlePool, ThreadsGiveTheirHandlesBackAndNewThreadsReuseThem) {
  cd::HandlePool<int> pool;
  int created = 0;
  auto use = [&](int device) {
    cd::ThreadHandles<int> handles(pool);
    int& h = handles.at(device);
    if (!h) h = 100 * (device + 1) + ++created;  // "create" a handle
    return h;
  };
  int first = 0, second = 0, other_device = 0;
  std::thread([&] { first = use(0); }).join();
  std::thread([&] { second = use(0); }).join();
  std::thread([&] { other_device = use(1); }).join();
  EXPECT_EQ(second, first);  // the second thread got the first one's handle back from the pool
  EXPECT_NE(other_device, first);
  EXPECT_EQ(created, 2);  // one per device, not one per thread
  // Two live threads cannot share a handle: the second one creates its own.
  cd::ThreadHandles<int> a(pool), b(pool);
  int& ha = a.at(0);
  int& hb = b.at(0);
  EXPECT_EQ(ha, first);
  EXPECT_EQ(hb, 0);
}
