// Checks of the probe section.
#include "probe/config.h"

#include "model/sites.h"

namespace vrev::probe {

int ProbeConfig::site_index(int layers) const {
  return site == "last" ? model::site_resid_post(layers - 1) : model::site_index(site, layers);
}

settings::Json ProbeConfig::run_identity() const {
  return {{"site", site}, {"position", settings::name_of(position)}, {"estimator", settings::name_of(estimator)}};
}

}  // namespace vrev::probe
