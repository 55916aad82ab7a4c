// PNG decode/encode with libpng.
//
// Note [libpng errors]: libpng reports errors by longjmp to the setjmp point. Jumping over a live
// C++ object with a destructor is undefined behaviour, so the functions that call setjmp hold only
// plain C data (malloc'd buffers in volatile pointers, freed on both paths) and the C++ wrappers
// turn the returned message into a fluxion::Error afterwards.
#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "file_util.h"
#include "fluxion/data/image.h"
#include "fluxion/error.h"
#include "fluxion/ops/creation.h"

namespace fluxion::data {

namespace {

struct PngContext {
  const uint8_t* data;
  size_t size;
  size_t pos;
  char error[256];
};

void png_error_fn(png_structp png, png_const_charp msg) {
  auto* ctx = static_cast<PngContext*>(png_get_error_ptr(png));
  std::snprintf(ctx->error, sizeof(ctx->error), "%s", msg);
  png_longjmp(png, 1);
}

void png_warning_fn(png_structp, png_const_charp) {}

void png_read_fn(png_structp png, png_bytep out, png_size_t n) {
  auto* ctx = static_cast<PngContext*>(png_get_io_ptr(png));
  if (n > ctx->size - ctx->pos) png_error(png, "unexpected end of file (truncated)");
  std::memcpy(out, ctx->data + ctx->pos, n);
  ctx->pos += n;
}

struct Decoded {
  uint8_t* pixels;  // malloc'd H * W * C bytes, or null on error
  uint32_t height, width, channels;
};

// See Note [libpng errors]: plain C data only in this function.
bool decode_png(PngContext* ctx, int want, Decoded* out) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, ctx, png_error_fn, png_warning_fn);
  if (!png) {
    std::snprintf(ctx->error, sizeof(ctx->error), "out of memory");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  uint8_t* volatile pixels = nullptr;
  png_bytep* volatile rows = nullptr;
  if (!info || setjmp(png_jmpbuf(png))) {
    if (!info) std::snprintf(ctx->error, sizeof(ctx->error), "out of memory");
    png_destroy_read_struct(&png, info ? &info : nullptr, nullptr);
    std::free(pixels);
    std::free(rows);
    return false;
  }
  png_set_read_fn(png, ctx, png_read_fn);
  png_set_user_limits(png, 1u << 15, 1u << 15);  // refuse absurd dimensions from corrupt headers
  png_read_info(png, info);
  const int color = png_get_color_type(png, info);
  png_set_expand(png);  // palette -> RGB, grey < 8 bits -> 8 bits, tRNS -> alpha
  png_set_strip_16(png);
  png_set_strip_alpha(png);
  const bool grey = (color & PNG_COLOR_MASK_COLOR) == 0;
  if (want == 3 && grey) png_set_gray_to_rgb(png);
  if (want == 1 && !grey) png_set_rgb_to_gray_fixed(png, 1, -1, -1);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  const uint32_t H = png_get_image_height(png, info), W = png_get_image_width(png, info);
  const uint32_t C = png_get_channels(png, info);
  const size_t rowbytes = png_get_rowbytes(png, info);
  if (rowbytes != size_t{W} * C) png_error(png, "unexpected row layout after conversion");
  pixels = static_cast<uint8_t*>(std::malloc(rowbytes * H + 1));
  rows = static_cast<png_bytep*>(std::malloc(sizeof(png_bytep) * (H + 1)));
  if (!pixels || !rows) png_error(png, "out of memory");
  for (uint32_t y = 0; y < H; ++y) rows[y] = pixels + size_t{y} * rowbytes;
  png_read_image(png, rows);
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  std::free(rows);
  *out = {pixels, H, W, C};
  return true;
}

struct PngWriteContext {
  char error[256];
};

void png_write_error_fn(png_structp png, png_const_charp msg) {
  auto* ctx = static_cast<PngWriteContext*>(png_get_error_ptr(png));
  std::snprintf(ctx->error, sizeof(ctx->error), "%s", msg);
  png_longjmp(png, 1);
}

// See Note [libpng errors].
bool encode_png(const char* path, const uint8_t* pixels, uint32_t H, uint32_t W, uint32_t C, PngWriteContext* ctx) {
  FILE* volatile f = std::fopen(path, "wb");
  if (!f) {
    std::snprintf(ctx->error, sizeof(ctx->error), "cannot open for writing");
    return false;
  }
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, ctx, png_write_error_fn, png_warning_fn);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info || setjmp(png_jmpbuf(png))) {
    if (!png || !info) std::snprintf(ctx->error, sizeof(ctx->error), "out of memory");
    png_destroy_write_struct(png ? &png : nullptr, info ? &info : nullptr);
    std::fclose(f);
    return false;
  }
  png_init_io(png, f);
  const int color = C == 1 ? PNG_COLOR_TYPE_GRAY : C == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA;
  png_set_IHDR(png, info, W, H, 8, color, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (uint32_t y = 0; y < H; ++y) png_write_row(png, pixels + size_t{y} * W * C);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return std::fclose(f) == 0;
}

}  // namespace

Tensor read_png(const std::string& path, int channels) {
  FX_CHECK(channels == 0 || channels == 1 || channels == 3, "read_png: channels must be 0, 1 or 3, got ", channels);
  const std::vector<uint8_t> bytes = detail::read_raw_file(path);
  FX_CHECK(bytes.size() >= 8 && png_sig_cmp(bytes.data(), 0, 8) == 0, "cannot decode image '", path,
           "': not a PNG file (bad signature)");
  PngContext ctx{bytes.data(), bytes.size(), 0, {}};
  Decoded d{};
  FX_CHECK(decode_png(&ctx, channels, &d), "cannot decode image '", path, "': corrupt PNG (", ctx.error, ")");
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

void write_png(const std::string& path, const Tensor& image) {
  FX_CHECK(image.defined() && image.dtype() == kUInt8 && (image.dim() == 2 || image.dim() == 3),
           "write_png: expected a uint8 (H, W) or (H, W, C) tensor");
  const Tensor c = image.cpu().contiguous();
  const int64_t C = c.dim() == 3 ? c.size(2) : 1;
  FX_CHECK(C == 1 || C == 3 || C == 4, "write_png: expected 1, 3 or 4 channels, got ", C);
  FX_CHECK(c.size(0) > 0 && c.size(1) > 0, "write_png: empty image");
  PngWriteContext ctx{};
  FX_CHECK(encode_png(path.c_str(), c.data_ptr<uint8_t>(), static_cast<uint32_t>(c.size(0)),
                      static_cast<uint32_t>(c.size(1)), static_cast<uint32_t>(C), &ctx),
           "write_png: cannot write '", path, "': ", ctx.error);
}

}  // namespace fluxion::data
