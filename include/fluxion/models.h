// The model zoo registry: models by name, each built for an input shape and a class count.
//
//   auto net = fx::models::create("lenet5", {.in_channels = 1, .height = 28, .width = 28, .num_classes = 10});
//   for (const auto& name : fx::models::available()) std::cout << name << "\n";
//
// Adding a model is one file in src/models/ that registers itself:
//   FLUXION_REGISTER_MODEL(my_net, "what it is", [](const fx::models::ModelConfig& c) { return ...; });
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "fluxion/nn/module.h"

namespace fluxion::models {

/// What a model is built for: input images (C, H, W) and the number of output classes.
struct ModelConfig {
  int64_t in_channels = 1;
  int64_t height = 28;
  int64_t width = 28;
  int64_t num_classes = 10;
};

/// Builds a freshly initialised model (parameters drawn from the default generator).
using ModelFactory = std::function<nn::Module(const ModelConfig&)>;

/// One registry entry.
struct ModelInfo {
  std::string name;
  std::string description;
  ModelFactory factory;
};

/// Registers a model under `name` (static initialisation); a second registration of the same name
/// aborts loudly (two files claiming one name is a bug).
bool register_model(const std::string& name, const std::string& description, ModelFactory factory);
/// Builds the model `name` for `config`; throws fluxion::Error naming the known models when the name
/// is unknown, or the model and the config when the config does not fit it (e.g. images too small).
nn::Module create(const std::string& name, const ModelConfig& config = {});
/// Registered model names, sorted.
std::vector<std::string> available();
/// True when `name` is registered.
bool contains(const std::string& name);
/// The registry entry of `name` (throws as create()).
const ModelInfo& info(const std::string& name);

}  // namespace fluxion::models

#define FLUXION_MODEL_CAT_(a, b) a##b
#define FLUXION_MODEL_CAT(a, b) FLUXION_MODEL_CAT_(a, b)
/// Registers model `name` (an identifier, e.g. lenet5) with a description and a factory callable.
#define FLUXION_REGISTER_MODEL(name, description, ...)                   \
  static const bool FLUXION_MODEL_CAT(fluxion_model_registered_, name) = \
      ::fluxion::models::register_model(#name, description, __VA_ARGS__)
