// Device parsing, Shape/SmallVector, TensorImpl geometry and contiguity, Scalar, errors.
#include <gtest/gtest.h>

#include <sstream>

#include "support/test_util.h"

namespace fx = fluxion;

TEST(Device, ParsesAndPrints) {
  EXPECT_TRUE(fx::Device("cpu").is_cpu());
  EXPECT_EQ(fx::Device("cpu").str(), "cpu");
  fx::Device d("cuda:1");
  EXPECT_TRUE(d.is_cuda());
  EXPECT_EQ(d.index(), 1);
  EXPECT_EQ(d.str(), "cuda:1");
  EXPECT_EQ(fx::Device("cuda").index(), 0);
  EXPECT_EQ(fx::Device(fx::kCUDA), fx::Device("cuda:0"));
  std::ostringstream os;
  os << fx::Device("cuda:2") << " " << fx::kCPU;
  EXPECT_EQ(os.str(), "cuda:2 cpu");
}

TEST(Device, ParseErrors) {
  EXPECT_FX_ERROR(fx::Device("gpu"), "unknown device 'gpu'");
  EXPECT_FX_ERROR(fx::Device("cuda:x"), "bad device index");
  EXPECT_FX_ERROR(fx::Device("cuda:"), "bad device index");
  EXPECT_FX_ERROR(fx::Device("cuda:-1"), "bad device index");
  EXPECT_FX_ERROR(fx::Device("cpu:1"), "CPU device index");
  EXPECT_FX_ERROR(fx::Device(fx::DeviceType::CPU, 3), "CPU device index");
}

TEST(Device, WithoutCudaAllocatingOnCudaIsAClearError) {
  if (fx::cuda_compiled()) GTEST_SKIP() << "CUDA build";
  EXPECT_FALSE(fx::cuda_compiled());
  EXPECT_EQ(fx::cuda_device_count(), 0);
  EXPECT_FX_ERROR(fx::empty({2}, fx::Device("cuda")), "no CUDA support");
}

TEST(SmallVector, InlineThenHeapStorage) {
  fx::Shape s{1, 2, 3};
  EXPECT_EQ(s.size(), 3u);
  for (int64_t i = 4; i <= 20; ++i) s.push_back(i);  // spills past the 6 inline slots
  ASSERT_EQ(s.size(), 20u);
  for (int64_t i = 0; i < 20; ++i) EXPECT_EQ(s[i], i + 1);
  fx::Shape copy = s;
  EXPECT_EQ(copy, s);
  copy[0] = 100;
  EXPECT_EQ(s[0], 1);  // deep copy
  fx::Shape moved = std::move(copy);
  EXPECT_EQ(moved[0], 100);
  EXPECT_EQ(moved.size(), 20u);
  EXPECT_TRUE(copy.empty());
  fx::Shape small{7, 8};
  fx::Shape small_moved = std::move(small);  // inline storage moves by copying
  EXPECT_EQ(small_moved, (fx::Shape{7, 8}));
  small_moved = s;  // inline <- heap
  EXPECT_EQ(small_moved, s);
  s = fx::Shape{5};  // heap <- inline
  EXPECT_EQ(s, (fx::Shape{5}));
}

TEST(SmallVector, InsertEraseResizeAndConversions) {
  fx::Shape s{1, 3};
  s.insert(s.begin() + 1, 2);
  EXPECT_EQ(s, (fx::Shape{1, 2, 3}));
  s.insert(s.end(), 4);
  EXPECT_EQ(s, (fx::Shape{1, 2, 3, 4}));
  s.erase(s.begin());
  EXPECT_EQ(s, (fx::Shape{2, 3, 4}));
  s.resize(5, 9);
  EXPECT_EQ(s, (fx::Shape{2, 3, 4, 9, 9}));
  s.pop_back();
  EXPECT_EQ(s.back(), 9);
  EXPECT_EQ(s.vec(), (std::vector<int64_t>{2, 3, 4, 9}));
  EXPECT_EQ(fx::Shape(std::vector<int64_t>{4, 5}), (fx::Shape{4, 5}));
  EXPECT_EQ(fx::Shape(size_t{3}, int64_t{7}), (fx::Shape{7, 7, 7}));
  EXPECT_FALSE((fx::Shape{1, 2}) == (fx::Shape{1, 2, 3}));
  std::ostringstream os;
  os << fx::Shape{2, 3} << fx::Shape{};
  EXPECT_EQ(os.str(), "[2, 3][]");
}

TEST(TensorImpl, ContiguityFollowsPyTorchsDefinition) {
  EXPECT_EQ(fx::contiguous_strides({2, 3, 4}), (fx::Shape{12, 4, 1}));
  EXPECT_EQ(fx::contiguous_strides({2, 0, 4}), (fx::Shape{4, 4, 1}));
  EXPECT_EQ(fx::shape_numel({}), 1);
  EXPECT_EQ(fx::shape_numel({3, 0}), 0);
  auto storage = std::make_shared<fx::Storage>(24 * 4, fx::kCPU);
  auto make = [&](fx::Shape sizes, fx::Shape strides) {
    return fx::TensorImpl(storage, 0, std::move(sizes), std::move(strides), fx::kFloat32);
  };
  EXPECT_TRUE(make({2, 3}, {3, 1}).is_contiguous());
  EXPECT_FALSE(make({2, 3}, {1, 2}).is_contiguous());   // transposed
  EXPECT_TRUE(make({1, 3}, {100, 1}).is_contiguous());  // size-1 dims may have any stride
  EXPECT_TRUE(make({3, 1}, {1, 7}).is_contiguous());
  EXPECT_FALSE(make({2, 3}, {6, 2}).is_contiguous());  // gaps
  EXPECT_TRUE(make({0, 3}, {1, 5}).is_contiguous());   // empty tensors are contiguous
  EXPECT_TRUE(make({}, {}).is_contiguous());
  EXPECT_EQ(make({}, {}).numel(), 1);
  fx::TensorImpl impl = make({4, 6}, {6, 1});
  EXPECT_EQ(impl.numel(), 24);
  impl.set_geometry({6, 4}, {1, 6}, 2);
  EXPECT_FALSE(impl.is_contiguous());
  EXPECT_EQ(impl.numel(), 24);
  EXPECT_EQ(impl.storage_offset(), 2);
  EXPECT_EQ(static_cast<char*>(impl.data()) - static_cast<char*>(storage->data()), 8);
}

TEST(Tensor, MetadataAccessorsAndDataPtrChecks) {
  fx::Tensor t = fx::zeros({2, 3, 4}, fx::kFloat64);
  EXPECT_EQ(t.dim(), 3);
  EXPECT_EQ(t.size(-1), 4);
  EXPECT_EQ(t.stride(0), 12);
  EXPECT_EQ(t.numel(), 24);
  EXPECT_EQ(t.nbytes(), 192u);
  EXPECT_EQ(t.element_size(), 8u);
  EXPECT_FX_ERROR(t.size(3), "out of range");
  EXPECT_FX_ERROR(t.data_ptr<float>(), "requested float32 but the tensor holds float64");
  EXPECT_FX_ERROR(t.item(), "cannot be converted to a scalar");
  EXPECT_EQ(fx::full({}, 2.5).item<double>(), 2.5);
  EXPECT_EQ(fx::full({1, 1}, int64_t{7}).item<int64_t>(), 7);
}

TEST(Scalar, KindsAndConversions) {
  fx::Scalar f(2.75), i(int64_t{-3}), b(true);
  EXPECT_TRUE(f.is_floating_point());
  EXPECT_TRUE(i.is_integral());
  EXPECT_TRUE(b.is_bool());
  EXPECT_EQ(f.to<int64_t>(), 2);
  EXPECT_EQ(i.to<double>(), -3.0);
  EXPECT_EQ((-i).to_int(), 3);
  EXPECT_EQ(b.to<int>(), 1);
  std::ostringstream os;
  os << f << " " << i << " " << b;
  EXPECT_EQ(os.str(), "2.75 -3 true");
}

TEST(Error, MessagesCarryTheirParts) {
  try {
    FX_CHECK(1 + 1 == 3, "op: sizes ", fx::Shape{2, 3}, " and dtype ", fx::kInt8);
    FAIL() << "FX_CHECK did not throw";
  } catch (const fx::Error& e) {
    EXPECT_NE(std::string(e.what()).find("op: sizes [2, 3] and dtype int8"), std::string::npos) << e.what();
  }
  EXPECT_THROW(FX_FAIL("boom"), std::runtime_error);  // fluxion::Error is a std::runtime_error
}
