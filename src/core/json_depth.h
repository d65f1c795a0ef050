#pragma once
// Nesting limit for JSON that vrev reads from files and the command line. nlohmann's parser is
// iterative, but copying and dumping a value recurse once per level, so a file holding a million
// '[' would overflow the stack later (in an error message that quotes the value, say). Readers
// parse with json_depth_limit, which refuses deep nesting up front with a vrev::Error.
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"

namespace vrev {

inline constexpr int kMaxJsonDepth = 64;  // vrev's own files nest 3 levels deep

// A callback for Json::parse that throws "<source>: JSON nested deeper than 64 levels".
template <class Json>
typename Json::parser_callback_t json_depth_limit(const std::string& source) {
  return [source](int depth, typename Json::parse_event_t, Json&) {
    VREV_CHECK(depth <= kMaxJsonDepth, source, ": JSON nested deeper than ", kMaxJsonDepth, " levels");
    return true;
  };
}

}  // namespace vrev
