// Token names and ids.
#include "world/vocabulary.h"

#include <sstream>

#include "core/error.h"

namespace vrev::world {

Vocabulary::Vocabulary(std::vector<std::string> names, std::string listing)
    : names_(std::move(names)), listing_(std::move(listing)) {}

const std::string& Vocabulary::name(int32_t id) const {
  VREV_CHECK(id >= 0 && id < size(), "token id ", id, " is out of range [0, ", size(), ")");
  return names_[id];
}

int32_t Vocabulary::id(const std::string& name) const {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return static_cast<int32_t>(i);
  VREV_FAIL("unknown token '", name, "' (tokens: ", listing_, ")");
}

std::vector<int32_t> Vocabulary::parse(const std::string& text) const {
  std::istringstream in(text);
  std::vector<int32_t> ids;
  for (std::string word; in >> word;) ids.push_back(id(word));
  return ids;
}

std::string Vocabulary::format(const int32_t* ids, size_t n) const {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += (i ? " " : "") + name(ids[i]);
  return s;
}

}  // namespace vrev::world
