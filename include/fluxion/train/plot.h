// Training-curve plots from a Trial history, written without a plotting library: SVG (text) and PNG
// (a simple rasteriser plus libpng). Panel 1: "loss" and "val_loss"; panel 2: every other metric
// with its "val_" twin (lr and epoch_time are left out).
#pragma once

#include <string>
#include <vector>

#include "fluxion/train/metrics.h"

namespace fluxion::train {

/// Writes the curves of `history` (one Metrics per epoch) as an SVG file; throws fluxion::Error on I/O failure.
void write_curve_svg(const std::string& path, const std::vector<Metrics>& history);
/// Writes the same curves as a PNG image (width x height pixels).
void write_curve_png(const std::string& path, const std::vector<Metrics>& history, int width = 960, int height = 400);

}  // namespace fluxion::train
