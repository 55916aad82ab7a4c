// CUDA convolution kernels (kernels/nn_kernels.h), float32 and float64, through cuDNN 9's
// convolution API: cudnnConvolutionForward / BackwardData / BackwardFilter on N-d descriptors
// (cross-correlation, groups via cudnnSetConvolutionGroupCount).
//
//   - ConvGeom is normalised to 3 spatial dims; a problem with depth 1 everywhere (2-d and 1-d
//     convolutions, the latter with height 1) uses 4-d descriptors, anything else 5-d.
//   - Algorithms: the cudnnGet*Algorithm_v7 heuristics (cached per problem), taking the first one
//     that cuDNN accepts and whose workspace the caching allocator can provide (a temporary CUDA
//     uint8 tensor, freed in stream order).
//   - Math: float32 runs with CUDNN_FMA_MATH (no TF32: CUDNN_DEFAULT_MATH would permit TF32 on
//     Ampere and later) unless fluxion::cuda::set_allow_tf32(true); float64 with
//     CUDNN_DEFAULT_MATH. The descriptor then takes the math type each algorithm was proposed with.
//   - The legacy API describes tensors with int dims and strides: the batch is split into chunks
//     of at most INT_MAX elements per tensor (weight-gradient chunks accumulate with beta = 1).
//   - Bias: cudnnAddTensor after the forward.
// Everything runs on the calling thread's current stream of the tensors' device.
#include <algorithm>
#include <climits>
#include <map>
#include <mutex>
#include <vector>

#include "cuda/context.h"
#include "cuda/cuda_check.h"
#include "cuda/cudnn.h"
#include "cuda/iter.h"
#include "fluxion/cuda.h"
#include "fluxion/ops/creation.h"
#include "kernels/nn_kernels.h"

namespace fluxion::kernels {
namespace {

namespace cd = ::fluxion::cuda::detail;

// ---- descriptors (RAII) ---------------------------------------------------------------------------

class TensorDesc {
 public:
  TensorDesc() { FX_CUDNN_CHECK(cudnnCreateTensorDescriptor(&d_)); }
  ~TensorDesc() { (void)cudnnDestroyTensorDescriptor(d_); }
  TensorDesc(const TensorDesc&) = delete;
  TensorDesc& operator=(const TensorDesc&) = delete;
  cudnnTensorDescriptor_t get() const { return d_; }

 private:
  cudnnTensorDescriptor_t d_ = nullptr;
};

class FilterDesc {
 public:
  FilterDesc() { FX_CUDNN_CHECK(cudnnCreateFilterDescriptor(&d_)); }
  ~FilterDesc() { (void)cudnnDestroyFilterDescriptor(d_); }
  FilterDesc(const FilterDesc&) = delete;
  FilterDesc& operator=(const FilterDesc&) = delete;
  cudnnFilterDescriptor_t get() const { return d_; }

 private:
  cudnnFilterDescriptor_t d_ = nullptr;
};

class ConvDesc {
 public:
  ConvDesc() { FX_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&d_)); }
  ~ConvDesc() { (void)cudnnDestroyConvolutionDescriptor(d_); }
  ConvDesc(const ConvDesc&) = delete;
  ConvDesc& operator=(const ConvDesc&) = delete;
  cudnnConvolutionDescriptor_t get() const { return d_; }

 private:
  cudnnConvolutionDescriptor_t d_ = nullptr;
};

// ---- the problem ----------------------------------------------------------------------------------

enum class Kind : int { Forward, BackwardData, BackwardFilter };

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Forward: return "conv (forward)";
    case Kind::BackwardData: return "conv (backward input)";
    default: return "conv (backward weight)";
  }
}

int to_int(int64_t v, const char* what) {
  FX_CHECK(v >= 0 && v <= INT_MAX, "conv: ", what, " of ", v, " exceeds the int range of cuDNN's descriptors");
  return static_cast<int>(v);
}

// Descriptor dims of the convolution (batch dim filled per chunk).
struct Problem {
  int nd = 4;  // descriptor rank: 4 (depth 1) or 5
  int x[5] = {}, w[5] = {}, y[5] = {};
  int pad[3] = {}, stride[3] = {}, dil[3] = {};
  int groups = 1;
  int64_t x_img = 0, y_img = 0;  // elements per image of x and y
  cudnnDataType_t dt = CUDNN_DATA_FLOAT;
  bool strict_fp32 = false;  // float32 without TF32
};

Problem problem_of(const ConvGeom& g, DType dtype) {
  Problem p;
  const bool flat = g.in[0] == 1 && g.out[0] == 1 && g.k[0] == 1 && g.pad[0] == 0;
  p.nd = flat ? 4 : 5;
  const int first = flat ? 1 : 0;  // first ConvGeom spatial slot described
  p.x[1] = to_int(g.in_channels, "in_channels");
  p.w[0] = to_int(g.out_channels, "out_channels");
  p.w[1] = to_int(g.in_channels / g.groups, "in_channels / groups");
  p.y[1] = p.w[0];
  p.groups = to_int(g.groups, "groups");
  for (int i = first, j = 2; i < 3; ++i, ++j) {
    p.x[j] = to_int(g.in[i], "an input size");
    p.w[j] = to_int(g.k[i], "a kernel size");
    p.y[j] = to_int(g.out[i], "an output size");
    p.pad[j - 2] = to_int(g.pad[i], "a padding");
    p.stride[j - 2] = to_int(g.stride[i], "a stride");
    p.dil[j - 2] = to_int(g.dil[i], "a dilation");
  }
  p.x_img = g.in_channels * g.in[0] * g.in[1] * g.in[2];
  p.y_img = g.out_channels * g.out[0] * g.out[1] * g.out[2];
  to_int(p.x_img, "an input image's element count");
  to_int(p.y_img, "an output image's element count");
  to_int(g.out_channels * (g.in_channels / g.groups) * g.k[0] * g.k[1] * g.k[2], "the weight's element count");
  p.dt = dtype == kFloat64 ? CUDNN_DATA_DOUBLE : CUDNN_DATA_FLOAT;
  p.strict_fp32 = dtype == kFloat32 && !::fluxion::cuda::allow_tf32();
  return p;
}

// Contiguous (row-major) strides of `dims`; the caller has checked that every product fits an int.
void set_tensor(const TensorDesc& d, cudnnDataType_t dt, int nd, const int* dims) {
  int strides[5];
  int64_t s = 1;
  for (int i = nd - 1; i >= 0; --i) {
    strides[i] = static_cast<int>(s);
    s *= std::max(dims[i], 1);
  }
  FX_CUDNN_CHECK(cudnnSetTensorNdDescriptor(d.get(), dt, nd, dims, strides));
}

// The descriptors of one batch chunk of nb images.
struct Descs {
  TensorDesc x, y;
  FilterDesc w;
  ConvDesc c;
  Descs(const Problem& p, int nb) {
    int xd[5], yd[5];
    std::copy(p.x, p.x + 5, xd);
    std::copy(p.y, p.y + 5, yd);
    xd[0] = yd[0] = nb;
    set_tensor(x, p.dt, p.nd, xd);
    set_tensor(y, p.dt, p.nd, yd);
    FX_CUDNN_CHECK(cudnnSetFilterNdDescriptor(w.get(), p.dt, CUDNN_TENSOR_NCHW, p.nd, p.w));
    FX_CUDNN_CHECK(
        cudnnSetConvolutionNdDescriptor(c.get(), p.nd - 2, p.pad, p.stride, p.dil, CUDNN_CROSS_CORRELATION, p.dt));
    FX_CUDNN_CHECK(cudnnSetConvolutionGroupCount(c.get(), p.groups));
    FX_CUDNN_CHECK(cudnnSetConvolutionMathType(c.get(), p.strict_fp32 ? CUDNN_FMA_MATH : CUDNN_DEFAULT_MATH));
  }
};

// ---- algorithm choice -----------------------------------------------------------------------------

struct Algo {
  int algo;
  cudnnMathType_t math;
};

// The successful entries of the heuristics' answer; algorithm 0 (implicit GEMM / the basic
// backward algorithm, which supports every configuration) when there are none, as PyTorch does.
template <class Perf>
std::vector<Algo> usable(const std::vector<Perf>& perf, int n) {
  std::vector<Algo> out;
  for (int i = 0; i < n; ++i)
    if (perf[static_cast<size_t>(i)].status == CUDNN_STATUS_SUCCESS)
      out.push_back({static_cast<int>(perf[static_cast<size_t>(i)].algo), perf[static_cast<size_t>(i)].mathType});
  if (out.empty()) out.push_back({0, CUDNN_DEFAULT_MATH});
  return out;
}

// The heuristics' algorithms for the problem, best first.
std::vector<Algo> heuristics(cudnnHandle_t h, Kind kind, const Descs& d) {
  int max = 0, n = 0;
  switch (kind) {
    case Kind::Forward: {
      FX_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithmMaxCount(h, &max));
      std::vector<cudnnConvolutionFwdAlgoPerf_t> perf(static_cast<size_t>(std::max(max, 1)));
      FX_CUDNN_CHECK(
          cudnnGetConvolutionForwardAlgorithm_v7(h, d.x.get(), d.w.get(), d.c.get(), d.y.get(), max, &n, perf.data()));
      return usable(perf, n);
    }
    case Kind::BackwardData: {
      FX_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithmMaxCount(h, &max));
      std::vector<cudnnConvolutionBwdDataAlgoPerf_t> perf(static_cast<size_t>(std::max(max, 1)));
      FX_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(h, d.w.get(), d.y.get(), d.c.get(), d.x.get(), max, &n,
                                                                 perf.data()));
      return usable(perf, n);
    }
    default: {
      FX_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(h, &max));
      std::vector<cudnnConvolutionBwdFilterAlgoPerf_t> perf(static_cast<size_t>(std::max(max, 1)));
      FX_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, d.x.get(), d.y.get(), d.c.get(), d.w.get(), max,
                                                                   &n, perf.data()));
      return usable(perf, n);
    }
  }
}

// Heuristic results per problem (the heuristics cost tens of microseconds per call).
std::vector<Algo> cached_heuristics(cudnnHandle_t h, Kind kind, const Descs& d, const Problem& p, int nb, int device) {
  static std::mutex mu;
  static std::map<std::vector<int64_t>, std::vector<Algo>> cache;
  std::vector<int64_t> key{
      static_cast<int64_t>(kind), device, static_cast<int64_t>(p.dt), p.strict_fp32, p.nd, p.groups, nb};
  for (int i = 1; i < p.nd; ++i) {
    key.push_back(p.x[i]);
    key.push_back(p.w[i]);
    key.push_back(p.y[i]);
  }
  key.push_back(p.w[0]);
  for (int i = 0; i < p.nd - 2; ++i) {
    key.push_back(p.pad[i]);
    key.push_back(p.stride[i]);
    key.push_back(p.dil[i]);
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  std::vector<Algo> algos = heuristics(h, kind, d);
  std::lock_guard<std::mutex> lock(mu);
  cache.emplace(key, algos);
  return algos;
}

cudnnStatus_t workspace_bytes(cudnnHandle_t h, Kind kind, const Descs& d, int algo, size_t* bytes) {
  switch (kind) {
    case Kind::Forward:
      return cudnnGetConvolutionForwardWorkspaceSize(h, d.x.get(), d.w.get(), d.c.get(), d.y.get(),
                                                     static_cast<cudnnConvolutionFwdAlgo_t>(algo), bytes);
    case Kind::BackwardData:
      return cudnnGetConvolutionBackwardDataWorkspaceSize(h, d.w.get(), d.y.get(), d.c.get(), d.x.get(),
                                                          static_cast<cudnnConvolutionBwdDataAlgo_t>(algo), bytes);
    default:
      return cudnnGetConvolutionBackwardFilterWorkspaceSize(h, d.x.get(), d.y.get(), d.c.get(), d.w.get(),
                                                            static_cast<cudnnConvolutionBwdFilterAlgo_t>(algo), bytes);
  }
}

// Pointers of one chunk: x, w, y are the forward's operands (for the backward kinds, y is gy and
// the output is x (gx) or w (gw)).
struct Operands {
  const void* x;
  const void* w;
  const void* y;
  void* out;
};

// Runs the convolution; returns cuDNN's status (NOT_SUPPORTED lets the caller try the next algorithm).
template <class S>
cudnnStatus_t execute(cudnnHandle_t h, Kind kind, const Descs& d, const Algo& a, void* ws, size_t ws_bytes,
                      const Operands& o, S beta) {
  const S alpha = 1;
  switch (kind) {
    case Kind::Forward:
      return cudnnConvolutionForward(h, &alpha, d.x.get(), o.x, d.w.get(), o.w, d.c.get(),
                                     static_cast<cudnnConvolutionFwdAlgo_t>(a.algo), ws, ws_bytes, &beta, d.y.get(),
                                     o.out);
    case Kind::BackwardData:
      return cudnnConvolutionBackwardData(h, &alpha, d.w.get(), o.w, d.y.get(), o.y, d.c.get(),
                                          static_cast<cudnnConvolutionBwdDataAlgo_t>(a.algo), ws, ws_bytes, &beta,
                                          d.x.get(), o.out);
    default:
      return cudnnConvolutionBackwardFilter(h, &alpha, d.x.get(), o.x, d.y.get(), o.y, d.c.get(),
                                            static_cast<cudnnConvolutionBwdFilterAlgo_t>(a.algo), ws, ws_bytes, &beta,
                                            d.w.get(), o.out);
  }
}

// Runs one chunk with the first heuristic algorithm that cuDNN accepts for these descriptors and
// whose workspace can be allocated. `accumulate`: beta = 1 (weight-gradient chunks after the first).
void run_chunk(cudnnHandle_t h, Kind kind, const Descs& d, const Problem& p, int nb, int device, const Operands& o,
               bool accumulate) {
  const std::vector<Algo> algos = cached_heuristics(h, kind, d, p, nb, device);
  cudnnStatus_t last = CUDNN_STATUS_SUCCESS;  // the last rejection, for the error message
  for (const Algo& a : algos) {
    // Float32 without TF32: never a tensor-op math type; the others run with FMA math.
    if (p.strict_fp32 && (a.math == CUDNN_TENSOR_OP_MATH || a.math == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION)) continue;
    FX_CUDNN_CHECK(cudnnSetConvolutionMathType(d.c.get(), p.strict_fp32 ? CUDNN_FMA_MATH : a.math));
    size_t bytes = 0;
    const cudnnStatus_t ws_st = workspace_bytes(h, kind, d, a.algo, &bytes);
    if (ws_st != CUDNN_STATUS_SUCCESS) {
      last = ws_st;
      continue;
    }
    Tensor ws;
    if (bytes > 0) {
      try {
        ws = empty({static_cast<int64_t>(bytes)}, TensorOptions(kUInt8).device(Device(kCUDA, device)));
      } catch (const Error&) {
        continue;  // out of memory for this algorithm's workspace: try the next one
      }
    }
    void* wp = bytes > 0 ? ws.data_ptr() : nullptr;
    const cudnnStatus_t st = p.dt == CUDNN_DATA_DOUBLE
                                 ? execute<double>(h, kind, d, a, wp, bytes, o, accumulate ? 1.0 : 0.0)
                                 : execute<float>(h, kind, d, a, wp, bytes, o, accumulate ? 1.0f : 0.0f);
    if (CUDNN_STATUS_CATEGORY(st) == CUDNN_STATUS_NOT_SUPPORTED) {  // nothing was written: try the next one
      last = st;
      continue;
    }
    if (st != CUDNN_STATUS_SUCCESS) cd::cudnn_fail(st, kind_name(kind), __FILE__, __LINE__);
    return;
  }
  FX_FAIL(kind_name(kind), ": cuDNN offered no usable algorithm (", algos.size(),
          " candidates) for this convolution on cuda:", device,
          last == CUDNN_STATUS_SUCCESS ? "" : "; the last one was rejected with ",
          last == CUDNN_STATUS_SUCCESS ? "" : cudnnGetErrorString(last));
}

// Images per chunk so that x and y chunks stay within INT_MAX elements.
int64_t chunk_images(const Problem& p) {
  const int64_t per = std::max<int64_t>({p.x_img, p.y_img, 1});
  return std::max<int64_t>(1, INT_MAX / per);
}

char* at(const void* base, int64_t elems, int64_t elem_size) {
  return static_cast<char*>(const_cast<void*>(base)) + elems * elem_size;
}

void zero(const Tensor& t, cudaStream_t s) {
  FX_CUDA_CHECK(cudaMemsetAsync(t.data_ptr(), 0, static_cast<size_t>(t.numel()) * t.element_size(), s));
}

void check_contiguous(std::initializer_list<const Tensor*> ts, const char* what) {
  for (const Tensor* t : ts)
    FX_CHECK(!t->defined() || t->is_contiguous(), what, ": the CUDA kernel expects contiguous tensors");
}

// y += bias (1, K, 1, 1[, 1]) for a chunk of y described by yd.
void add_bias(cudnnHandle_t h, const Problem& p, const Tensor& bias, const TensorDesc& yd, void* y) {
  TensorDesc bd;
  int dims[5] = {1, p.y[1], 1, 1, 1};
  set_tensor(bd, p.dt, p.nd, dims);
  if (p.dt == CUDNN_DATA_DOUBLE) {
    const double one = 1;
    FX_CUDNN_CHECK(cudnnAddTensor(h, &one, bd.get(), bias.data_ptr(), &one, yd.get(), y));
  } else {
    const float one = 1;
    FX_CUDNN_CHECK(cudnnAddTensor(h, &one, bd.get(), bias.data_ptr(), &one, yd.get(), y));
  }
}

// gy padded with zeros at the end of each spatial dim to the size the forward formula gives for
// g.in, with g.out updated. cuDNN requires dy to have exactly that size, but a transposed
// convolution with output_padding >= stride (allowed when it is < dilation) has an input (our gx,
// or x of the weight gradient) whose forward output is longer than gy: the extra outputs simply
// have a zero gradient. Returns gy itself in the usual case.
Tensor padded_gy(const Tensor& gy, ConvGeom& g, cudaStream_t s, const char* what) {
  int64_t full[3];
  bool same = true;
  for (int i = 0; i < 3; ++i) {
    full[i] = (g.in[i] + 2 * g.pad[i] - g.dil[i] * (g.k[i] - 1) - 1) / g.stride[i] + 1;
    FX_CHECK(full[i] >= g.out[i], what, ": output size ", g.out[i], " at spatial slot ", i,
             " exceeds the convolution of an input of size ", g.in[i]);
    same = same && full[i] == g.out[i];
  }
  if (same) return gy;
  const Shape part{g.batch, g.out_channels, g.out[0], g.out[1], g.out[2]};
  const Shape whole{g.batch, g.out_channels, full[0], full[1], full[2]};
  Tensor p = empty(whole, gy.options());
  const int64_t es = static_cast<int64_t>(gy.element_size());
  FX_CUDA_CHECK(cudaMemsetAsync(p.data_ptr(), 0, static_cast<size_t>(p.numel() * es), s));
  const Shape dst = contiguous_strides(whole), src = contiguous_strides(part);
  const auto it = cd::make_strided<2>(part, {static_cast<char*>(p.data_ptr()), static_cast<char*>(gy.data_ptr())},
                                      {dst.data(), src.data()}, {es, es});
  ::fluxion::cuda::kern::copy_same(it, gy.numel(), static_cast<int>(es), s);
  for (int i = 0; i < 3; ++i) g.out[i] = full[i];
  return p;
}

// ---- the three kernels ----------------------------------------------------------------------------

void conv_forward_cuda(const Tensor& x, const Tensor& w, const Tensor& bias, const Tensor& y, const ConvGeom& g) {
  const char* what = kind_name(Kind::Forward);
  const int dev = cd::common_cuda_device({&x, &w, &bias, &y}, what);
  check_contiguous({&x, &w, &bias, &y}, what);
  if (y.numel() == 0) return;
  cd::SetDevice guard(dev);
  const cudaStream_t s = cd::current_stream(dev);
  const Problem p = problem_of(g, x.dtype());
  cudnnHandle_t h = cd::cudnn_handle(dev);
  const bool empty_sum = x.numel() == 0 || w.numel() == 0;  // no input channels: y = bias (or 0)
  const int64_t es = static_cast<int64_t>(y.element_size());
  const int64_t chunk = chunk_images(p);
  for (int64_t n0 = 0; n0 < g.batch; n0 += chunk) {
    const int nb = static_cast<int>(std::min(chunk, g.batch - n0));
    void* yc = at(y.data_ptr(), n0 * p.y_img, es);
    if (empty_sum) {  // (no x/w descriptors: cuDNN rejects zero-sized dims)
      FX_CUDA_CHECK(cudaMemsetAsync(yc, 0, static_cast<size_t>(nb * p.y_img * es), s));
      if (bias.defined()) {
        TensorDesc yd;
        int dims[5];
        std::copy(p.y, p.y + 5, dims);
        dims[0] = nb;
        set_tensor(yd, p.dt, p.nd, dims);
        add_bias(h, p, bias, yd, yc);
      }
      continue;
    }
    const Descs d(p, nb);
    run_chunk(h, Kind::Forward, d, p, nb, dev, {at(x.data_ptr(), n0 * p.x_img, es), w.data_ptr(), nullptr, yc}, false);
    if (bias.defined()) add_bias(h, p, bias, d.y, yc);
  }
}

void conv_backward_input_cuda(const Tensor& gy, const Tensor& w, const Tensor& gx, const ConvGeom& g) {
  const char* what = kind_name(Kind::BackwardData);
  const int dev = cd::common_cuda_device({&gy, &w, &gx}, what);
  check_contiguous({&gy, &w, &gx}, what);
  if (gx.numel() == 0) return;
  cd::SetDevice guard(dev);
  const cudaStream_t s = cd::current_stream(dev);
  if (gy.numel() == 0 || w.numel() == 0) {
    zero(gx, s);
    return;
  }
  ConvGeom gf = g;
  const Tensor gyf = padded_gy(gy, gf, s, what);
  const Problem p = problem_of(gf, gy.dtype());
  cudnnHandle_t h = cd::cudnn_handle(dev);
  const int64_t es = static_cast<int64_t>(gx.element_size());
  const int64_t chunk = chunk_images(p);
  for (int64_t n0 = 0; n0 < g.batch; n0 += chunk) {
    const int nb = static_cast<int>(std::min(chunk, g.batch - n0));
    const Descs d(p, nb);
    run_chunk(h, Kind::BackwardData, d, p, nb, dev,
              {nullptr, w.data_ptr(), at(gyf.data_ptr(), n0 * p.y_img, es), at(gx.data_ptr(), n0 * p.x_img, es)},
              false);
  }
}

void conv_backward_weight_cuda(const Tensor& x, const Tensor& gy, const Tensor& gw, const ConvGeom& g) {
  const char* what = kind_name(Kind::BackwardFilter);
  const int dev = cd::common_cuda_device({&x, &gy, &gw}, what);
  check_contiguous({&x, &gy, &gw}, what);
  if (gw.numel() == 0) return;
  cd::SetDevice guard(dev);
  const cudaStream_t s = cd::current_stream(dev);
  if (x.numel() == 0 || gy.numel() == 0) {
    zero(gw, s);
    return;
  }
  ConvGeom gf = g;
  const Tensor gyf = padded_gy(gy, gf, s, what);
  const Problem p = problem_of(gf, x.dtype());
  cudnnHandle_t h = cd::cudnn_handle(dev);
  const int64_t es = static_cast<int64_t>(gw.element_size());
  const int64_t chunk = chunk_images(p);
  for (int64_t n0 = 0; n0 < g.batch; n0 += chunk) {
    const int nb = static_cast<int>(std::min(chunk, g.batch - n0));
    const Descs d(p, nb);
    run_chunk(h, Kind::BackwardFilter, d, p, nb, dev,
              {at(x.data_ptr(), n0 * p.x_img, es), nullptr, at(gyf.data_ptr(), n0 * p.y_img, es), gw.data_ptr()},
              n0 > 0);
  }
}

}  // namespace

FX_REGISTER_KERNEL(conv_forward_kernel, DeviceType::CUDA, DType::Float32, &conv_forward_cuda);
FX_REGISTER_KERNEL(conv_forward_kernel, DeviceType::CUDA, DType::Float64, &conv_forward_cuda);
FX_REGISTER_KERNEL(conv_backward_input_kernel, DeviceType::CUDA, DType::Float32, &conv_backward_input_cuda);
FX_REGISTER_KERNEL(conv_backward_input_kernel, DeviceType::CUDA, DType::Float64, &conv_backward_input_cuda);
FX_REGISTER_KERNEL(conv_backward_weight_kernel, DeviceType::CUDA, DType::Float32, &conv_backward_weight_cuda);
FX_REGISTER_KERNEL(conv_backward_weight_kernel, DeviceType::CUDA, DType::Float64, &conv_backward_weight_cuda);

}  // namespace fluxion::kernels
