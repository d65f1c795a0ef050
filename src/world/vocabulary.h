#pragma once
// A world's vocabulary: every token id has a printable name (BOS USER h3 o12 ...), and text of
// names separated by whitespace converts to ids and back.
#include <cstdint>
#include <string>
#include <vector>

namespace vrev::world {

class Vocabulary {
 public:
  // `listing` summarises the names for error messages ("PAD BOS ... o0-o31").
  Vocabulary(std::vector<std::string> names, std::string listing);
  int size() const { return static_cast<int>(names_.size()); }
  const std::string& name(int32_t id) const;
  // The id of a token name; the error names the unknown token and lists the valid ones.
  int32_t id(const std::string& name) const;

  // "BOS USER h3 ..." <-> ids. Parsing splits on whitespace.
  std::vector<int32_t> parse(const std::string& text) const;
  std::string format(const int32_t* ids, size_t n) const;

 private:
  std::vector<std::string> names_;
  std::string listing_;
};

}  // namespace vrev::world
