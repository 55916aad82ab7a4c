// Plain-text corpora: a character or word vocabulary and next-token language-model samples.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "fluxion/data/dataset.h"

namespace fluxion::data {

/// Token <-> id mapping. Id 0 is "<unk>", used for tokens not in the vocabulary.
class Vocabulary {
 public:
  enum class Level { Char, Word };
  Vocabulary() = default;
  /// Builds from `text`: every character (Char; bytes) or whitespace-separated word (Word),
  /// ids assigned by descending frequency, ties by first appearance; tokens seen fewer than
  /// min_count times map to <unk>.
  static Vocabulary build(const std::string& text, Level level, int64_t min_count = 1);
  int64_t size() const { return static_cast<int64_t>(tokens_.size()); }
  Level level() const { return level_; }
  /// Splits text into tokens at this vocabulary's level.
  std::vector<std::string> tokenize(const std::string& text) const;
  std::vector<int64_t> encode(const std::string& text) const;
  /// Joins tokens (with spaces for Word).
  std::string decode(const std::vector<int64_t>& ids) const;
  int64_t id(const std::string& token) const;
  const std::string& token(int64_t id) const;

 private:
  Level level_ = Level::Char;
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int64_t> ids_;
};

/// A text file as a token stream cut into samples of seq_len tokens: data int64 (seq_len,) and
/// target the same window shifted by one (next-token prediction). Windows start every `stride`
/// tokens (default seq_len: non-overlapping).
class TextCorpus : public Dataset<Example> {
 public:
  TextCorpus(const std::string& path, Vocabulary::Level level, int64_t seq_len, int64_t stride = 0);
  /// Uses an existing vocabulary (e.g. the training split's for a validation file).
  TextCorpus(const std::string& path, Vocabulary vocab, int64_t seq_len, int64_t stride = 0);
  int64_t size() const override;
  Example get(int64_t index) const override;
  const Vocabulary& vocabulary() const { return vocab_; }
  const Tensor& tokens() const { return tokens_; }  // int64 (T,)

 private:
  void init(const std::string& text, int64_t seq_len, int64_t stride);
  Vocabulary vocab_;
  Tensor tokens_;
  int64_t seq_len_ = 0, stride_ = 0;
};

/// Reads a whole file into a string (Error naming the file if it cannot be read).
std::string read_text_file(const std::string& path);

}  // namespace fluxion::data
