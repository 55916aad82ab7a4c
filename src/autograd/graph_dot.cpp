// Graph introspection: DOT export of the backward graph behind a tensor.
#include <sstream>
#include <unordered_map>

#include "fluxion/autograd.h"

namespace fluxion::autograd {

std::string to_dot(const Tensor& t) {
  std::ostringstream os;
  os << "digraph backward {\n  node [shape=box];\n";
  auto root = t.grad_fn();
  if (!root) {
    os << "}\n";
    return os.str();
  }
  std::unordered_map<const Node*, int> ids;
  std::vector<const Node*> stack{root.get()};
  ids[root.get()] = 0;
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    os << "  n" << ids[n] << " [label=\"" << n->name() << "\"];\n";
    for (const Edge& e : n->next_edges()) {
      if (!e.node) continue;
      auto [it, inserted] = ids.emplace(e.node.get(), static_cast<int>(ids.size()));
      if (inserted) stack.push_back(e.node.get());
      os << "  n" << ids[n] << " -> n" << it->second << ";\n";
    }
  }
  os << "}\n";
  return os.str();
}

}  // namespace fluxion::autograd
