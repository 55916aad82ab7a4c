// OrderedDict: an insertion-ordered dictionary (what state_dict(), named_parameters() and
// named_children() return), modelled on LibTorch's torch::OrderedDict.
#pragma once

#include <cstddef>
#include <deque>
#include <initializer_list>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fluxion/error.h"

namespace fluxion {

template <class Key, class Value>
class OrderedDict {
 public:
  /// One entry: `.key()` and `.value()`, in insertion order.
  class Item {
   public:
    Item(Key key, Value value) : pair_(std::move(key), std::move(value)) {}
    const Key& key() const { return pair_.first; }
    Value& value() { return pair_.second; }
    const Value& value() const { return pair_.second; }
    Value& operator*() { return value(); }
    const Value& operator*() const { return value(); }
    Value* operator->() { return &value(); }
    const Value* operator->() const { return &value(); }
    const std::pair<Key, Value>& pair() const { return pair_; }

   private:
    std::pair<Key, Value> pair_;
  };

  // A deque keeps references to values stable while new entries are appended (register_parameter
  // hands out a reference into this storage).
  using Items = std::deque<Item>;
  using iterator = typename Items::iterator;
  using const_iterator = typename Items::const_iterator;

  /// `key_description` names the keys in error messages ("Key", "Parameter", "Module").
  explicit OrderedDict(std::string key_description = "Key") : key_description_(std::move(key_description)) {}
  OrderedDict(std::initializer_list<Item> items) : OrderedDict() {
    for (const auto& it : items) insert(it.key(), it.value());
  }

  const std::string& key_description() const { return key_description_; }

  /// Appends (key, value); throws if the key is already present.
  Value& insert(const Key& key, Value value) {
    FX_CHECK(index_.count(key) == 0, key_description_, " '", describe(key), "' already defined");
    index_.emplace(key, items_.size());
    items_.emplace_back(key, std::move(value));
    return items_.back().value();
  }
  /// Inserts or overwrites (keeping the original position on overwrite).
  Value& insert_or_assign(const Key& key, Value value) {
    if (Value* v = find(key)) {
      *v = std::move(value);
      return *v;
    }
    return insert(key, std::move(value));
  }
  /// Inserts every item of `other`, throwing on duplicates.
  void update(const OrderedDict& other) {
    for (const auto& it : other) insert(it.key(), it.value());
  }
  /// Removes `key` (throws if missing).
  void erase(const Key& key) {
    auto f = index_.find(key);
    FX_CHECK(f != index_.end(), key_description_, " '", describe(key), "' is not defined");
    items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(f->second));
    reindex();
  }
  void clear() {
    items_.clear();
    index_.clear();
  }

  /// Pointer to the value, or nullptr when absent.
  Value* find(const Key& key) {
    auto f = index_.find(key);
    return f == index_.end() ? nullptr : &items_[f->second].value();
  }
  const Value* find(const Key& key) const {
    auto f = index_.find(key);
    return f == index_.end() ? nullptr : &items_[f->second].value();
  }
  size_t count(const Key& key) const { return index_.count(key); }
  bool contains(const Key& key) const { return index_.count(key) != 0; }

  /// The value for `key`; throws fluxion::Error naming the key when absent.
  Value& at(const Key& key) {
    Value* v = find(key);
    FX_CHECK(v != nullptr, key_description_, " '", describe(key), "' is not defined");
    return *v;
  }
  const Value& at(const Key& key) const {
    const Value* v = find(key);
    FX_CHECK(v != nullptr, key_description_, " '", describe(key), "' is not defined");
    return *v;
  }
  /// Same as at(key) (does not insert, as in LibTorch).
  Value& operator[](const Key& key) { return at(key); }
  const Value& operator[](const Key& key) const { return at(key); }

  /// The i-th item in insertion order.
  Item& operator[](size_t i) {
    FX_CHECK(i < items_.size(), "OrderedDict: index ", i, " out of range for size ", items_.size());
    return items_[i];
  }
  const Item& operator[](size_t i) const {
    FX_CHECK(i < items_.size(), "OrderedDict: index ", i, " out of range for size ", items_.size());
    return items_[i];
  }
  Item& front() { return (*this)[size_t{0}]; }
  Item& back() {
    FX_CHECK(!items_.empty(), "OrderedDict: back() on an empty dictionary");
    return items_.back();
  }

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  bool is_empty() const { return items_.empty(); }

  std::vector<Key> keys() const {
    std::vector<Key> out;
    out.reserve(items_.size());
    for (const auto& it : items_) out.push_back(it.key());
    return out;
  }
  std::vector<Value> values() const {
    std::vector<Value> out;
    out.reserve(items_.size());
    for (const auto& it : items_) out.push_back(it.value());
    return out;
  }
  /// (key, value) pairs in order.
  std::vector<std::pair<Key, Value>> pairs() const {
    std::vector<std::pair<Key, Value>> out;
    out.reserve(items_.size());
    for (const auto& it : items_) out.push_back(it.pair());
    return out;
  }
  const Items& items() const { return items_; }

  iterator begin() { return items_.begin(); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }

 private:
  static std::string describe(const Key& key) {
    if constexpr (requires(std::ostream & os, const Key& k) { os << k; }) {
      std::ostringstream os;
      os << key;
      return os.str();
    } else {
      return "<key>";
    }
  }
  void reindex() {
    index_.clear();
    for (size_t i = 0; i < items_.size(); ++i) index_.emplace(items_[i].key(), i);
  }

  std::string key_description_ = "Key";
  Items items_;
  std::unordered_map<Key, size_t> index_;
};

}  // namespace fluxion
