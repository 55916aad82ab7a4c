// safetensors reader and writer. The reader checks everything the format promises before it
// allocates or reads tensor data: header length within the file (and <= 100 MB), a JSON object
// without duplicate keys, known dtypes, shapes whose byte size matches data_offsets, and offsets
// that tile the data section exactly (no gaps, overlaps or trailing bytes), so a corrupt file is
// reported, never crashes or yields garbage.
#include "fluxion/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <unordered_set>

#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "io/atomic_file.h"

namespace fluxion {

static_assert(std::endian::native == std::endian::little, "Fluxion's safetensors I/O assumes a little-endian host");

namespace {

using ojson = nlohmann::ordered_json;
constexpr uint64_t kMaxHeader = 100'000'000;  // the limit of the reference implementation

struct DTypeName {
  const char* name;
  DType dtype;
};
constexpr DTypeName kDTypes[] = {{"F32", kFloat32},   {"F64", kFloat64}, {"F16", kFloat16},
                                 {"BF16", kBFloat16}, {"I8", kInt8},     {"U8", kUInt8},
                                 {"I32", kInt32},     {"I64", kInt64},   {"BOOL", kBool}};
// Valid safetensors dtypes Fluxion has no tensor type for.
constexpr const char* kForeignDTypes[] = {"I16", "U16",     "U32",     "U64", "F8_E5M2",     "F8_E4M3",    "F8_E8M0",
                                          "F4",  "F6_E2M3", "F6_E3M2", "C64", "F8_E4M3FNUZ", "F8_E5M2FNUZ"};

// ---- reading ----------------------------------------------------------------------------------

/// Random access to the bytes of a file or a buffer.
class ByteSource {
 public:
  explicit ByteSource(std::string name) : name_(std::move(name)) {}
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  /// Reads exactly n bytes at `offset` (throws on a short read).
  virtual void read(uint64_t offset, void* dst, size_t n) const = 0;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

class FileSource : public ByteSource {
 public:
  explicit FileSource(const std::string& path) : ByteSource(path) {
    f_ = std::fopen(path.c_str(), "rb");
    FX_CHECK(f_ != nullptr, "load: ", path, ": cannot open file: ", std::strerror(errno));
    if (fseeko(f_, 0, SEEK_END) != 0 || (size_ = ftello(f_)) < 0) {
      std::fclose(f_);
      FX_FAIL("load: ", path, ": cannot determine the file size");
    }
  }
  ~FileSource() override { std::fclose(f_); }
  uint64_t size() const override { return static_cast<uint64_t>(size_); }
  void read(uint64_t offset, void* dst, size_t n) const override {
    if (n == 0) return;
    FX_CHECK(fseeko(f_, static_cast<off_t>(offset), SEEK_SET) == 0 && std::fread(dst, 1, n, f_) == n, "load: ", name(),
             ": read of ", n, " bytes at offset ", offset, " failed (file truncated or unreadable)");
  }

 private:
  std::FILE* f_ = nullptr;
  off_t size_ = 0;
};

class MemorySource : public ByteSource {
 public:
  MemorySource(const std::string& bytes, const std::string& name) : ByteSource(name), bytes_(bytes) {}
  uint64_t size() const override { return bytes_.size(); }
  void read(uint64_t offset, void* dst, size_t n) const override {
    FX_CHECK(offset <= bytes_.size() && n <= bytes_.size() - offset, "load: ", name(), ": read past the end");
    if (n) std::memcpy(dst, bytes_.data() + offset, n);
  }

 private:
  const std::string& bytes_;
};

struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin, end;
};

DType parse_dtype(const std::string& s, const std::string& tensor, const std::string& file) {
  for (const auto& d : kDTypes)
    if (s == d.name) return d.dtype;
  for (const char* f : kForeignDTypes)
    FX_CHECK(s != f, "load: ", file, ": tensor '", tensor, "' has safetensors dtype '", s,
             "', which Fluxion does not support");
  FX_FAIL("load: ", file, ": tensor '", tensor, "' has unknown dtype '", s, "'");
}

uint64_t json_uint(const ojson& v, const std::string& what, const std::string& file) {
  FX_CHECK(v.is_number_integer() && (v.is_number_unsigned() || v.get<int64_t>() >= 0), "load: ", file, ": ", what,
           " must be a non-negative integer, got ", v.dump());
  return v.get<uint64_t>();
}

ojson parse_header(const std::string& text, const std::string& file) {
  std::vector<std::unordered_set<std::string>> keys;
  std::string dup;
  auto cb = [&](int /*depth*/, ojson::parse_event_t ev, ojson& parsed) {
    if (ev == ojson::parse_event_t::object_start) {
      keys.emplace_back();
    } else if (ev == ojson::parse_event_t::object_end) {
      if (!keys.empty()) keys.pop_back();
    } else if (ev == ojson::parse_event_t::key && !keys.empty() && dup.empty()) {
      const auto& k = parsed.get_ref<const std::string&>();
      if (!keys.back().insert(k).second) dup = k;
    }
    return true;
  };
  ojson j;
  try {
    j = ojson::parse(text, cb);
  } catch (const ojson::exception& e) {
    FX_FAIL("load: ", file, ": the header is not valid JSON (", e.what(), ")");
  }
  FX_CHECK(dup.empty(), "load: ", file, ": the header has the key '", dup, "' twice");
  FX_CHECK(j.is_object(), "load: ", file, ": the header must be a JSON object");
  return j;
}

SafetensorsData parse(const ByteSource& src) {
  const std::string& file = src.name();
  const uint64_t size = src.size();
  FX_CHECK(size >= 8, "load: ", file, ": file of ", size,
           " bytes is too small for a safetensors file (the 8-byte header length is missing)");
  unsigned char len_bytes[8];
  src.read(0, len_bytes, 8);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | len_bytes[i];
  FX_CHECK(n <= kMaxHeader, "load: ", file, ": header length ", n, " is larger than the 100 MB limit (corrupt file?)");
  FX_CHECK(n <= size - 8, "load: ", file, ": header length ", n, " exceeds the ", size - 8,
           " bytes after the length field (truncated or corrupt file)");
  FX_CHECK(n >= 2, "load: ", file, ": header length ", n, " is too small for a JSON header");
  std::string text(static_cast<size_t>(n), '\0');
  src.read(8, text.data(), text.size());
  FX_CHECK(text[0] == '{', "load: ", file, ": the header does not start with '{'");
  ojson header = parse_header(text, file);

  const uint64_t data_start = 8 + n, data_size = size - data_start;
  SafetensorsData out;
  std::vector<Entry> entries;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const ojson& v = it.value();
    if (name == "__metadata__") {
      FX_CHECK(v.is_object(), "load: ", file, ": '__metadata__' must be an object of strings");
      for (auto m = v.begin(); m != v.end(); ++m) {
        FX_CHECK(m.value().is_string(), "load: ", file, ": metadata value '", m.key(), "' is not a string");
        out.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    FX_CHECK(v.is_object(), "load: ", file, ": entry for tensor '", name, "' is not an object");
    FX_CHECK(v.contains("dtype") && v["dtype"].is_string(), "load: ", file, ": tensor '", name,
             "' has no string 'dtype'");
    FX_CHECK(v.contains("shape") && v["shape"].is_array(), "load: ", file, ": tensor '", name, "' has no 'shape' list");
    FX_CHECK(v.contains("data_offsets") && v["data_offsets"].is_array() && v["data_offsets"].size() == 2,
             "load: ", file, ": tensor '", name, "' needs 'data_offsets' [begin, end]");
    Entry e;
    e.name = name;
    e.dtype = parse_dtype(v["dtype"].get<std::string>(), name, file);
    uint64_t numel = 1;
    bool overflow = false;
    for (const auto& d : v["shape"]) {
      uint64_t s = json_uint(d, "shape of tensor '" + name + "'", file);
      FX_CHECK(s <= static_cast<uint64_t>(INT64_MAX), "load: ", file, ": tensor '", name, "' has a dimension of ", s);
      overflow = overflow || __builtin_mul_overflow(numel, s, &numel);
      e.shape.push_back(static_cast<int64_t>(s));
    }
    e.begin = json_uint(v["data_offsets"][0], "data_offsets of tensor '" + name + "'", file);
    e.end = json_uint(v["data_offsets"][1], "data_offsets of tensor '" + name + "'", file);
    FX_CHECK(e.begin <= e.end, "load: ", file, ": tensor '", name, "' has data_offsets [", e.begin, ", ", e.end,
             "] with begin after end");
    uint64_t nbytes = 0;
    overflow = overflow || __builtin_mul_overflow(numel, static_cast<uint64_t>(element_size(e.dtype)), &nbytes);
    FX_CHECK(!overflow && nbytes == e.end - e.begin, "load: ", file, ": tensor '", name, "' of dtype ",
             v["dtype"].get<std::string>(), " and shape ", e.shape, " needs ",
             overflow ? std::string("too many") : std::to_string(nbytes), " bytes but its data_offsets span ",
             e.end - e.begin);
    FX_CHECK(e.end <= data_size, "load: ", file, ": tensor '", name, "' has data_offsets [", e.begin, ", ", e.end,
             "] beyond the ", data_size, "-byte data section (truncated or corrupt file)");
    entries.push_back(std::move(e));
  }
  // The data section must be tiled exactly: sorted by offset, each tensor starts where the last ended.
  std::vector<size_t> order(entries.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return entries[a].begin != entries[b].begin ? entries[a].begin < entries[b].begin : entries[a].end < entries[b].end;
  });
  uint64_t expected = 0;
  for (size_t i : order) {
    const Entry& e = entries[i];
    FX_CHECK(e.begin == expected, "load: ", file, ": tensor '", e.name, "' data starts at byte ", e.begin, " but ",
             e.begin < expected ? "overlaps the previous tensor, which ends" : "the previous tensor ends", " at byte ",
             expected, " (overlapping or non-contiguous data)");
    expected = e.end;
  }
  FX_CHECK(expected == data_size, "load: ", file, ": the tensors cover ", expected, " bytes but the data section has ",
           data_size, " bytes (corrupt file)");

  // Header valid: read the data (in file order, so a file is read front to back).
  std::vector<Tensor> tensors(entries.size());
  for (size_t i : order) {
    const Entry& e = entries[i];
    Tensor t = empty(e.shape, TensorOptions(e.dtype));
    src.read(data_start + e.begin, t.data_ptr(), static_cast<size_t>(e.end - e.begin));
    if (e.dtype == kBool) {
      const auto* b = static_cast<const unsigned char*>(t.data_ptr());
      for (uint64_t k = 0; k < e.end - e.begin; ++k)
        FX_CHECK(b[k] <= 1, "load: ", file, ": tensor '", e.name, "' of dtype BOOL holds the byte value ",
                 static_cast<int>(b[k]), " at element ", k, " (expected 0 or 1)");
    }
    tensors[i] = t;
  }
  for (size_t i = 0; i < entries.size(); ++i) out.tensors.insert(entries[i].name, tensors[i]);
  return out;
}

// ---- writing ----------------------------------------------------------------------------------

/// A file ready to write: the length field and padded header, then the tensors in file order.
struct Serialized {
  std::string head;
  std::vector<Tensor> data;  // CPU, contiguous
};

Serialized serialize(const OrderedDict<std::string, Tensor>& tensors,
                     const std::map<std::string, std::string>& metadata, const std::string& what) {
  struct Item {
    std::string name;
    Tensor t;
    uint64_t begin = 0, end = 0;
  };
  std::vector<Item> items;
  {
    NoGradGuard ng;
    for (const auto& it : tensors) {
      FX_CHECK(it.key() != "__metadata__", "save: ", what, ": '__metadata__' is reserved and cannot name a tensor");
      FX_CHECK(it.value().defined(), "save: ", what, ": tensor '", it.key(), "' is undefined");
      Tensor t = it.value().detach();
      if (!t.is_cpu()) t = t.to(kCPU);
      items.push_back({it.key(), t.contiguous()});
    }
  }
  // Larger element types first (stable), so every tensor's data is aligned to its element size
  // once the header is padded to 8 bytes; this is the order Python's safetensors writes too.
  std::vector<size_t> order(items.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return items[a].t.element_size() > items[b].t.element_size(); });
  uint64_t offset = 0;
  for (size_t i : order) {
    items[i].begin = offset;
    offset += items[i].t.nbytes();
    items[i].end = offset;
  }
  ojson header = ojson::object();
  if (!metadata.empty()) {
    ojson m = ojson::object();
    for (const auto& [k, v] : metadata) m[k] = v;
    header["__metadata__"] = m;
  }
  for (const auto& it : items) {
    ojson shape = ojson::array();
    for (int64_t s : it.t.sizes()) shape.push_back(s);
    header[it.name] = ojson{{"dtype", safetensors_dtype_name(it.t.dtype())},
                            {"shape", shape},
                            {"data_offsets", ojson::array({it.begin, it.end})}};
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const ojson::exception& e) {
    FX_FAIL("save: ", what, ": cannot encode the header (tensor names and metadata must be valid UTF-8): ", e.what());
  }
  text.append((8 - text.size() % 8) % 8, ' ');
  Serialized out;
  const uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) out.head.push_back(static_cast<char>(static_cast<unsigned char>(n >> (8 * i))));
  out.head += text;
  for (size_t i : order) out.data.push_back(items[i].t);
  return out;
}

}  // namespace

const char* safetensors_dtype_name(DType dtype) {
  for (const auto& d : kDTypes)
    if (d.dtype == dtype) return d.name;
  FX_FAIL("safetensors: no dtype name for ", dtype_name(dtype));
}

void save(const std::string& path, const OrderedDict<std::string, Tensor>& tensors,
          const std::map<std::string, std::string>& metadata) {
  // Serialise (validating names and tensors) before touching the file system.
  Serialized s = serialize(tensors, metadata, path);
  io::AtomicFileWriter w(path);
  w.write(s.head.data(), s.head.size());
  for (const auto& t : s.data)
    if (t.nbytes()) w.write(t.data_ptr(), t.nbytes());
  w.commit();
}

OrderedDict<std::string, Tensor> load(const std::string& path) { return load_safetensors(path).tensors; }

SafetensorsData load_safetensors(const std::string& path) {
  FileSource src(path);
  return parse(src);
}

std::string save_safetensors_to_bytes(const OrderedDict<std::string, Tensor>& tensors,
                                      const std::map<std::string, std::string>& metadata) {
  Serialized s = serialize(tensors, metadata, "<memory>");
  std::string out = std::move(s.head);
  for (const auto& t : s.data) out.append(static_cast<const char*>(t.data_ptr()), t.nbytes());
  return out;
}

SafetensorsData load_safetensors_from_bytes(const std::string& bytes, const std::string& name) {
  MemorySource src(bytes, name);
  return parse(src);
}

}  // namespace fluxion
