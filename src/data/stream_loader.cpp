// StreamLoader: collates consecutive samples of an IterableDataset.
#include "fluxion/data/stream_loader.h"

#include "fluxion/error.h"

namespace fluxion::data {

StreamLoader::StreamLoader(std::shared_ptr<IterableDataset<Example>> stream, int64_t batch_size, bool drop_last)
    : stream_(std::move(stream)), batch_size_(batch_size), drop_last_(drop_last) {
  FX_CHECK(stream_ != nullptr, "StreamLoader: stream is null");
  FX_CHECK(batch_size >= 1, "StreamLoader: batch_size must be >= 1, got ", batch_size);
}

StreamLoader::Iterator StreamLoader::begin() {
  stream_->reset();
  return Iterator(this);
}

StreamLoader::Iterator& StreamLoader::Iterator::operator++() {
  current_.reset();
  std::vector<Example> samples;
  while (static_cast<int64_t>(samples.size()) < loader_->batch_size_) {
    std::optional<Example> e = loader_->stream_->next();
    if (!e) break;
    samples.push_back(std::move(*e));
  }
  const bool partial = static_cast<int64_t>(samples.size()) < loader_->batch_size_;
  if (!samples.empty() && !(partial && loader_->drop_last_)) current_ = collate(samples);
  return *this;
}

}  // namespace fluxion::data
