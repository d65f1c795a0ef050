// Checks of the probe section.
#include "probe/config.h"

#include "model/sites.h"

namespace vrev::probe {

int ProbeConfig::site_index(int layers) const {
  return site == "last" ? model::site_resid_post(layers - 1) : model::site_index(site, layers);
}

}  // namespace vrev::probe
