// The model registry: a name -> factory map filled by static registration in each model file.
#include <algorithm>
#include <map>
#include <mutex>

#include "fluxion/error.h"
#include "fluxion/models.h"

namespace fluxion::models {
namespace {

std::map<std::string, ModelInfo>& registry() {
  static std::map<std::string, ModelInfo> r;
  return r;
}
std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

std::string known_names() {
  std::string s;
  for (const auto& [name, info] : registry()) s += (s.empty() ? "" : ", ") + name;
  return s;
}

}  // namespace

bool register_model(const std::string& name, const std::string& description, ModelFactory factory) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  FX_ASSERT(!registry().contains(name), "model '", name, "' registered twice");
  registry()[name] = ModelInfo{name, description, std::move(factory)};
  return true;
}

const ModelInfo& info(const std::string& name) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  auto it = registry().find(name);
  FX_CHECK(it != registry().end(), "models: unknown model '", name, "'; available: ", known_names());
  return it->second;
}

nn::Module create(const std::string& name, const ModelConfig& c) {
  const ModelInfo& i = info(name);
  FX_CHECK(c.in_channels > 0 && c.height > 0 && c.width > 0 && c.num_classes > 1, "models::create('", name,
           "'): invalid config in_channels=", c.in_channels, " height=", c.height, " width=", c.width,
           " num_classes=", c.num_classes, " (all positive, at least 2 classes)");
  return i.factory(c);
}

std::vector<std::string> available() {
  std::lock_guard<std::mutex> lock(registry_mutex());
  std::vector<std::string> names;
  for (const auto& [name, info] : registry()) names.push_back(name);
  return names;
}

bool contains(const std::string& name) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  return registry().contains(name);
}

}  // namespace fluxion::models
