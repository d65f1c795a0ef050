#pragma once
// Named activation sites: the points of the residual stream a hook can read or change.
//   embed                  token + position embedding, the stream entering block 0
//   blocks.{i}.resid_mid   after block i's attention residual add
//   blocks.{i}.resid_post  after block i's MLP residual add (the stream leaving block i)
//   ln_f                   after the final LayerNorm, entering the output head
#include <string>
#include <vector>

namespace vrev::model {

int num_sites(int layers);
std::string site_name(int site, int layers);
// The error lists the valid names.
int site_index(const std::string& name, int layers);
std::vector<std::string> site_names(int layers);
inline int site_embed() { return 0; }
inline int site_resid_mid(int layer) { return 1 + 2 * layer; }
inline int site_resid_post(int layer) { return 2 + 2 * layer; }
inline int site_ln_f(int layers) { return 2 * layers + 1; }

}  // namespace vrev::model
