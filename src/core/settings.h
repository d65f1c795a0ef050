#pragma once
// Settings declared once. A config struct lists its fields in one visit() function:
//
//   struct AdamW {
//     double lr = 1e-3;
//     template <class V> void visit(V& v) { v(lr, "lr", "peak learning rate", 0.0, 1.0); }
//   };
//
// and that one list drives reading JSON (unknown keys, wrong types and out-of-range values are
// errors naming the key path), writing the resolved record, `--set key.path=value` overrides and
// the help text. Nested structs are visited with v.section(field, "name", "help"); a key that moved is
// declared with v.moved("old", "new.path", "how to convert"): reading the old one is an error naming
// the new.
//
// A setting may be an enum E with a name table found by argument-dependent lookup,
//   constexpr std::array<std::pair<E, const char*>, N> enum_names(E);
// it is read and written by name, and an unknown name is an error listing the valid ones.
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "core/error.h"

namespace vrev::settings {

using Json = nlohmann::ordered_json;

inline std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

template <class E>
concept NamedEnum = std::is_enum_v<E> && requires(E e) { enum_names(e); };

template <NamedEnum E>
const char* name_of(E value) {
  for (const auto& [e, name] : enum_names(E{}))
    if (e == value) return name;
  return "?";
}

// "a, b, c": the valid names, for error messages and help.
template <NamedEnum E>
std::string names_of() {
  std::string all;
  for (const auto& entry : enum_names(E{})) all += (all.empty() ? "" : ", ") + std::string(entry.second);
  return all;
}

// The enum value called `name`; the error names `what` (a key or a flag) and the valid names.
template <NamedEnum E>
E parse_name(const std::string& name, const std::string& what) {
  for (const auto& [e, n] : enum_names(E{}))
    if (name == n) return e;
  VREV_FAIL(what, ": unknown value '", name, "' (valid: ", names_of<E>(), ")");
}

// A field as JSON: enums by name.
template <class F>
Json to_json(const F& field) {
  if constexpr (NamedEnum<F>)
    return name_of(field);
  else
    return field;
}

// Reads a struct from a JSON object, checking every key against the declarations.
class Reader {
 public:
  Reader(const Json& json, std::string path) : json_(json), path_(std::move(path)) {
    VREV_CHECK(json.is_object(), "config: '", path_.empty() ? "<root>" : path_, "' must be an object");
  }
  ~Reader() = default;

  template <class F>
  void operator()(F& field, const char* name, const char* /*help*/, double lo = -kInf, double hi = kInf) {
    seen_.insert(name);
    auto it = json_.find(name);
    if (it == json_.end()) return;  // keep the default
    read_value(field, *it, join(path_, name), lo, hi);
  }
  template <class S>
  void section(S& sub, const char* name, const char* /*help*/) {
    seen_.insert(name);
    auto it = json_.find(name);
    Json empty = Json::object();
    Reader r(it == json_.end() ? empty : *it, join(path_, name));
    sub.visit(r);
    r.finish();
  }
  // A key that was renamed: naming it is an error that names its new path, and how to convert.
  void moved(const char* old_name, const char* new_name, const char* how_to_convert) {
    VREV_CHECK(!json_.contains(old_name), "config: '", join(path_, old_name), "' is now '", join(path_, new_name),
               "' (", how_to_convert, ")");
  }
  // After visiting: any key not declared is an error.
  void finish() const {
    for (auto it = json_.begin(); it != json_.end(); ++it)
      VREV_CHECK(seen_.count(it.key()), "config: unknown key '", join(path_, it.key()), "'");
  }

 private:
  static constexpr double kInf = std::numeric_limits<double>::infinity();
  static void range(double x, const std::string& key, double lo, double hi) {
    VREV_CHECK(x >= lo && x <= hi, "config: '", key, "' = ", x, " is out of range [", lo, ", ", hi, "]");
  }
  static void read_value(int& f, const Json& j, const std::string& key, double lo, double hi) {
    VREV_CHECK(j.is_number_integer(), "config: '", key, "' must be an integer, got ", j.dump());
    range(j.get<double>(), key, lo, hi);
    f = j.get<int>();
  }
  static void read_value(int64_t& f, const Json& j, const std::string& key, double lo, double hi) {
    VREV_CHECK(j.is_number_integer(), "config: '", key, "' must be an integer, got ", j.dump());
    range(j.get<double>(), key, lo, hi);
    f = j.get<int64_t>();
  }
  static void read_value(double& f, const Json& j, const std::string& key, double lo, double hi) {
    VREV_CHECK(j.is_number(), "config: '", key, "' must be a number, got ", j.dump());
    f = j.get<double>();
    VREV_CHECK(std::isfinite(f), "config: '", key, "' must be finite");
    range(f, key, lo, hi);
  }
  static void read_value(bool& f, const Json& j, const std::string& key, double, double) {
    VREV_CHECK(j.is_boolean(), "config: '", key, "' must be true or false, got ", j.dump());
    f = j.get<bool>();
  }
  static void read_value(std::string& f, const Json& j, const std::string& key, double, double) {
    VREV_CHECK(j.is_string(), "config: '", key, "' must be a string, got ", j.dump());
    f = j.get<std::string>();
  }
  template <NamedEnum E>
  static void read_value(E& f, const Json& j, const std::string& key, double, double) {
    VREV_CHECK(j.is_string(), "config: '", key, "' must be one of ", names_of<E>(), ", got ", j.dump());
    f = parse_name<E>(j.get<std::string>(), "config: '" + key + "'");
  }
  template <class E>
  static void read_value(std::vector<E>& f, const Json& j, const std::string& key, double lo, double hi) {
    VREV_CHECK(j.is_array(), "config: '", key, "' must be a list, got ", j.dump());
    f.clear();
    for (size_t i = 0; i < j.size(); ++i) {
      E e{};
      read_value(e, j[i], key + "[" + std::to_string(i) + "]", lo, hi);
      f.push_back(e);
    }
  }
  const Json& json_;
  std::string path_;
  std::set<std::string> seen_;
};

// Writes the current values (the resolved record saved with a run).
class Writer {
 public:
  template <class F>
  void operator()(const F& field, const char* name, const char*, double = 0, double = 0) {
    json[name] = to_json(field);
  }
  template <class S>
  void section(const S& sub, const char* name, const char*) {
    Writer w;
    const_cast<S&>(sub).visit(w);
    json[name] = w.json;
  }
  void moved(const char*, const char*, const char*) {}
  Json json = Json::object();
};

// A setting's help as printed: an enum's valid names follow its declared help.
template <class F>
std::string full_help(const char* help) {
  if constexpr (NamedEnum<F>)
    return std::string(help) + " (one of: " + names_of<F>() + ")";
  else
    return help;
}

// One line per setting: key path, default value and help.
class HelpPrinter {
 public:
  explicit HelpPrinter(std::string prefix = "") : prefix_(std::move(prefix)) {}
  template <class F>
  void operator()(const F& field, const char* name, const char* help, double = 0, double = 0) {
    char line[512];
    std::snprintf(line, sizeof line, "  %-34s %-14s %s\n", join(prefix_, name).c_str(), to_json(field).dump().c_str(),
                  full_help<F>(help).c_str());
    text += line;
  }
  template <class S>
  void section(const S& sub, const char* name, const char* help) {
    text += "\n" + join(prefix_, name) + ": " + help + "\n";
    HelpPrinter p(join(prefix_, name));
    const_cast<S&>(sub).visit(p);
    text += p.text;
  }
  void moved(const char*, const char*, const char*) {}
  std::string text;

 private:
  std::string prefix_;
};

template <class S>
S read(const Json& json, const std::string& path = "") {
  S s;
  Reader r(json, path);
  s.visit(r);
  r.finish();
  return s;
}

template <class S>
Json write(const S& s) {
  Writer w;
  const_cast<S&>(s).visit(w);
  return w.json;
}

template <class S>
std::string help(const S& s) {
  HelpPrinter p;
  const_cast<S&>(s).visit(p);
  return p.text;
}

// One setting of a struct as declared: its value in `s` as text (an enum by name, a string bare)
// and its full help. For a command-line flag that sets the same thing as a config key, so the
// flag's default and help cannot drift from the config's.
struct Declaration {
  std::string value, help;
};

// Visits a struct's own settings (not its sections) and keeps the one called `key`.
class DeclarationFinder {
 public:
  explicit DeclarationFinder(std::string key) : key_(std::move(key)) {}
  template <class F>
  void operator()(const F& field, const char* name, const char* help, double = 0, double = 0) {
    if (key_ != name) return;
    const Json value = to_json(field);
    found = Declaration{value.is_string() ? value.get<std::string>() : value.dump(), full_help<F>(help)};
  }
  template <class S>
  void section(const S&, const char*, const char*) {}
  void moved(const char*, const char*, const char*) {}
  std::optional<Declaration> found;

 private:
  std::string key_;
};

template <class S>
Declaration declaration(const S& s, const std::string& key) {
  DeclarationFinder finder(key);
  const_cast<S&>(s).visit(finder);
  VREV_ASSERT(finder.found.has_value());
  return *finder.found;
}

// Applies "key.path=value" to a JSON object. The value is parsed as JSON when it parses
// (numbers, true/false, lists), else taken as a string. Unknown keys are caught later by read().
void apply_override(Json& json, const std::string& assignment);
Json parse_file(const std::string& path);  // error names the file and the parse position
Json parse_text(const std::string& text, const std::string& source);  // the same on text; `source` names it

}  // namespace vrev::settings
