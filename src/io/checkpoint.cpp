// Checkpoints as one safetensors file: model tensors under "model.", optimizer state tensors under
// "optim.state.<index>.<name>", and JSON strings in "__metadata__" for the optimizer's parameter
// groups, the scheduler state, the RNG state and the user's metadata. Non-finite numbers are
// encoded as {"float": "inf"} since JSON has no literal for them; uint64 RNG words as decimal
// strings so they survive readers that parse numbers as doubles.
#include "fluxion/io/checkpoint.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "fluxion/io/safetensors.h"
#include "fluxion/random.h"

namespace fluxion {

namespace {

using ojson = nlohmann::ordered_json;
constexpr const char* kFormat = "fluxion.checkpoint";
constexpr const char* kFormatVersion = "1";

// ---- JSON encoding of numbers and option values -----------------------------------------------

ojson num(double v) {
  if (std::isfinite(v)) return v;
  return ojson{{"float", std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf")}};
}

struct Ctx {
  std::string file;
  [[noreturn]] void fail(const std::string& what) const { FX_FAIL("load_checkpoint: ", file, ": ", what); }
  void check(bool ok, const std::string& what) const {
    if (!ok) fail(what);
  }
};

double to_num(const ojson& j, const Ctx& c, const std::string& what) {
  if (j.is_number()) return j.get<double>();
  if (j.is_object() && j.size() == 1 && j.contains("float") && j["float"].is_string()) {
    const std::string& s = j["float"].get_ref<const std::string&>();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  }
  c.fail(what + " must be a number, got " + j.dump());
}

ojson option_to_json(const optim::OptionValue& v) {
  return std::visit(
      [](const auto& x) -> ojson {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return nullptr;
        } else if constexpr (std::is_same_v<T, double>) {
          return num(x);
        } else if constexpr (std::is_same_v<T, std::vector<double>>) {
          ojson a = ojson::array();
          for (double d : x) a.push_back(num(d));
          return a;
        } else {
          return x;
        }
      },
      v);
}

optim::OptionValue option_from_json(const ojson& j, const Ctx& c, const std::string& what) {
  if (j.is_null()) return std::monostate{};
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_number_integer()) return j.get<int64_t>();
  if (j.is_string()) return j.get<std::string>();
  if (j.is_array()) {
    std::vector<double> v;
    for (const auto& e : j) v.push_back(to_num(e, c, what));
    return v;
  }
  return to_num(j, c, what);
}

ojson parse_json(const std::string& text, const Ctx& c, const std::string& what) {
  try {
    return ojson::parse(text);
  } catch (const ojson::exception& e) {
    c.fail(what + " is not valid JSON (" + e.what() + ")");
  }
}

// ---- optimizer state --------------------------------------------------------------------------

ojson optimizer_to_json(const optim::OptimizerStateDict& sd) {
  ojson groups = ojson::array();
  for (const auto& g : sd.param_groups) {
    ojson opts = ojson::object();
    for (const auto& [k, v] : g.options) opts[k] = option_to_json(v);
    ojson extra = ojson::object();
    for (const auto& [k, v] : g.extra) extra[k] = num(v);
    groups.push_back(ojson{{"options", opts}, {"extra", extra}, {"params", g.params}});
  }
  ojson state = ojson::object();
  for (const auto& [idx, dict] : sd.state) {
    ojson names = ojson::array();
    for (const auto& it : dict) names.push_back(it.key());
    state[std::to_string(idx)] = names;
  }
  return ojson{{"param_groups", groups}, {"state", state}};
}

int64_t parse_index(const std::string& s, const Ctx& c) {
  c.check(!s.empty() && s.size() < 19 && s.find_first_not_of("0123456789") == std::string::npos,
          "optimizer state index '" + s + "' is not a non-negative integer");
  return std::stoll(s);
}

optim::OptimizerStateDict optimizer_from_json(const ojson& j, const std::map<std::string, Tensor>& tensors,
                                              const Ctx& c) {
  c.check(j.is_object() && j.contains("param_groups") && j["param_groups"].is_array() && j.contains("state") &&
              j["state"].is_object(),
          "optimizer state must be {\"param_groups\": [...], \"state\": {...}}");
  optim::OptimizerStateDict sd;
  for (const auto& g : j["param_groups"]) {
    c.check(g.is_object() && g.contains("options") && g["options"].is_object() && g.contains("params") &&
                g["params"].is_array(),
            "an optimizer parameter group lacks 'options' or 'params'");
    optim::ParamGroupState gs;
    for (auto it = g["options"].begin(); it != g["options"].end(); ++it)
      gs.options[it.key()] = option_from_json(it.value(), c, "option '" + it.key() + "'");
    if (g.contains("extra")) {
      c.check(g["extra"].is_object(), "parameter group 'extra' must be an object");
      for (auto it = g["extra"].begin(); it != g["extra"].end(); ++it)
        gs.extra[it.key()] = to_num(it.value(), c, "group value '" + it.key() + "'");
    }
    for (const auto& p : g["params"]) {
      c.check(p.is_number_integer() && p.get<int64_t>() >= 0, "parameter indices must be non-negative integers");
      gs.params.push_back(p.get<int64_t>());
    }
    sd.param_groups.push_back(std::move(gs));
  }
  std::set<std::string> used;
  for (auto it = j["state"].begin(); it != j["state"].end(); ++it) {
    int64_t idx = parse_index(it.key(), c);
    c.check(it.value().is_array(), "optimizer state names must be a list");
    optim::TensorDict dict;
    for (const auto& n : it.value()) {
      c.check(n.is_string(), "optimizer state names must be strings");
      std::string key = "optim.state." + it.key() + "." + n.get<std::string>();
      auto t = tensors.find(key);
      c.check(t != tensors.end(), "tensor '" + key + "' is missing");
      c.check(!dict.contains(n.get<std::string>()), "state entry '" + key + "' is listed twice");
      dict.insert(n.get<std::string>(), t->second);
      used.insert(key);
    }
    sd.state.emplace(idx, std::move(dict));
  }
  for (const auto& [k, t] : tensors)
    c.check(k.rfind("optim.", 0) != 0 || used.count(k), "tensor '" + k + "' is not part of the optimizer state");
  return sd;
}

// ---- scheduler state --------------------------------------------------------------------------

ojson scheduler_to_json(const optim::SchedulerState& s) {
  ojson values = ojson::object(), lists = ojson::object(), children = ojson::array();
  for (const auto& [k, v] : s.values) values[k] = num(v);
  for (const auto& [k, v] : s.lists) {
    ojson a = ojson::array();
    for (double d : v) a.push_back(num(d));
    lists[k] = a;
  }
  for (const auto& ch : s.children) children.push_back(scheduler_to_json(ch));
  return ojson{{"values", values}, {"lists", lists}, {"children", children}};
}

optim::SchedulerState scheduler_from_json(const ojson& j, const Ctx& c, int depth = 0) {
  c.check(depth < 64, "scheduler state is nested too deeply");
  c.check(j.is_object() && j.contains("values") && j["values"].is_object() && j.contains("lists") &&
              j["lists"].is_object() && j.contains("children") && j["children"].is_array(),
          "scheduler state must be {\"values\": {...}, \"lists\": {...}, \"children\": [...]}");
  optim::SchedulerState s;
  for (auto it = j["values"].begin(); it != j["values"].end(); ++it)
    s.values[it.key()] = to_num(it.value(), c, "scheduler value '" + it.key() + "'");
  for (auto it = j["lists"].begin(); it != j["lists"].end(); ++it) {
    c.check(it.value().is_array(), "scheduler list '" + it.key() + "' must be an array");
    std::vector<double> v;
    for (const auto& e : it.value()) v.push_back(to_num(e, c, "scheduler list '" + it.key() + "'"));
    s.lists[it.key()] = std::move(v);
  }
  for (const auto& ch : j["children"]) s.children.push_back(scheduler_from_json(ch, c, depth + 1));
  return s;
}

uint64_t parse_u64(const ojson& j, const Ctx& c, const char* what) {
  c.check(j.is_string(), std::string("RNG ") + what + " must be a decimal string");
  const std::string& s = j.get_ref<const std::string&>();
  c.check(!s.empty() && s.size() <= 20 && s.find_first_not_of("0123456789") == std::string::npos,
          std::string("RNG ") + what + " '" + s + "' is not an unsigned integer");
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), nullptr, 10);
  c.check(errno == 0, std::string("RNG ") + what + " '" + s + "' is out of range");
  return static_cast<uint64_t>(v);
}

}  // namespace

void save_checkpoint(const std::string& path, const Checkpoint& ckpt) {
  try {
    ojson check = ojson::parse(ckpt.metadata);
  } catch (const ojson::exception& e) {
    FX_FAIL("save_checkpoint: ", path, ": metadata is not valid JSON (", e.what(), ")");
  }
  OrderedDict<std::string, Tensor> tensors;
  for (const auto& it : ckpt.model) tensors.insert("model." + it.key(), it.value());
  std::map<std::string, std::string> meta{
      {"format", kFormat}, {"format_version", kFormatVersion}, {"metadata", ckpt.metadata}};
  if (ckpt.optimizer) {
    for (const auto& [idx, dict] : ckpt.optimizer->state)
      for (const auto& it : dict) tensors.insert("optim.state." + std::to_string(idx) + "." + it.key(), it.value());
    meta["optim"] = optimizer_to_json(*ckpt.optimizer).dump();
  }
  if (ckpt.scheduler) meta["scheduler"] = scheduler_to_json(*ckpt.scheduler).dump();
  if (ckpt.rng)
    meta["rng"] = ojson{{"seed", std::to_string(ckpt.rng->first)}, {"offset", std::to_string(ckpt.rng->second)}}.dump();
  save(path, tensors, meta);
}

Checkpoint load_checkpoint(const std::string& path) {
  SafetensorsData data = load_safetensors(path);
  Ctx c{path};
  auto meta = [&](const char* key) -> const std::string* {
    auto it = data.metadata.find(key);
    return it == data.metadata.end() ? nullptr : &it->second;
  };
  const std::string* format = meta("format");
  c.check(format && *format == kFormat, "not a Fluxion checkpoint (its metadata has no \"format\": \"" +
                                            std::string(kFormat) + "\"); use fluxion::load for plain tensor files");
  const std::string* version = meta("format_version");
  c.check(version && *version == kFormatVersion,
          "unsupported checkpoint format version '" + (version ? *version : std::string("?")) + "'");
  Checkpoint ckpt;
  std::map<std::string, Tensor> optim_tensors;
  for (const auto& it : data.tensors) {
    if (it.key().rfind("model.", 0) == 0)
      ckpt.model.insert(it.key().substr(6), it.value());
    else if (it.key().rfind("optim.", 0) == 0)
      optim_tensors.emplace(it.key(), it.value());
    else
      c.fail("unexpected tensor '" + it.key() + "' (expected 'model.*' or 'optim.*')");
  }
  if (const std::string* o = meta("optim"))
    ckpt.optimizer = optimizer_from_json(parse_json(*o, c, "optimizer state"), optim_tensors, c);
  else
    c.check(optim_tensors.empty(), "optimizer tensors without optimizer metadata");
  if (const std::string* s = meta("scheduler"))
    ckpt.scheduler = scheduler_from_json(parse_json(*s, c, "scheduler state"), c);
  if (const std::string* r = meta("rng")) {
    ojson j = parse_json(*r, c, "RNG state");
    c.check(j.is_object() && j.contains("seed") && j.contains("offset"), "RNG state needs 'seed' and 'offset'");
    ckpt.rng = std::make_pair(parse_u64(j["seed"], c, "seed"), parse_u64(j["offset"], c, "offset"));
  }
  if (const std::string* m = meta("metadata")) {
    ojson check = parse_json(*m, c, "user metadata");
    ckpt.metadata = *m;
  }
  return ckpt;
}

Checkpoint make_checkpoint(const nn::Module& model, const optim::Optimizer* optimizer,
                           const optim::LRScheduler* scheduler, std::string metadata) {
  Checkpoint ckpt;
  ckpt.model = model.state_dict();
  if (optimizer) ckpt.optimizer = optimizer->state_dict();
  if (scheduler) ckpt.scheduler = scheduler->state_dict();
  ckpt.rng = default_generator().get_state();
  ckpt.metadata = std::move(metadata);
  return ckpt;
}

void save_checkpoint(const std::string& path, const nn::Module& model, const optim::Optimizer* optimizer,
                     const optim::LRScheduler* scheduler, const std::string& metadata) {
  save_checkpoint(path, make_checkpoint(model, optimizer, scheduler, metadata));
}

std::string restore_checkpoint(const Checkpoint& ckpt, const nn::Module& model, optim::Optimizer* optimizer,
                               optim::LRScheduler* scheduler, bool restore_rng) {
  // 1. Validate everything.
  OrderedDict<std::string, Tensor> current = model.state_dict();
  std::string missing, unexpected, mismatched;
  for (const auto& it : current) {
    const Tensor* t = ckpt.model.find(it.key());
    if (!t)
      missing += (missing.empty() ? "" : ", ") + it.key();
    else if (t->sizes() != it.value().sizes())
      mismatched += (mismatched.empty() ? "" : ", ") + it.key();
  }
  for (const auto& it : ckpt.model)
    if (!current.contains(it.key())) unexpected += (unexpected.empty() ? "" : ", ") + it.key();
  FX_CHECK(missing.empty() && unexpected.empty() && mismatched.empty(),
           "restore_checkpoint: the checkpoint does not fit the model:", missing.empty() ? "" : " missing keys: ",
           missing, unexpected.empty() ? "" : "; unexpected keys: ", unexpected,
           mismatched.empty() ? "" : "; size mismatch for: ", mismatched);
  if (optimizer) {
    FX_CHECK(ckpt.optimizer.has_value(), "restore_checkpoint: the checkpoint has no optimizer state");
    optimizer->validate_state_dict(*ckpt.optimizer);
  }
  if (scheduler) FX_CHECK(ckpt.scheduler.has_value(), "restore_checkpoint: the checkpoint has no scheduler state");
  // 2. Apply. The scheduler validates before assigning; the rest was validated above.
  std::optional<optim::SchedulerState> backup;
  if (scheduler) {
    backup = scheduler->state_dict();
    scheduler->load_state_dict(*ckpt.scheduler);
  }
  try {
    if (optimizer) optimizer->load_state_dict(*ckpt.optimizer);
    model.load_state_dict(ckpt.model, /*strict=*/true);
  } catch (...) {
    if (scheduler) scheduler->load_state_dict(*backup);
    throw;
  }
  if (restore_rng && ckpt.rng) default_generator().set_state(*ckpt.rng);
  return ckpt.metadata;
}

std::string load_checkpoint(const std::string& path, const nn::Module& model, optim::Optimizer* optimizer,
                            optim::LRScheduler* scheduler, bool restore_rng) {
  return restore_checkpoint(load_checkpoint(path), model, optimizer, scheduler, restore_rng);
}

}  // namespace fluxion
