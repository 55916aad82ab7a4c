// read_image: picks the decoder from the file's signature, not its extension.
#include <cstdio>
#include <fstream>

#include "file_util.h"
#include "fluxion/data/image.h"
#include "fluxion/error.h"

namespace fluxion::data {

Tensor read_image(const std::string& path, int channels) {
  FX_CHECK(detail::file_exists(path), "cannot read image '", path, "': no such file");
  unsigned char sig[8] = {};
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(sig), sizeof(sig));
  const auto n = in.gcount();
  if (n >= 8 && sig[0] == 0x89 && sig[1] == 'P' && sig[2] == 'N' && sig[3] == 'G') return read_png(path, channels);
  if (n >= 3 && sig[0] == 0xFF && sig[1] == 0xD8 && sig[2] == 0xFF) return read_jpeg(path, channels);
  FX_FAIL("cannot decode image '", path, "': not a PNG or JPEG file (unknown signature)");
}

}  // namespace fluxion::data
