// Checks of the probe section.
#include "probe/config.h"

#include "model/sites.h"
#include "probe/capture.h"
#include "probe/nulls.h"

namespace vrev::probe {

void ProbeConfig::validate() const {
  parse_position(position);
  parse_estimator(estimator);
}

int ProbeConfig::site_index(int layers) const {
  return site == "last" ? model::site_resid_post(layers - 1) : model::site_index(site, layers);
}

}  // namespace vrev::probe
