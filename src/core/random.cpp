// Generator state: (seed, offset) of a Philox4x32-10 stream. Each draw reserves a block of
// counters, so two draws never overlap and a draw's values depend only on the state when it
// started (not on threads). The default generator is documented global state, like
// torch.manual_seed.
#include "fluxion/random.h"

#include "core/philox.h"

namespace fluxion {

Generator::Generator(uint64_t seed) : seed_(seed) {}

void Generator::manual_seed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(mu_);
  seed_ = seed;
  offset_ = 0;
}

uint64_t Generator::initial_seed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seed_;
}

uint64_t Generator::reserve(uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t first = offset_;
  offset_ += n;
  return first;
}

std::pair<uint64_t, uint64_t> Generator::draw(uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t first = offset_;
  offset_ += n;
  return {seed_, first};
}

std::pair<uint64_t, uint64_t> Generator::get_state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {seed_, offset_};
}

void Generator::set_state(std::pair<uint64_t, uint64_t> state) {
  std::lock_guard<std::mutex> lock(mu_);
  seed_ = state.first;
  offset_ = state.second;
}

Generator& default_generator() {
  static Generator* g = new Generator();  // leaked: usable from static destructors
  return *g;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

namespace philox {
Out philox4x32(uint64_t counter, uint64_t key) {
  philox_impl::U32x4 r = philox_impl::block(counter, key);
  return Out{{r.v[0], r.v[1], r.v[2], r.v[3]}};
}
}  // namespace philox

}  // namespace fluxion
