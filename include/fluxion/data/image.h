// Image files: PNG (libpng) and JPEG (libjpeg) decoding to uint8 (H, W, C), and PNG/JPEG writing.
#pragma once

#include <string>

#include "fluxion/tensor.h"

namespace fluxion::data {

/// Decodes a PNG or JPEG file (chosen by its signature) to uint8 (H, W, C). channels: 0 keeps the
/// file's (1 or 3; alpha is dropped), 1 converts to grey, 3 to RGB. Undecodable -> Error naming the file.
Tensor read_image(const std::string& path, int channels = 0);
/// Decodes a PNG file.
Tensor read_png(const std::string& path, int channels = 0);
/// Decodes a JPEG file.
Tensor read_jpeg(const std::string& path, int channels = 0);
/// Writes uint8 (H, W) or (H, W, C), C in {1, 3, 4}, as PNG.
void write_png(const std::string& path, const Tensor& image);
/// Writes uint8 (H, W) or (H, W, C), C in {1, 3}, as baseline JPEG.
void write_jpeg(const std::string& path, const Tensor& image, int quality = 90);

}  // namespace fluxion::data
