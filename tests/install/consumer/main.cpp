// Uses the installed headers and library: creation, views, printing, build info.
#include <fluxion/fluxion.h>

#include <iostream>
#include <sstream>

int main() {
  namespace fx = fluxion;
  fx::Tensor t = fx::arange(6).reshape({2, 3}).t();
  std::ostringstream os;
  os << t;
  const std::string expected = "tensor([[0, 3],\n        [1, 4],\n        [2, 5]])";
  if (os.str() != expected) {
    std::cerr << "consumer: unexpected output\n" << os.str() << "\n";
    return 1;
  }
  std::cout << "consumer OK: Fluxion " << fx::build_info().version << "\n" << os.str() << "\n";
  return 0;
}
