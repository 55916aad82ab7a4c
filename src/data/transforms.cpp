// Image transforms. They work on contiguous CPU tensors with plain loops: they run in DataLoader
// worker threads, on one small image at a time, where op dispatch would cost more than the work.
#include "fluxion/data/transforms.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "fluxion/error.h"
#include "fluxion/ops/creation.h"

namespace fluxion::data {

double uniform01(Generator& gen) {
  auto [seed, counter] = gen.draw(1);
  const philox::Out o = philox::philox4x32(counter, seed);
  return philox::uint_to_double(o.v[0], o.v[1]);
}

int64_t uniform_int(Generator& gen, int64_t low, int64_t high) {
  FX_CHECK(high > low, "uniform_int: empty range [", low, ", ", high, ")");
  const auto span = static_cast<double>(high - low);
  return std::min(high - 1, low + static_cast<int64_t>(uniform01(gen) * span));
}

namespace transforms {
namespace {

// (C, H, W) float32 contiguous view of x; (H, W) gets C = 1. Returns the original dim count too.
Tensor as_chw(const Tensor& x, const char* op) {
  FX_CHECK(x.defined() && (x.dim() == 2 || x.dim() == 3), op, ": expected a (C, H, W) or (H, W) image, got shape ",
           x.defined() ? x.sizes() : Shape{});
  FX_CHECK(x.is_cpu(), op, ": expected a CPU tensor, got one on ", x.device().str(),
           " (transforms run on the CPU, before the batch moves to a device)");
  Tensor f = x.dtype() == kFloat32 ? x : x.to(kFloat32);
  if (f.dim() == 2) f = f.unsqueeze(0);
  return f.contiguous();
}

Tensor restore_dims(const Tensor& y, const Tensor& like) { return like.dim() == 2 ? y.squeeze(0) : y; }

}  // namespace

Tensor Compose::operator()(const Tensor& x, Generator& gen) const {
  Tensor y = x;
  for (const auto& t : transforms_) y = t(y, gen);
  return y;
}

Tensor to_tensor(const Tensor& image) {
  FX_CHECK(image.defined() && (image.dim() == 2 || image.dim() == 3),
           "ToTensor: expected an (H, W, C) or (H, W) image");
  if (image.is_floating_point()) return image;
  FX_CHECK(image.dtype() == kUInt8, "ToTensor: expected uint8 or floating-point input, got ", image.dtype());
  FX_CHECK(image.is_cpu(), "ToTensor: expected a CPU image (decoded images are on the CPU), got one on ",
           image.device().str(), "; move it with .cpu() first");
  const Tensor src = image.contiguous();
  const int64_t H = src.size(0), W = src.size(1), C = src.dim() == 3 ? src.size(2) : 1;
  Tensor out = empty({C, H, W}, TensorOptions(kFloat32));
  const uint8_t* s = src.data_ptr<uint8_t>();
  float* d = out.data_ptr<float>();
  for (int64_t y = 0; y < H; ++y)
    for (int64_t x = 0; x < W; ++x)
      for (int64_t c = 0; c < C; ++c) d[(c * H + y) * W + x] = static_cast<float>(s[(y * W + x) * C + c]) / 255.0f;
  return out;
}

Tensor ToTensor::operator()(const Tensor& x, Generator&) const { return to_tensor(x); }

Normalize::Normalize(std::vector<double> mean, std::vector<double> std) : mean_(std::move(mean)), std_(std::move(std)) {
  FX_CHECK(!mean_.empty() && mean_.size() == std_.size(),
           "Normalize: mean and std must be non-empty and of equal length");
  for (double s : std_) FX_CHECK(s != 0, "Normalize: std must be non-zero");
}

Tensor Normalize::operator()(const Tensor& x, Generator&) const {
  Tensor f = as_chw(x, "Normalize");
  const int64_t C = f.size(0), HW = f.size(1) * f.size(2);
  FX_CHECK(mean_.size() == 1 || static_cast<int64_t>(mean_.size()) == C, "Normalize: ", mean_.size(), " means for ", C,
           " channels");
  Tensor out = empty(f.sizes(), TensorOptions(kFloat32));
  const float* s = f.data_ptr<float>();
  float* d = out.data_ptr<float>();
  for (int64_t c = 0; c < C; ++c) {
    const size_t k = mean_.size() == 1 ? 0 : static_cast<size_t>(c);
    const auto m = static_cast<float>(mean_[k]), inv = static_cast<float>(1.0 / std_[k]);
    for (int64_t i = 0; i < HW; ++i) d[c * HW + i] = (s[c * HW + i] - m) * inv;
  }
  return restore_dims(out, x);
}

RandomCrop::RandomCrop(int64_t height, int64_t width, int64_t padding) : h_(height), w_(width), padding_(padding) {
  FX_CHECK(height > 0 && width > 0 && padding >= 0, "RandomCrop: size must be positive and padding non-negative");
}

Tensor RandomCrop::operator()(const Tensor& x, Generator& gen) const {
  Tensor f = as_chw(x, "RandomCrop");
  const int64_t C = f.size(0), H = f.size(1), W = f.size(2);
  const int64_t PH = H + 2 * padding_, PW = W + 2 * padding_;
  FX_CHECK(h_ <= PH && w_ <= PW, "RandomCrop: crop ", h_, "x", w_, " larger than the padded image ", PH, "x", PW);
  const int64_t top = uniform_int(gen, 0, PH - h_ + 1), left = uniform_int(gen, 0, PW - w_ + 1);
  Tensor out = zeros({C, h_, w_}, TensorOptions(kFloat32));
  const float* s = f.data_ptr<float>();
  float* d = out.data_ptr<float>();
  for (int64_t c = 0; c < C; ++c)
    for (int64_t y = 0; y < h_; ++y) {
      const int64_t sy = top + y - padding_;
      if (sy < 0 || sy >= H) continue;
      for (int64_t xx = 0; xx < w_; ++xx) {
        const int64_t sx = left + xx - padding_;
        if (sx >= 0 && sx < W) d[(c * h_ + y) * w_ + xx] = s[(c * H + sy) * W + sx];
      }
    }
  return restore_dims(out, x);
}

Tensor RandomHorizontalFlip::operator()(const Tensor& x, Generator& gen) const {
  if (uniform01(gen) >= p_) return x;
  Tensor f = as_chw(x, "RandomHorizontalFlip");
  const int64_t C = f.size(0), H = f.size(1), W = f.size(2);
  Tensor out = empty(f.sizes(), TensorOptions(kFloat32));
  const float* s = f.data_ptr<float>();
  float* d = out.data_ptr<float>();
  for (int64_t r = 0; r < C * H; ++r)
    for (int64_t xx = 0; xx < W; ++xx) d[r * W + xx] = s[r * W + (W - 1 - xx)];
  return restore_dims(out, x);
}

Tensor CenterCrop::operator()(const Tensor& x, Generator&) const {
  FX_CHECK(x.defined() && x.dim() >= 2, "CenterCrop: expected (..., H, W)");
  const int64_t H = x.size(-2), W = x.size(-1);
  FX_CHECK(h_ <= H && w_ <= W && h_ > 0 && w_ > 0, "CenterCrop: crop ", h_, "x", w_, " does not fit image ", H, "x", W);
  const int64_t top = (H - h_) / 2, left = (W - w_) / 2;
  return x.narrow(-2, top, h_).narrow(-1, left, w_).contiguous();
}

Tensor Resize::operator()(const Tensor& x, Generator&) const {
  FX_CHECK(h_ > 0 && w_ > 0, "Resize: size must be positive");
  Tensor f = as_chw(x, "Resize");
  const int64_t C = f.size(0), H = f.size(1), W = f.size(2);
  Tensor out = empty({C, h_, w_}, TensorOptions(kFloat32));
  const float* s = f.data_ptr<float>();
  float* d = out.data_ptr<float>();
  // Source coordinate of an output pixel centre: (o + 0.5) * in / out - 0.5, clamped at 0.
  auto coord = [](int64_t o, int64_t in, int64_t outn, int64_t& i0, int64_t& i1, float& t) {
    double src = (static_cast<double>(o) + 0.5) * static_cast<double>(in) / static_cast<double>(outn) - 0.5;
    src = std::max(src, 0.0);
    i0 = std::min(static_cast<int64_t>(src), in - 1);
    i1 = std::min(i0 + 1, in - 1);
    t = static_cast<float>(src - static_cast<double>(i0));
  };
  for (int64_t y = 0; y < h_; ++y) {
    int64_t y0, y1;
    float ty;
    coord(y, H, h_, y0, y1, ty);
    for (int64_t xx = 0; xx < w_; ++xx) {
      int64_t x0, x1;
      float tx;
      coord(xx, W, w_, x0, x1, tx);
      for (int64_t c = 0; c < C; ++c) {
        const float* p = s + c * H * W;
        const float top = p[y0 * W + x0] * (1 - tx) + p[y0 * W + x1] * tx;
        const float bot = p[y1 * W + x0] * (1 - tx) + p[y1 * W + x1] * tx;
        d[(c * h_ + y) * w_ + xx] = top * (1 - ty) + bot * ty;
      }
    }
  }
  return restore_dims(out, x);
}

RandomRotation::RandomRotation(double min_degrees, double max_degrees) : min_(min_degrees), max_(max_degrees) {
  FX_CHECK(min_degrees <= max_degrees, "RandomRotation: min ", min_degrees, " > max ", max_degrees);
}

Tensor RandomRotation::operator()(const Tensor& x, Generator& gen) const {
  Tensor f = as_chw(x, "RandomRotation");
  const int64_t C = f.size(0), H = f.size(1), W = f.size(2);
  const double theta = (min_ + (max_ - min_) * uniform01(gen)) * std::numbers::pi / 180.0;
  const double c = std::cos(theta), s = std::sin(theta);
  const double cx = static_cast<double>(W - 1) / 2, cy = static_cast<double>(H - 1) / 2;
  Tensor out = empty(f.sizes(), TensorOptions(kFloat32));
  const float* src = f.data_ptr<float>();
  float* d = out.data_ptr<float>();
  auto at = [&](int64_t ch, int64_t yy, int64_t xx) -> double {
    return (xx < 0 || xx >= W || yy < 0 || yy >= H) ? 0.0 : src[(ch * H + yy) * W + xx];
  };
  for (int64_t y = 0; y < H; ++y)
    for (int64_t xx = 0; xx < W; ++xx) {
      // Inverse map: the source of output pixel p is p rotated clockwise by theta about the centre
      // (y grows downwards, so a counter-clockwise picture rotation is clockwise in these axes).
      const double dx = static_cast<double>(xx) - cx, dy = static_cast<double>(y) - cy;
      const double sx = dx * c - dy * s + cx, sy = dx * s + dy * c + cy;
      const auto x0 = static_cast<int64_t>(std::floor(sx)), y0 = static_cast<int64_t>(std::floor(sy));
      const double tx = sx - static_cast<double>(x0), ty = sy - static_cast<double>(y0);
      for (int64_t ch = 0; ch < C; ++ch) {
        const double top = at(ch, y0, x0) * (1 - tx) + at(ch, y0, x0 + 1) * tx;
        const double bot = at(ch, y0 + 1, x0) * (1 - tx) + at(ch, y0 + 1, x0 + 1) * tx;
        d[(ch * H + y) * W + xx] = static_cast<float>(top * (1 - ty) + bot * ty);
      }
    }
  return restore_dims(out, x);
}

}  // namespace transforms
}  // namespace fluxion::data
