// Training-curve plots: a hand-written SVG and a small rasteriser written out with libpng.
// Layout (both formats): panel 1 "loss" (loss, val_loss), panel 2 "metrics" (every other metric);
// training curves solid, validation curves dashed (SVG) / with hollow markers (PNG).
#include "fluxion/train/plot.h"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fluxion/error.h"

namespace fluxion::train {
namespace {

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (epoch, value), finite values only
  bool validation;
  int color;
};

struct Panel {
  std::string title;
  std::vector<Series> series;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
};

constexpr unsigned char kPalette[][3] = {{31, 119, 180},  {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
                                         {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127}};
constexpr int kNumColors = sizeof(kPalette) / sizeof(kPalette[0]);

bool bookkeeping(const std::string& k) { return k == "epoch" || k == "lr" || k == "epoch_time"; }

std::string base_name(const std::string& k) { return k.rfind("val_", 0) == 0 ? k.substr(4) : k; }

Series make_series(const std::string& key, const std::vector<Metrics>& history, int color) {
  Series s{key, {}, key.rfind("val_", 0) == 0, color};
  for (size_t i = 0; i < history.size(); ++i) {
    auto it = history[i].find(key);
    if (it == history[i].end() || !std::isfinite(it->second)) continue;
    auto e = history[i].find("epoch");
    s.points.emplace_back(e != history[i].end() ? e->second : static_cast<double>(i + 1), it->second);
  }
  return s;
}

std::vector<Panel> make_panels(const std::vector<Metrics>& history) {
  std::vector<std::string> keys;  // every metric key, in first-seen order of the sorted maps
  for (const auto& m : history)
    for (const auto& [k, v] : m)
      if (!bookkeeping(k) && std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  Panel loss{"loss", {}}, other{"metrics", {}};
  std::vector<std::string> bases;  // a metric and its val_ twin share a colour
  for (const auto& k : keys) {
    const std::string b = base_name(k);
    auto it = std::find(bases.begin(), bases.end(), b);
    const int color = static_cast<int>(it == bases.end() ? (bases.push_back(b), bases.size() - 1) : it - bases.begin());
    Series s = make_series(k, history, color % kNumColors);
    if (s.points.empty()) continue;
    (b == "loss" ? loss : other).series.push_back(std::move(s));
  }
  std::vector<Panel> panels;
  for (Panel* p : {&loss, &other}) {
    if (p->series.empty()) continue;
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (const auto& s : p->series)
      for (const auto& [x, y] : s.points) {
        xmin = std::min(xmin, x), xmax = std::max(xmax, x);
        ymin = std::min(ymin, y), ymax = std::max(ymax, y);
      }
    if (xmax - xmin < 1) xmin -= 0.5, xmax += 0.5;
    const double pad = ymax > ymin ? 0.05 * (ymax - ymin) : std::max(0.05 * std::abs(ymax), 0.05);
    p->x0 = xmin, p->x1 = xmax, p->y0 = ymin - pad, p->y1 = ymax + pad;
    panels.push_back(std::move(*p));
  }
  return panels;
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string rgb(int c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", kPalette[c][0], kPalette[c][1], kPalette[c][2]);
  return buf;
}

void write_atomic(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    FX_CHECK(f.good(), "plot: cannot open ", tmp, " for writing");
    f << content;
    FX_CHECK(f.good(), "plot: cannot write ", tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  FX_CHECK(!ec, "plot: cannot rename ", tmp, " to ", path, ": ", ec.message());
}

// Panel geometry shared by SVG and PNG: plot area inside each panel.
struct Area {
  double left, top, width, height;
};
Area panel_area(size_t i, size_t n, double W, double H) {
  const double pw = W / static_cast<double>(n);
  return {pw * static_cast<double>(i) + 60, 30, pw - 80, H - 70};
}

}  // namespace

void write_curve_svg(const std::string& path, const std::vector<Metrics>& history) {
  const double W = 960, H = 400;
  const auto panels = make_panels(history);
  std::ostringstream os;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H << "\" viewBox=\"0 0 " << W
     << " " << H << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
     << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  if (panels.empty())
    os << "<text x=\"" << W / 2 << "\" y=\"" << H / 2 << "\" text-anchor=\"middle\">no finished epoch yet</text>\n";
  for (size_t pi = 0; pi < panels.size(); ++pi) {
    const Panel& p = panels[pi];
    const Area a = panel_area(pi, panels.size(), W, H);
    auto X = [&](double x) { return a.left + (x - p.x0) / (p.x1 - p.x0) * a.width; };
    auto Y = [&](double y) { return a.top + (p.y1 - y) / (p.y1 - p.y0) * a.height; };
    os << "<g>\n<text x=\"" << a.left + a.width / 2 << "\" y=\"18\" text-anchor=\"middle\" font-weight=\"bold\">"
       << p.title << "</text>\n";
    for (int k = 0; k <= 4; ++k) {  // y grid and labels
      const double y = p.y0 + (p.y1 - p.y0) * k / 4.0;
      os << "<line x1=\"" << a.left << "\" x2=\"" << a.left + a.width << "\" y1=\"" << Y(y) << "\" y2=\"" << Y(y)
         << "\" stroke=\"#e0e0e0\"/>\n<text x=\"" << a.left - 6 << "\" y=\"" << Y(y) + 4 << "\" text-anchor=\"end\">"
         << fmt(y) << "</text>\n";
    }
    const int64_t e0 = static_cast<int64_t>(std::ceil(p.x0)), e1 = static_cast<int64_t>(std::floor(p.x1));
    const int64_t stride = std::max<int64_t>(1, (e1 - e0 + 1 + 9) / 10);
    for (int64_t e = e0; e <= e1; e += stride)
      os << "<text x=\"" << X(static_cast<double>(e)) << "\" y=\"" << a.top + a.height + 16
         << "\" text-anchor=\"middle\">" << e << "</text>\n";
    os << "<text x=\"" << a.left + a.width / 2 << "\" y=\"" << H - 8 << "\" text-anchor=\"middle\">epoch</text>\n"
       << "<rect x=\"" << a.left << "\" y=\"" << a.top << "\" width=\"" << a.width << "\" height=\"" << a.height
       << "\" fill=\"none\" stroke=\"#444\"/>\n";
    for (size_t si = 0; si < p.series.size(); ++si) {
      const Series& s = p.series[si];
      os << "<polyline fill=\"none\" stroke=\"" << rgb(s.color) << "\" stroke-width=\"2\""
         << (s.validation ? " stroke-dasharray=\"6 4\"" : "") << " points=\"";
      for (const auto& [x, y] : s.points) os << X(x) << "," << Y(y) << " ";
      os << "\"/>\n";
      for (const auto& [x, y] : s.points)
        os << "<circle cx=\"" << X(x) << "\" cy=\"" << Y(y) << "\" r=\"3\" fill=\""
           << (s.validation ? "white" : rgb(s.color)) << "\" stroke=\"" << rgb(s.color) << "\"/>\n";
      const double ly = a.top + 14 + 16 * static_cast<double>(si);  // legend, top right
      os << "<line x1=\"" << a.left + a.width - 110 << "\" x2=\"" << a.left + a.width - 86 << "\" y1=\"" << ly - 4
         << "\" y2=\"" << ly - 4 << "\" stroke=\"" << rgb(s.color) << "\" stroke-width=\"2\""
         << (s.validation ? " stroke-dasharray=\"6 4\"" : "") << "/>\n<text x=\"" << a.left + a.width - 80 << "\" y=\""
         << ly << "\">" << s.name << "</text>\n";
    }
    os << "</g>\n";
  }
  os << "</svg>\n";
  write_atomic(path, os.str());
}

namespace {

struct Image {
  int w, h;
  std::vector<unsigned char> px;  // RGB
  Image(int w, int h) : w(w), h(h), px(static_cast<size_t>(w) * h * 3, 255) {}
  void set(int x, int y, const unsigned char* c) {
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    unsigned char* p = &px[(static_cast<size_t>(y) * w + x) * 3];
    p[0] = c[0], p[1] = c[1], p[2] = c[2];
  }
  void rect(int x0, int y0, int x1, int y1, const unsigned char* c, bool fill) {
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x)
        if (fill || y == y0 || y == y1 || x == x0 || x == x1) set(x, y, c);
  }
  /// Bresenham line, `thick` pixels wide.
  void line(int x0, int y0, int x1, int y1, const unsigned char* c, int thick = 1) {
    int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;
    for (;;) {
      for (int a = 0; a < thick; ++a)
        for (int b = 0; b < thick; ++b) set(x0 + a - thick / 2, y0 + b - thick / 2, c);
      if (x0 == x1 && y0 == y1) break;
      const int e2 = 2 * err;
      if (e2 >= dy) err += dy, x0 += sx;
      if (e2 <= dx) err += dx, y0 += sy;
    }
  }
};

/// Writes an 8-bit RGB image with libpng; false on a libpng error. Kept free of C++ objects because
/// libpng reports errors with longjmp.
bool png_write_rgb(std::FILE* f, int width, int height, const unsigned char* px) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (!png) return false;
  png_infop info = png_create_info_struct(png);
  if (!info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_init_io(png, f);
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8, PNG_COLOR_TYPE_RGB,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < height; ++y)
    png_write_row(png, const_cast<unsigned char*>(px) + static_cast<size_t>(y) * static_cast<size_t>(width) * 3);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

void write_curve_png(const std::string& path, const std::vector<Metrics>& history, int width, int height) {
  FX_CHECK(width >= 200 && height >= 120 && width <= 8192 && height <= 8192, "write_curve_png: bad size ", width, "x",
           height);
  Image img(width, height);
  const auto panels = make_panels(history);
  const unsigned char grid[3] = {224, 224, 224}, frame[3] = {68, 68, 68}, white[3] = {255, 255, 255};
  for (size_t pi = 0; pi < panels.size(); ++pi) {
    const Panel& p = panels[pi];
    const Area a = panel_area(pi, panels.size(), width, height);
    auto X = [&](double x) { return static_cast<int>(std::lround(a.left + (x - p.x0) / (p.x1 - p.x0) * a.width)); };
    auto Y = [&](double y) { return static_cast<int>(std::lround(a.top + (p.y1 - y) / (p.y1 - p.y0) * a.height)); };
    const int L = static_cast<int>(a.left), T = static_cast<int>(a.top), R = static_cast<int>(a.left + a.width),
              B = static_cast<int>(a.top + a.height);
    for (int k = 1; k < 4; ++k) img.line(L, T + (B - T) * k / 4, R, T + (B - T) * k / 4, grid);
    for (const auto& s : p.series) {
      const unsigned char* c = kPalette[s.color];
      for (size_t i = 0; i + 1 < s.points.size(); ++i) {
        const int x0 = X(s.points[i].first), y0 = Y(s.points[i].second);
        const int x1 = X(s.points[i + 1].first), y1 = Y(s.points[i + 1].second);
        if (!s.validation) {
          img.line(x0, y0, x1, y1, c, 2);
          continue;
        }
        // Dashed: 6 pixels drawn, 4 skipped, along the segment (as the SVG's stroke-dasharray).
        const double len = std::hypot(x1 - x0, y1 - y0);
        for (double d = 0; d < len; d += 10) {
          const double t0 = d / len, t1 = std::min(1.0, (d + 6) / len);
          img.line(static_cast<int>(std::lround(x0 + (x1 - x0) * t0)),
                   static_cast<int>(std::lround(y0 + (y1 - y0) * t0)),
                   static_cast<int>(std::lround(x0 + (x1 - x0) * t1)),
                   static_cast<int>(std::lround(y0 + (y1 - y0) * t1)), c, 2);
        }
      }
      for (const auto& [x, y] : s.points) {
        img.rect(X(x) - 3, Y(y) - 3, X(x) + 3, Y(y) + 3, c, true);
        if (s.validation) img.rect(X(x) - 1, Y(y) - 1, X(x) + 1, Y(y) + 1, white, true);
      }
    }
    img.rect(L, T, R, B, frame, false);
    for (size_t si = 0; si < p.series.size(); ++si) {  // legend swatches (no text in the PNG)
      const int y = T + 8 + 12 * static_cast<int>(si);
      img.rect(R - 30, y, R - 10, y + 6, kPalette[p.series[si].color], true);
      if (p.series[si].validation) img.rect(R - 26, y + 2, R - 14, y + 4, white, true);
    }
  }
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  FX_CHECK(f != nullptr, "write_curve_png: cannot open ", tmp, " for writing");
  if (!png_write_rgb(f, width, height, img.px.data())) {
    std::fclose(f);
    std::remove(tmp.c_str());
    FX_FAIL("write_curve_png: libpng failed writing ", path);
  }
  const bool ok = std::fclose(f) == 0;
  FX_CHECK(ok, "write_curve_png: cannot write ", tmp);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  FX_CHECK(!ec, "write_curve_png: cannot rename ", tmp, " to ", path, ": ", ec.message());
}

}  // namespace fluxion::train
