#pragma once
// A store of finished phases by the hash of their inputs: <store>/<hash>/ holds a checkpoint
// directory's files. How a sweep trains a history once for all its points when only later
// settings vary (PhaseRun::store_dir). Entries are hard links where the file system allows (vrev
// replaces every file by rename, never writes one in place) and copies where not.
#include <string>

namespace vrev::experiment {

// The files of a checkpoint directory (no subdirectories) into `to`, replacing what is there.
void link_checkpoint_files(const std::string& from, const std::string& to);
// Links the stored phase `hash` into out_dir unless out_dir already holds it; false when the
// store has no such phase.
bool take_from_store(const std::string& store, const std::string& hash, const std::string& out_dir);
// A finished phase into the store, complete or not at all (a rename); a no-op when it is there.
void add_to_store(const std::string& store, const std::string& hash, const std::string& dir);

}  // namespace vrev::experiment
