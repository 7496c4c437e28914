#include "sandbox/render.hpp"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace capstan::sandbox {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kThumbCellLongSide = 96;

struct Rgb {
  double r, g, b;
};

// FNV-1a then SplitMix64: stable across platforms and runs, unlike std::hash.
std::uint64_t fnv1a(std::string_view text, std::uint64_t hash = 1469598103934665603ULL) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

class SplitMix {
 public:
  explicit SplitMix(std::uint64_t state) : state_(state) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi).
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * static_cast<double>(next() >> 11) / 9007199254740992.0;
  }

 private:
  std::uint64_t state_;
};

Rgb hsl(double hue, double saturation, double lightness) {
  hue = std::fmod(std::fmod(hue, 360.0) + 360.0, 360.0);
  double c = (1 - std::fabs(2 * lightness - 1)) * saturation;
  double x = c * (1 - std::fabs(std::fmod(hue / 60.0, 2.0) - 1));
  double m = lightness - c / 2;
  Rgb out{0, 0, 0};
  switch (static_cast<int>(hue / 60.0)) {
    case 0:
      out = {c, x, 0};
      break;
    case 1:
      out = {x, c, 0};
      break;
    case 2:
      out = {0, c, x};
      break;
    case 3:
      out = {0, x, c};
      break;
    case 4:
      out = {x, 0, c};
      break;
    default:
      out = {c, 0, x};
      break;
  }
  return {out.r + m, out.g + m, out.b + m};
}

Rgb mix(Rgb a, Rgb b, double t) {
  t = std::clamp(t, 0.0, 1.0);
  return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}

double smoothstep(double edge0, double edge1, double x) {
  double t = std::clamp((x - edge0) / (edge1 - edge0), 0.0, 1.0);
  return t * t * (3 - 2 * t);
}

struct Ridge {
  double base;
  double amplitude[3];
  double frequency[3];
  double phase[3];
  Rgb color;
};

struct Scene {
  Rgb sky_top, sky_horizon, sun_color;
  double sun_x, sun_y, sun_radius;
  std::vector<Ridge> ridges;  // back to front
};

Scene makeScene(std::string_view prompt, std::int64_t seed, int cell) {
  auto material = fnv1a(prompt, fnv1a(std::to_string(seed)));
  SplitMix palette_rng(material);
  // The four cells share a palette family (one prompt) but differ in hue and layout.
  double hue = palette_rng.uniform(0, 360);
  SplitMix rng(material ^ (0xA24BAED4963EE407ULL * static_cast<std::uint64_t>(cell + 1)));
  hue += rng.uniform(-35, 35);

  Scene scene;
  scene.sky_top = hsl(hue + 200, 0.45, 0.30);
  scene.sky_horizon = hsl(hue + 20, 0.75, 0.72);
  scene.sun_color = hsl(hue + 35, 0.9, 0.86);
  scene.sun_x = rng.uniform(0.2, 0.8);
  scene.sun_y = rng.uniform(0.18, 0.42);
  scene.sun_radius = rng.uniform(0.06, 0.13);
  int layers = 3 + static_cast<int>(rng.next() % 2);
  for (int i = 0; i < layers; ++i) {
    Ridge ridge{};
    double depth = static_cast<double>(i) / (layers - 1);
    ridge.base = 0.48 + 0.14 * i + rng.uniform(-0.03, 0.03);
    for (int k = 0; k < 3; ++k) {
      ridge.amplitude[k] = rng.uniform(0.01, 0.06) / (k + 1);
      ridge.frequency[k] = rng.uniform(1.5, 4.0) * (k + 1) * kPi;
      ridge.phase[k] = rng.uniform(0, 2 * kPi);
    }
    // Aerial perspective: far hills take the horizon's colour, near hills are dark and rich.
    ridge.color = mix(mix(scene.sky_horizon, hsl(hue + 240, 0.35, 0.45), 0.55),
                      hsl(hue + 250, 0.45, 0.14), depth);
    scene.ridges.push_back(ridge);
  }
  return scene;
}

void paintCell(std::vector<std::uint8_t>& pixels, int stride, int x0, int y0, int width, int height,
               const Scene& scene) {
  double aspect = static_cast<double>(width) / height;
  std::vector<double> ridge_y(scene.ridges.size() * static_cast<std::size_t>(width));
  for (std::size_t r = 0; r < scene.ridges.size(); ++r) {
    const auto& ridge = scene.ridges[r];
    for (int x = 0; x < width; ++x) {
      double u = (x + 0.5) / width;
      double y = ridge.base;
      for (int k = 0; k < 3; ++k) {
        y -= ridge.amplitude[k] * std::sin(ridge.frequency[k] * u + ridge.phase[k]);
      }
      ridge_y[r * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)] = y;
    }
  }
  double edge = 1.5 / height;  // antialiasing width of a ridge line, in v units
  for (int y = 0; y < height; ++y) {
    double v = (y + 0.5) / height;
    Rgb sky = mix(scene.sky_top, scene.sky_horizon, std::pow(v / 0.75, 1.3));
    auto* row = pixels.data() +
                static_cast<std::size_t>(y0 + y) * static_cast<std::size_t>(stride) +
                static_cast<std::size_t>(x0) * 3;
    for (int x = 0; x < width; ++x) {
      double u = (x + 0.5) / width;
      double dx = (u - scene.sun_x) * aspect;
      double dy = v - scene.sun_y;
      double distance = std::sqrt(dx * dx + dy * dy);
      Rgb color = mix(sky, scene.sun_color, 0.55 * std::exp(-distance * 6.0));
      color = mix(color, scene.sun_color,
                  1 - smoothstep(scene.sun_radius - edge, scene.sun_radius + edge, distance));
      for (std::size_t r = 0; r < scene.ridges.size(); ++r) {
        double top = ridge_y[r * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)];
        double cover = smoothstep(top - edge, top + edge, v);
        if (cover <= 0) continue;
        // Hills lighten slightly towards their crest, which reads as light from the sun.
        Rgb hill = mix(scene.ridges[r].color, scene.sun_color, 0.12 / (1 + 40 * (v - top)));
        color = mix(color, hill, cover);
      }
      double vignette = 1 - 0.35 * ((u - 0.5) * (u - 0.5) + (v - 0.5) * (v - 0.5));
      row[3 * x + 0] = static_cast<std::uint8_t>(std::clamp(color.r * vignette, 0.0, 1.0) * 255);
      row[3 * x + 1] = static_cast<std::uint8_t>(std::clamp(color.g * vignette, 0.0, 1.0) * 255);
      row[3 * x + 2] = static_cast<std::uint8_t>(std::clamp(color.b * vignette, 0.0, 1.0) * 255);
    }
  }
}

void appendToString(png_structp png, png_bytep data, png_size_t length) {
  static_cast<std::string*>(png_get_io_ptr(png))
      ->append(reinterpret_cast<const char*>(data), length);
}

// Kept apart so that no local of the caller lives across setjmp (libpng reports errors by
// longjmp).
bool writePng(png_structp png, png_infop info, png_bytepp rows, std::string* out, int width,
              int height) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_write_fn(png, out, appendToString, nullptr);
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8,
               PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  // Smooth gradients compress well with the Sub/Up filters even at a low zlib level, and the
  // low level keeps a 1024 px grid well under the time of one request.
  png_set_compression_level(png, 2);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB | PNG_FILTER_UP);
  png_set_rows(png, info, rows);
  png_write_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
  return true;
}

std::string encodePng(std::vector<std::uint8_t>& pixels, int width, int height) {
  std::vector<png_bytep> rows(static_cast<std::size_t>(height));
  for (std::size_t y = 0; y < rows.size(); ++y) {
    rows[y] = pixels.data() + y * static_cast<std::size_t>(width) * 3;
  }
  std::string out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return out;
  png_infop info = png_create_info_struct(png);
  bool ok = info != nullptr && writePng(png, info, rows.data(), &out, width, height);
  png_destroy_write_struct(&png, info != nullptr ? &info : nullptr);
  if (!ok) out.clear();
  return out;
}

std::string renderGridPng(std::string_view prompt, std::int64_t seed, int cell_width,
                          int cell_height) {
  int width = 2 * cell_width;
  int height = 2 * cell_height;
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width) *
                                   static_cast<std::size_t>(height) * 3);
  for (int cell = 0; cell < 4; ++cell) {
    paintCell(pixels, width * 3, (cell % 2) * cell_width, (cell / 2) * cell_height, cell_width,
              cell_height, makeScene(prompt, seed, cell));
  }
  return encodePng(pixels, width, height);
}

}  // namespace

std::string renderCellPng(std::string_view prompt, std::int64_t seed, int cell, int width,
                          int height) {
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width) *
                                   static_cast<std::size_t>(height) * 3);
  paintCell(pixels, width * 3, 0, 0, width, height, makeScene(prompt, seed, cell));
  return encodePng(pixels, width, height);
}

std::optional<std::string> renderJobImage(const Job& job, std::string_view name) {
  auto images = resultImages(job);
  if (images.empty()) return std::nullopt;
  // Variations differ from their parent: they paint the cells of a shifted seed.
  std::int64_t seed = job.parameters.seed + (job.type == JobType::kVariation ? 7919 : 0);
  if (name == "thumb") {
    auto [w, h] = cellSize(job.parameters.aspect_ratio);
    int tw = std::max(8, w * kThumbCellLongSide / std::max(w, h));
    int th = std::max(8, h * kThumbCellLongSide / std::max(w, h));
    if (job.type == JobType::kUpscale) {
      return renderCellPng(job.prompt, seed, job.image_index.value_or(1) - 1, 2 * tw, 2 * th);
    }
    return renderGridPng(job.prompt, seed, tw, th);
  }
  for (const auto& image : images) {
    if (image.name != name) continue;
    if (image.name == "grid")
      return renderGridPng(job.prompt, seed, image.width / 2, image.height / 2);
    int cell = image.index ? *image.index - 1 : job.image_index.value_or(1) - 1;
    return renderCellPng(job.prompt, seed, cell, image.width, image.height);
  }
  return std::nullopt;
}

}  // namespace capstan::sandbox
