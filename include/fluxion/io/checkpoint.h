// Training checkpoints: model state dict + optimizer state + scheduler state + RNG state + user
// metadata (JSON) in one safetensors file. Tensors are stored under "model.<key>" and
// "optim.state.<param index>.<name>"; everything else is JSON in the file's "__metadata__".
// Saving is atomic; loading validates everything before anything is changed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "fluxion/nn/module.h"
#include "fluxion/optim/lr_scheduler.h"
#include "fluxion/optim/optimizer.h"
#include "fluxion/ordered_dict.h"

namespace fluxion {

struct Checkpoint {
  OrderedDict<std::string, Tensor> model;              // Module::state_dict()
  std::optional<optim::OptimizerStateDict> optimizer;  // Optimizer::state_dict()
  std::optional<optim::SchedulerState> scheduler;      // LRScheduler::state_dict()
  std::optional<std::pair<uint64_t, uint64_t>> rng;    // default_generator().get_state()
  std::string metadata = "{}";                         // any JSON value (epoch, metrics, ...)
};

/// Writes `ckpt` to `path` atomically. Throws fluxion::Error if metadata is not valid JSON.
void save_checkpoint(const std::string& path, const Checkpoint& ckpt);
/// Reads a checkpoint written by save_checkpoint; throws fluxion::Error naming the file and the
/// problem for a truncated, corrupt or foreign file.
Checkpoint load_checkpoint(const std::string& path);

/// Captures the model, the optimizer and scheduler (either may be null) and the default
/// generator's RNG state.
Checkpoint make_checkpoint(const nn::Module& model, const optim::Optimizer* optimizer = nullptr,
                           const optim::LRScheduler* scheduler = nullptr, std::string metadata = "{}");
/// make_checkpoint + save_checkpoint.
void save_checkpoint(const std::string& path, const nn::Module& model, const optim::Optimizer* optimizer = nullptr,
                     const optim::LRScheduler* scheduler = nullptr, const std::string& metadata = "{}");
/// Restores a checkpoint into the model (strict: same keys and shapes), the optimizer and the
/// scheduler (when given; they must then be in the checkpoint) and, if `restore_rng`, the default
/// generator. Everything is checked before anything changes: on error, fluxion::Error and the
/// objects are as before. Returns the user metadata JSON.
std::string restore_checkpoint(const Checkpoint& ckpt, const nn::Module& model, optim::Optimizer* optimizer = nullptr,
                               optim::LRScheduler* scheduler = nullptr, bool restore_rng = true);
/// load_checkpoint + restore_checkpoint.
std::string load_checkpoint(const std::string& path, const nn::Module& model, optim::Optimizer* optimizer = nullptr,
                            optim::LRScheduler* scheduler = nullptr, bool restore_rng = true);

}  // namespace fluxion
