#pragma once
// The bits of a reproduce run made visible: the SHA-256 of its settings, of table.csv and of
// summary.json without its times, and whether they match a published result (configs/digests.json,
// built into vrev). Two runs of the same settings give the same digests on every machine, thread
// count and instruction set (docs/determinism.md), so a match says the run reproduced the
// published numbers exactly.
#include <optional>
#include <string>
#include <vector>

#include "core/settings.h"

namespace vrev::experiment {

struct RunDigest {
  std::string settings;  // config.json without kernels.isa and kernels.device, the settings that cannot change a bit
  std::string table;     // table.csv as written
  std::string summary;   // summary.json without wall_seconds and training_seconds
};

// The digests of a finished reproduce run directory.
RunDigest digest_run(const std::string& run_dir);

struct PublishedDigest {
  std::string name;    // e.g. "main track"
  std::string config;  // the config file and flags that give these settings
  RunDigest digest;
};

// configs/digests.json as vrev was built with it.
std::vector<PublishedDigest> published_digests();
// The published result with these settings, if the repository holds one.
std::optional<PublishedDigest> published_for(const std::string& settings_sha256);

enum class DigestMatch { matches, differs, unpublished };
DigestMatch match_published(const RunDigest& run);

// Three lines for a user: the two result digests, then whether they match the published result.
std::string digest_lines(const RunDigest& run);

settings::Json to_json(const RunDigest& d);

}  // namespace vrev::experiment
