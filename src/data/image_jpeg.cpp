// JPEG decode/encode with libjpeg. Errors (and corrupt-data warnings, which libjpeg would
// otherwise paper over with grey pixels) longjmp back; see Note [libpng errors] in image_png.cpp
// for why the setjmp functions hold only plain C data.
#include <cstdio>  // jpeglib.h needs FILE and size_t first

#include <jpeglib.h>

#include <csetjmp>
#include <cstdlib>
#include <cstring>

#include "file_util.h"
#include "fluxion/data/image.h"
#include "fluxion/error.h"
#include "fluxion/ops/creation.h"

namespace fluxion::data {

namespace {

struct JpegError {
  jpeg_error_mgr mgr;  // first member: libjpeg hands back a jpeg_error_mgr*
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_error_exit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void jpeg_emit(j_common_ptr cinfo, int level) {
  if (level < 0) jpeg_error_exit(cinfo);  // a warning means corrupt or truncated data
}

struct Decoded {
  uint8_t* pixels;
  uint32_t height, width, channels;
};

bool decode_jpeg(const uint8_t* data, size_t size, int want, Decoded* out, JpegError* err) {
  jpeg_decompress_struct cinfo;
  cinfo.err = jpeg_std_error(&err->mgr);
  err->mgr.error_exit = jpeg_error_exit;
  err->mgr.emit_message = jpeg_emit;
  uint8_t* volatile pixels = nullptr;
  if (setjmp(err->jump)) {
    jpeg_destroy_decompress(&cinfo);
    std::free(pixels);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(&cinfo, TRUE);
  const bool grey = cinfo.num_components == 1;
  cinfo.out_color_space = (want == 1 || (want == 0 && grey)) ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&cinfo);
  const uint32_t H = cinfo.output_height, W = cinfo.output_width, C = static_cast<uint32_t>(cinfo.output_components);
  pixels = static_cast<uint8_t*>(std::malloc(size_t{H} * W * C + 1));
  if (!pixels) {
    std::snprintf(err->message, sizeof(err->message), "out of memory");
    std::longjmp(err->jump, 1);
  }
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = pixels + size_t{cinfo.output_scanline} * W * C;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  *out = {pixels, H, W, C};
  return true;
}

bool encode_jpeg(const char* path, const uint8_t* pixels, uint32_t H, uint32_t W, uint32_t C, int quality,
                 JpegError* err) {
  FILE* volatile f = std::fopen(path, "wb");
  if (!f) {
    std::snprintf(err->message, sizeof(err->message), "cannot open for writing");
    return false;
  }
  jpeg_compress_struct cinfo;
  cinfo.err = jpeg_std_error(&err->mgr);
  err->mgr.error_exit = jpeg_error_exit;
  if (setjmp(err->jump)) {
    jpeg_destroy_compress(&cinfo);
    std::fclose(f);
    return false;
  }
  jpeg_create_compress(&cinfo);
  jpeg_stdio_dest(&cinfo, f);
  cinfo.image_width = W;
  cinfo.image_height = H;
  cinfo.input_components = static_cast<int>(C);
  cinfo.in_color_space = C == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(pixels) + size_t{cinfo.next_scanline} * W * C;
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  return std::fclose(f) == 0;
}

}  // namespace

Tensor read_jpeg(const std::string& path, int channels) {
  FX_CHECK(channels == 0 || channels == 1 || channels == 3, "read_jpeg: channels must be 0, 1 or 3, got ", channels);
  const std::vector<uint8_t> bytes = detail::read_raw_file(path);
  FX_CHECK(bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF, "cannot decode image '", path,
           "': not a JPEG file (bad signature)");
  JpegError err{};
  Decoded d{};
  FX_CHECK(decode_jpeg(bytes.data(), bytes.size(), channels, &d, &err), "cannot decode image '", path,
           "': corrupt JPEG (", err.message, ")");
  Tensor out;
  try {
    out = empty({int64_t{d.height}, int64_t{d.width}, int64_t{d.channels}}, TensorOptions(kUInt8));
    std::memcpy(out.data_ptr(), d.pixels, size_t{d.height} * d.width * d.channels);
  } catch (...) {
    std::free(d.pixels);
    throw;
  }
  std::free(d.pixels);
  return out;
}

void write_jpeg(const std::string& path, const Tensor& image, int quality) {
  FX_CHECK(image.defined() && image.dtype() == kUInt8 && (image.dim() == 2 || image.dim() == 3),
           "write_jpeg: expected a uint8 (H, W) or (H, W, C) tensor");
  FX_CHECK(quality >= 1 && quality <= 100, "write_jpeg: quality must be in 1..100, got ", quality);
  const Tensor c = image.cpu().contiguous();
  const int64_t C = c.dim() == 3 ? c.size(2) : 1;
  FX_CHECK(C == 1 || C == 3, "write_jpeg: expected 1 or 3 channels, got ", C);
  FX_CHECK(c.size(0) > 0 && c.size(1) > 0, "write_jpeg: empty image");
  JpegError err{};
  FX_CHECK(encode_jpeg(path.c_str(), c.data_ptr<uint8_t>(), static_cast<uint32_t>(c.size(0)),
                       static_cast<uint32_t>(c.size(1)), static_cast<uint32_t>(C), quality, &err),
           "write_jpeg: cannot write '", path, "': ", err.message);
}

}  // namespace fluxion::data
