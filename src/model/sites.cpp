// Site names <-> indices.
#include "model/sites.h"

#include "core/error.h"

namespace vrev::model {

int num_sites(int layers) { return 2 * layers + 2; }

std::string site_name(int site, int layers) {
  VREV_ASSERT(site >= 0 && site < num_sites(layers));
  if (site == site_embed()) return "embed";
  if (site == site_ln_f(layers)) return "ln_f";
  const int layer = (site - 1) / 2;
  return "blocks." + std::to_string(layer) + (site % 2 ? ".resid_mid" : ".resid_post");
}

std::vector<std::string> site_names(int layers) {
  std::vector<std::string> names;
  for (int s = 0; s < num_sites(layers); ++s) names.push_back(site_name(s, layers));
  return names;
}

int site_index(const std::string& name, int layers) {
  for (int s = 0; s < num_sites(layers); ++s)
    if (site_name(s, layers) == name) return s;
  std::string valid;
  for (const std::string& n : site_names(layers)) valid += (valid.empty() ? "" : ", ") + n;
  VREV_FAIL("unknown activation site '", name, "' (valid: ", valid, ")");
}

}  // namespace vrev::model
