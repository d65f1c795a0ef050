#pragma once
// The processes of one job and what they say to each other. A plain build has one process; a
// build with -DVREV_MPI=ON runs under mpirun, one process per rank (docs/mpi.md). Two users:
//   - vrev reproduce and vrev sweep share whole units (a seed's history, an arm) among the ranks
//     and meet at barriers;
//   - data-parallel training gathers every micro-shard's gradient to every rank (allgather), and
//     each rank adds them in shard order, so the sum has the same bits on any number of ranks.
// Only the main thread calls these.
#include <cstddef>
#include <string>

namespace vrev::comm {

class Communicator {
 public:
  // Every process of the job (MPI_COMM_WORLD); this process alone in a plain build.
  static const Communicator& world();
  // This process alone, whatever the job: the communicator of work a rank does by itself.
  static const Communicator& self();

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }

  // Returns once every rank has called it.
  void barrier() const;
  // Every rank's `count` floats, in rank order, into `all` (size() * count floats).
  void allgather(const float* mine, size_t count, float* all) const;

 private:
  enum class Scope { world, self };
  explicit Communicator(Scope scope);
  [[maybe_unused]] Scope scope_;  // read by the MPI build only
  int rank_ = 0, size_ = 1;
};

// Starts and ends the job's communication: one per process, in main, before any other call.
class Session {
 public:
  Session(int& argc, char**& argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
};

// Ends every rank of the job with `code`: how one rank's error stops ranks that wait on it at a
// barrier or a gather. Plain build: exits this process.
[[noreturn]] void abort_job(int code);

// "single process" or the MPI library's version, for vrev version.
std::string backend();

}  // namespace vrev::comm
