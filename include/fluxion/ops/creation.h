// Tensor creation: constant fills, ranges, identity, from C++ data.
#pragma once

#include <initializer_list>
#include <vector>

#include "fluxion/tensor.h"

namespace fluxion {

/// Uninitialised tensor (memory from the caching allocator).
Tensor empty(const Shape& sizes, const TensorOptions& opts = {});
Tensor empty_strided(const Shape& sizes, const Shape& strides, const TensorOptions& opts = {});
Tensor zeros(const Shape& sizes, const TensorOptions& opts = {});
Tensor ones(const Shape& sizes, const TensorOptions& opts = {});
/// Tensor filled with `value`; dtype defaults to the value's natural dtype (float32/int64/bool).
Tensor full(const Shape& sizes, const Scalar& value, const TensorOptions& opts = {});
/// *_like: same sizes, dtype and device as `t` unless `opts` says otherwise.
Tensor empty_like(const Tensor& t, const TensorOptions& opts = {});
Tensor zeros_like(const Tensor& t, const TensorOptions& opts = {});
Tensor ones_like(const Tensor& t, const TensorOptions& opts = {});
Tensor full_like(const Tensor& t, const Scalar& value, const TensorOptions& opts = {});
/// [start, end) with `step`; int64 when all arguments are integers, else the default float dtype.
Tensor arange(const Scalar& end, const TensorOptions& opts = {});
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step = 1, const TensorOptions& opts = {});
Tensor linspace(double start, double end, int64_t steps, const TensorOptions& opts = {});
Tensor logspace(double start, double end, int64_t steps, double base = 10.0, const TensorOptions& opts = {});
Tensor eye(int64_t n, std::optional<int64_t> m = std::nullopt, const TensorOptions& opts = {});
/// 0-d tensor holding `value`.
Tensor scalar_tensor(const Scalar& value, const TensorOptions& opts = {});

/// 1-d tensor from values; dtype from T unless `opts` has one. fx::tensor({1.0f, 2.0f}).
template <class T>
Tensor tensor(std::initializer_list<T> values, const TensorOptions& opts = {});
/// 2-d tensor from nested lists: fx::tensor({{1, 2}, {3, 4}}).
template <class T>
Tensor tensor(std::initializer_list<std::initializer_list<T>> rows, const TensorOptions& opts = {});
template <class T>
Tensor tensor(const std::vector<T>& values, const TensorOptions& opts = {});
/// Tensor with the given sizes copied from `values` (numel must match).
template <class T>
Tensor tensor(const std::vector<T>& values, const Shape& sizes, const TensorOptions& opts = {});

/// Wraps caller-owned memory without copying; `deleter` (optional) runs when the last view dies.
Tensor from_blob(void* data, const Shape& sizes, const TensorOptions& opts = {},
                 std::function<void(void*)> deleter = {});
Tensor from_blob(void* data, const Shape& sizes, const Shape& strides, const TensorOptions& opts = {},
                 std::function<void(void*)> deleter = {});

}  // namespace fluxion
