// operator<< for Tensor: a faithful port of PyTorch's torch/_tensor_str.py (precision 4,
// line width 80, summarise above 1000 elements with 3 edge items), so printed tensors read
// exactly like PyTorch's, except that dtypes print without the "torch." prefix.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "fluxion/autograd.h"
#include "fluxion/tensor.h"

namespace fluxion {

namespace {

constexpr int kPrecision = 4;
constexpr size_t kLineWidth = 80;
constexpr int64_t kThreshold = 1000;
constexpr int64_t kEdgeItems = 3;

enum class Kind { Float, Int, Bool };

// The tensor's values on the CPU, contiguous, widened to double / int64 / bool.
struct Values {
  Kind kind;
  Tensor data;
  Shape sizes;
  Shape strides;
  double f(int64_t i) const { return data.data_ptr<double>()[i]; }
  int64_t n(int64_t i) const { return data.data_ptr<int64_t>()[i]; }
  bool b(int64_t i) const { return data.data_ptr<bool>()[i]; }
};

// Python's float formatting of non-finite values: "nan", "inf", "-inf" (never "-nan").
bool nonfinite_str(double v, std::string& out) {
  if (std::isnan(v))
    out = "nan";
  else if (std::isinf(v))
    out = v > 0 ? "inf" : "-inf";
  else
    return false;
  return true;
}

std::string fmt_fixed(double v, int precision) {
  std::string s;
  if (nonfinite_str(v, s)) return s;
  char buf[512];
  std::snprintf(buf, sizeof(buf), "%.*f", precision, v);
  return buf;
}

std::string fmt_sci(double v, int precision) {
  std::string s;
  if (nonfinite_str(v, s)) return s;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*e", precision, v);
  return buf;
}

// PyTorch's _Formatter: picks integer / fixed / scientific notation and the column width
// from the (summarised) values.
class Formatter {
 public:
  Formatter(const Values& v, const std::vector<int64_t>& idx) : kind_(v.kind) {
    if (kind_ != Kind::Float) {
      for (int64_t i : idx) width_ = std::max(width_, raw(v, i).size());
      return;
    }
    std::vector<double> nz;
    for (int64_t i : idx) {
      double x = v.f(i);
      if (std::isfinite(x) && x != 0) nz.push_back(x);
    }
    if (nz.empty()) return;
    double amin = std::abs(nz[0]), amax = amin;
    for (double x : nz) {
      amin = std::min(amin, std::abs(x));
      amax = std::max(amax, std::abs(x));
      if (x != std::ceil(x)) int_mode_ = false;
    }
    if (int_mode_) {
      if (amax / amin > 1000.0 || amax > 1.0e8) {
        sci_mode_ = true;
        for (double x : nz) width_ = std::max(width_, fmt_sci(x, kPrecision).size());
      } else {
        for (double x : nz) width_ = std::max(width_, fmt_fixed(x, 0).size() + 1);
      }
    } else if (amax / amin > 1000.0 || amax > 1.0e8 || amin < 1.0e-4) {
      sci_mode_ = true;
      for (double x : nz) width_ = std::max(width_, fmt_sci(x, kPrecision).size());
    } else {
      for (double x : nz) width_ = std::max(width_, fmt_fixed(x, kPrecision).size());
    }
  }

  size_t width() const { return width_; }

  std::string format(const Values& v, int64_t i) const {
    std::string s;
    if (kind_ == Kind::Float) {
      double x = v.f(i);
      if (sci_mode_) {
        s = fmt_sci(x, kPrecision);
      } else if (int_mode_) {
        s = fmt_fixed(x, 0);
        if (std::isfinite(x)) s += ".";
      } else {
        s = fmt_fixed(x, kPrecision);
      }
    } else {
      s = raw(v, i);
    }
    if (s.size() < width_) s.insert(0, width_ - s.size(), ' ');
    return s;
  }

 private:
  static std::string raw(const Values& v, int64_t i) {
    if (v.kind == Kind::Bool) return v.b(i) ? "True" : "False";
    return std::to_string(v.n(i));
  }
  Kind kind_;
  bool int_mode_ = true;
  bool sci_mode_ = false;
  size_t width_ = 1;
};

// Indices kept along a dimension of `size` elements (all, or the edge items when summarising).
std::vector<int64_t> kept(int64_t size, bool summarize) {
  std::vector<int64_t> r;
  if (summarize && size > 2 * kEdgeItems) {
    for (int64_t i = 0; i < kEdgeItems; ++i) r.push_back(i);
    for (int64_t i = size - kEdgeItems; i < size; ++i) r.push_back(i);
  } else {
    for (int64_t i = 0; i < size; ++i) r.push_back(i);
  }
  return r;
}

// Flat indices of the elements PyTorch's get_summarized_data keeps.
void collect(const Values& v, size_t d, int64_t base, bool summarize, std::vector<int64_t>& out) {
  if (d == v.sizes.size()) {
    out.push_back(base);
    return;
  }
  for (int64_t i : kept(v.sizes[d], summarize)) collect(v, d + 1, base + i * v.strides[d], summarize, out);
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string r;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) r += sep;
    r += parts[i];
  }
  return r;
}

std::string bracket(const std::string& s) {
  std::string r;
  r.reserve(s.size() + 2);
  r += '[';
  r += s;
  r += ']';
  return r;
}

// PyTorch's separator between rows: a comma, `newlines` line breaks, then `indent` spaces.
std::string separator(size_t newlines, size_t indent) {
  std::string r = ",";
  r.append(newlines, '\n');
  r.append(indent, ' ');
  return r;
}

std::string tensor_str(const Values& v, size_t d, int64_t base, size_t indent, bool summarize, const Formatter& fm) {
  const size_t ndim = v.sizes.size();
  if (ndim == 0) return fm.format(v, base);
  const int64_t size = v.sizes[d];
  const bool cut = summarize && size > 2 * kEdgeItems;
  std::vector<std::string> items;
  if (d + 1 == ndim) {
    size_t elements_per_line = std::max<size_t>(1, (kLineWidth - std::min(indent, kLineWidth)) / (fm.width() + 2));
    for (int64_t i : kept(size, summarize)) {
      if (cut && i == size - kEdgeItems) items.push_back(" ...");
      items.push_back(fm.format(v, base + i * v.strides[d]));
    }
    std::vector<std::string> lines;
    for (size_t i = 0; i < items.size(); i += elements_per_line) {
      std::vector<std::string> chunk(items.begin() + i, items.begin() + std::min(items.size(), i + elements_per_line));
      lines.push_back(join(chunk, ", "));
    }
    return bracket(join(lines, separator(1, indent + 1)));
  }
  for (int64_t i : kept(size, summarize)) {
    if (cut && i == size - kEdgeItems) items.push_back("...");
    items.push_back(tensor_str(v, d + 1, base + i * v.strides[d], indent + 1, summarize, fm));
  }
  return bracket(join(items, separator(ndim - d - 1, indent + 1)));
}

std::string shape_tuple(const Shape& s) {
  std::string r = "(";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) r += ", ";
    r += std::to_string(s[i]);
  }
  r += s.size() == 1 ? ",)" : ")";
  return r;
}

// PyTorch's _add_suffixes, including its line-length arithmetic.
std::string add_suffixes(const std::string& body, const std::vector<std::string>& suffixes, size_t indent) {
  std::string r = body;
  size_t nl = body.rfind('\n');
  size_t last_line_len = nl == std::string::npos ? body.size() + 2 : body.size() - nl + 1;
  for (const auto& s : suffixes) {
    if (last_line_len + s.size() + 2 > kLineWidth) {
      r += ",\n";
      r.append(indent, ' ');
      r += s;
      last_line_len = indent + s.size();
    } else {
      r += ", ";
      r += s;
      last_line_len += s.size() + 2;
    }
  }
  r += ")";
  return r;
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (!t.defined()) return os << "[ Tensor (undefined) ]";
  const std::string prefix = "tensor(";
  const size_t indent = prefix.size();
  std::vector<std::string> suffixes;
  if (!t.is_cpu()) suffixes.push_back(std::string("device='").append(t.device().str()).append("'"));
  std::string body;
  if (t.numel() == 0) {
    if (t.dim() != 1) suffixes.push_back(std::string("size=").append(shape_tuple(t.sizes())));
    if (t.dtype() != default_dtype()) suffixes.push_back(std::string("dtype=") + dtype_name(t.dtype()));
    body = "[]";
  } else {
    const DType dt = t.dtype();
    if (dt != default_dtype() && dt != kInt64 && dt != kBool)
      suffixes.push_back(std::string("dtype=") + dtype_name(dt));
    Values v;
    {
      NoGradGuard ng;
      Tensor c = t.detach().to(kCPU);
      v.kind = is_floating_point(dt) ? Kind::Float : dt == kBool ? Kind::Bool : Kind::Int;
      DType wide = v.kind == Kind::Float ? kFloat64 : v.kind == Kind::Int ? kInt64 : kBool;
      v.data = c.to(wide).contiguous();
    }
    v.sizes = v.data.sizes();
    v.strides = v.data.strides();
    const bool summarize = t.numel() > kThreshold;
    std::vector<int64_t> idx;
    collect(v, 0, 0, summarize, idx);
    Formatter fm(v, idx);
    body = tensor_str(v, 0, 0, indent, summarize, fm);
  }
  if (auto fn = t.grad_fn())
    suffixes.push_back(std::string("grad_fn=<").append(fn->name()).append(">"));
  else if (t.requires_grad())
    suffixes.push_back("requires_grad=True");
  return os << add_suffixes(prefix + body, suffixes, indent);
}

}  // namespace fluxion
