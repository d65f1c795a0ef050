// Overrides and config-file parsing for the declared settings of settings.h.
#include "core/settings.h"

#include <fstream>
#include <sstream>

#include "core/json_depth.h"

namespace vrev::settings {

namespace {

// Keys and strings of a config must be valid UTF-8: JSON holds nothing else, and a value that is
// not would make the error messages and the saved record (both JSON dumps) throw.
bool valid_utf8(const std::string& s) {
  try {
    (void)Json(s).dump();
    return true;
  } catch (const Json::type_error&) {
    return false;
  }
}

}  // namespace

void apply_override(Json& json, const std::string& assignment) {
  VREV_CHECK(valid_utf8(assignment), "--set ", Json(assignment).dump(-1, ' ', true, Json::error_handler_t::replace),
             ": not valid UTF-8");
  const size_t eq = assignment.find('=');
  VREV_CHECK(eq != std::string::npos && eq > 0, "--set '", assignment, "': expected key.path=value");
  const std::string key = assignment.substr(0, eq), text = assignment.substr(eq + 1);
  Json value = Json::parse(text, json_depth_limit<Json>("--set '" + key + "'"), /*allow_exceptions=*/false);
  if (value.is_discarded()) value = text;
  Json* node = &json;
  size_t start = 0;
  while (true) {
    const size_t dot = key.find('.', start);
    const std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    VREV_CHECK(!part.empty(), "--set '", assignment, "': empty key component");
    VREV_CHECK(node->is_object(), "--set '", assignment, "': '", key.substr(0, start ? start - 1 : 0),
               "' is not a section");
    if (dot == std::string::npos) {
      (*node)[part] = std::move(value);
      return;
    }
    if (!node->contains(part)) (*node)[part] = Json::object();
    node = &(*node)[part];
    start = dot + 1;
  }
}

Json parse_file(const std::string& path) {
  std::ifstream in(path);
  VREV_CHECK(in.good(), "cannot read config ", path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_text(text.str(), path);
}

Json parse_text(const std::string& text, const std::string& source) {
  try {
    return Json::parse(text, json_depth_limit<Json>(source));
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for a number like 1e400
    VREV_FAIL(source, ": invalid JSON (", e.what(), ")");
  }
}

}  // namespace vrev::settings
