#pragma once
// One plot drawn on a canvas of its size: the layout, the grid, the data, the axes, the titles and
// the legend.
#include "plot/plot.h"
#include "plot/raster.h"

namespace vrev::plot {

Canvas render(const Plot& p);  // p must pass write_png's checks

}  // namespace vrev::plot
