// StreamLoader: batches of an IterableDataset, read front to back on the calling thread.
#pragma once

#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>

#include "fluxion/data/collate.h"
#include "fluxion/data/dataset.h"

namespace fluxion::data {

class StreamLoader {
 public:
  /// Each pass calls stream->reset() and then groups next() results into batches of batch_size.
  StreamLoader(std::shared_ptr<IterableDataset<Example>> stream, int64_t batch_size, bool drop_last = false);

  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Batch;
    using difference_type = std::ptrdiff_t;
    using pointer = Batch*;
    using reference = Batch&;
    Iterator() = default;
    explicit Iterator(StreamLoader* loader) : loader_(loader) { ++*this; }
    Batch& operator*() { return *current_; }
    Batch* operator->() { return &*current_; }
    Iterator& operator++();
    void operator++(int) { ++*this; }
    bool operator==(std::default_sentinel_t) const { return !current_.has_value(); }

   private:
    StreamLoader* loader_ = nullptr;
    std::optional<Batch> current_;
  };

  Iterator begin();
  std::default_sentinel_t end() const { return {}; }

 private:
  std::shared_ptr<IterableDataset<Example>> stream_;
  int64_t batch_size_;
  bool drop_last_;
};

}  // namespace fluxion::data
