// Digests of a reproduce run's results, and the published ones they are checked against.
#include "experiment/result_digest.h"

#include <filesystem>

#include "core/error.h"
#include "core/io.h"
#include "experiment/digests_json.h"
#include "experiment/run_layout.h"
#include "experiment/summary.h"

namespace vrev::experiment {

namespace {

std::string sha256_text(const std::string& text) { return io::sha256_hex(text.data(), text.size()); }

settings::Json read_json(const std::string& path, const std::string& run_dir) {
  VREV_CHECK(std::filesystem::exists(path), run_dir, " is not a finished vrev reproduce run: it has no ",
             std::filesystem::path(path).filename().string());
  return settings::parse_file(path);
}

}  // namespace

RunDigest digest_run(const std::string& run_dir) {
  const RunLayout layout(run_dir);
  settings::Json config = read_json(layout.config(), run_dir);
  if (config.contains("kernels")) {
    config["kernels"].erase("isa");
    config["kernels"].erase("device");
  }
  settings::Json summary = read_json(layout.summary(), run_dir);
  summary.erase(kWallSecondsKey);
  summary.erase(kTrainingSecondsKey);
  VREV_CHECK(std::filesystem::exists(layout.table()), run_dir,
             " is not a finished vrev reproduce run: it has no table.csv");
  // The keys keep the order vrev wrote them in (its declaration order): the digest follows the values
  // in that order.
  return {sha256_text(config.dump()), io::sha256_file(layout.table()), sha256_text(summary.dump())};
}

std::vector<PublishedDigest> published_digests() {
  const settings::Json file = settings::Json::parse(kPublishedDigests);
  std::vector<PublishedDigest> out;
  for (const settings::Json& e : file.at("published"))
    out.push_back({e["name"], e["config"], {e["settings"], e["table"], e["summary"]}});
  return out;
}

std::optional<PublishedDigest> published_for(const std::string& settings_sha256) {
  for (PublishedDigest& p : published_digests())
    if (p.digest.settings == settings_sha256) return p;
  return std::nullopt;
}

namespace {

DigestMatch match(const RunDigest& run, const std::optional<PublishedDigest>& published) {
  if (!published) return DigestMatch::unpublished;
  return published->digest.table == run.table && published->digest.summary == run.summary ? DigestMatch::matches
                                                                                           : DigestMatch::differs;
}

}  // namespace

DigestMatch match_published(const RunDigest& run) { return match(run, published_for(run.settings)); }

std::string digest_lines(const RunDigest& run) {
  std::string out = "digest (SHA-256): table.csv " + run.table + "\n" +
                    "                  summary.json " + run.summary + " (without its times)\n";
  const std::optional<PublishedDigest> p = published_for(run.settings);
  switch (match(run, p)) {
    case DigestMatch::matches:
      return out + "matches the published result bit for bit (" + p->name + ": " + p->config + ")\n";
    case DigestMatch::differs:
      return out + "differs from the published result (" + p->name + ": " + p->config +
             "; see vrev compare against a published run, docs/determinism.md)\n";
    case DigestMatch::unpublished: break;
  }
  return out + "no published result has these settings (configs/digests.json lists the published runs: vrev "
               "digest --json prints an entry)\n";
}

settings::Json to_json(const RunDigest& d) {
  return {{"settings", d.settings}, {"table", d.table}, {"summary", d.summary}};
}

}  // namespace vrev::experiment
