// Vocabulary and TextCorpus.
#include "fluxion/data/text.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "file_util.h"
#include "fluxion/error.h"
#include "fluxion/ops/creation.h"

namespace fluxion::data {

namespace {
const std::string kUnk = "<unk>";
}

std::string read_text_file(const std::string& path) {
  const std::vector<uint8_t> bytes = detail::read_file_bytes(path);
  return std::string(bytes.begin(), bytes.end());
}

std::vector<std::string> Vocabulary::tokenize(const std::string& text) const {
  std::vector<std::string> out;
  if (level_ == Level::Char) {
    out.reserve(text.size());
    for (char c : text) out.emplace_back(1, c);
    return out;
  }
  std::istringstream in(text);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

Vocabulary Vocabulary::build(const std::string& text, Level level, int64_t min_count) {
  Vocabulary v;
  v.level_ = level;
  std::unordered_map<std::string, std::pair<int64_t, int64_t>> stats;  // token -> (count, first position)
  const std::vector<std::string> tokens = v.tokenize(text);
  for (size_t i = 0; i < tokens.size(); ++i) {
    auto [it, fresh] = stats.try_emplace(tokens[i], 0, static_cast<int64_t>(i));
    ++it->second.first;
  }
  std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> order(stats.begin(), stats.end());
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.second.first != b.second.first ? a.second.first > b.second.first : a.second.second < b.second.second;
  });
  v.tokens_.push_back(kUnk);
  v.ids_[kUnk] = 0;
  for (const auto& [tok, st] : order) {
    if (st.first < min_count || tok == kUnk) continue;
    v.ids_[tok] = static_cast<int64_t>(v.tokens_.size());
    v.tokens_.push_back(tok);
  }
  return v;
}

int64_t Vocabulary::id(const std::string& token) const {
  auto it = ids_.find(token);
  return it == ids_.end() ? 0 : it->second;
}

const std::string& Vocabulary::token(int64_t id) const {
  FX_CHECK(id >= 0 && id < size(), "Vocabulary: id ", id, " out of range for size ", size());
  return tokens_[static_cast<size_t>(id)];
}

std::vector<int64_t> Vocabulary::encode(const std::string& text) const {
  std::vector<int64_t> ids;
  for (const auto& t : tokenize(text)) ids.push_back(id(t));
  return ids;
}

std::string Vocabulary::decode(const std::vector<int64_t>& ids) const {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (level_ == Level::Word && i > 0) out.push_back(' ');
    out += token(ids[i]);
  }
  return out;
}

TextCorpus::TextCorpus(const std::string& path, Vocabulary::Level level, int64_t seq_len, int64_t stride) {
  const std::string text = read_text_file(path);
  vocab_ = Vocabulary::build(text, level);
  init(text, seq_len, stride);
}

TextCorpus::TextCorpus(const std::string& path, Vocabulary vocab, int64_t seq_len, int64_t stride)
    : vocab_(std::move(vocab)) {
  init(read_text_file(path), seq_len, stride);
}

void TextCorpus::init(const std::string& text, int64_t seq_len, int64_t stride) {
  FX_CHECK(seq_len >= 1, "TextCorpus: seq_len must be >= 1, got ", seq_len);
  FX_CHECK(stride >= 0, "TextCorpus: stride must be >= 0, got ", stride);
  seq_len_ = seq_len;
  stride_ = stride == 0 ? seq_len : stride;
  const std::vector<int64_t> ids = vocab_.encode(text);
  tokens_ = tensor(ids, TensorOptions(kInt64));
}

int64_t TextCorpus::size() const {
  const int64_t T = tokens_.numel();
  if (T < seq_len_ + 1) return 0;
  return (T - seq_len_ - 1) / stride_ + 1;
}

Example TextCorpus::get(int64_t index) const {
  FX_CHECK(index >= 0 && index < size(), "TextCorpus: index ", index, " out of range for size ", size());
  const int64_t start = index * stride_;
  return {tokens_.narrow(0, start, seq_len_), tokens_.narrow(0, start + 1, seq_len_)};
}

}  // namespace fluxion::data
