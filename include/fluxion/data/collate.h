// Collation: a list of samples -> one batch, stacking along a new dimension 0.
#pragma once

#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "fluxion/data/dataset.h"

namespace fluxion::data {

/// Stacks same-shaped tensors along a new dim 0 (a (B,) tensor from 0-d ones). Uses a plain
/// memcpy per sample when possible, so DataLoader worker threads never enter the op kernels.
Tensor collate_tensors(const std::vector<Tensor>& tensors);
/// Stacks data and targets; an undefined target in every sample gives an undefined batch target.
Batch collate(const std::vector<Example>& examples);

/// Collates tuples of tensors member by member: ({a0, b0}, {a1, b1}) -> {stack(a), stack(b)}. For
/// Dataset<std::tuple<Tensor, ...>> samples gathered by hand or in a custom collate.
template <class... Ts>
std::tuple<Ts...> collate_tuples(const std::vector<std::tuple<Ts...>>& samples) {
  static_assert((std::is_same_v<Ts, Tensor> && ...), "collate_tuples: every member must be a Tensor");
  auto member = [&samples]<size_t I>(std::integral_constant<size_t, I>) {
    std::vector<Tensor> column;
    column.reserve(samples.size());
    for (const auto& s : samples) column.push_back(std::get<I>(s));
    return collate_tensors(column);
  };
  return [&]<size_t... I>(std::index_sequence<I...>) {
    return std::tuple<Ts...>{member(std::integral_constant<size_t, I>{})...};
  }
  (std::index_sequence_for<Ts...>{});
}

/// Collates (x, y) pairs into (stack(x), stack(y)).
inline std::pair<Tensor, Tensor> collate_pairs(const std::vector<std::pair<Tensor, Tensor>>& samples) {
  std::vector<Tensor> first, second;
  for (const auto& [a, b] : samples) {
    first.push_back(a);
    second.push_back(b);
  }
  return {collate_tensors(first), collate_tensors(second)};
}

}  // namespace fluxion::data
