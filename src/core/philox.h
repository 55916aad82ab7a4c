// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a
// counter-based generator. Output depends only on (counter, key), so element i of a random
// tensor can be computed by whichever thread owns it — results never depend on the thread
// count. Header-only and host/device so CUDA kernels can share it.
#pragma once

#include <cstdint>

#include "fluxion/half.h"  // FX_HOST_DEVICE

namespace fluxion::philox_impl {

struct U32x4 {
  uint32_t v[4];
};

FX_HOST_DEVICE inline void mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
  uint64_t p = static_cast<uint64_t>(a) * b;
  hi = static_cast<uint32_t>(p >> 32);
  lo = static_cast<uint32_t>(p);
}

/// The full 128-bit-counter, 64-bit-key function (checked against Random123's known answers).
FX_HOST_DEVICE inline U32x4 philox4x32_10(U32x4 c, uint32_t k0, uint32_t k1) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
  constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += kW0;
      k1 += kW1;
    }
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(kM0, c.v[0], hi0, lo0);
    mulhilo(kM1, c.v[2], hi1, lo1);
    c = U32x4{{hi1 ^ c.v[1] ^ k0, lo1, hi0 ^ c.v[3] ^ k1, lo0}};
  }
  return c;
}

/// Fluxion's stream layout: 64-bit counter in words 0-1, the 64-bit seed as the key.
FX_HOST_DEVICE inline U32x4 block(uint64_t counter, uint64_t key) {
  U32x4 c{{static_cast<uint32_t>(counter), static_cast<uint32_t>(counter >> 32), 0u, 0u}};
  return philox4x32_10(c, static_cast<uint32_t>(key), static_cast<uint32_t>(key >> 32));
}

}  // namespace fluxion::philox_impl
