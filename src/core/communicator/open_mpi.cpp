// The MPI build's communicator (-DVREV_MPI=ON): world() is MPI_COMM_WORLD, self() needs no MPI.
#include <mpi.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/communicator.h"
#include "core/error.h"

namespace vrev::comm {

namespace {

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(rc, text, &length);
  VREV_FAIL(what, " failed: ", std::string(text, length));
}

}  // namespace

// The world of a program that never started a Session (a test binary) is this process alone,
// and self() never needs MPI: both then run without it.
Communicator::Communicator(Scope scope) : scope_(scope) {
  int started = 0;
  MPI_Initialized(&started);
  if (scope == Scope::self || !started) {
    scope_ = Scope::self;
    return;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

const Communicator& Communicator::world() {
  static const Communicator c(Scope::world);
  return c;
}

const Communicator& Communicator::self() {
  static const Communicator c(Scope::self);
  return c;
}

void Communicator::barrier() const {
  if (scope_ == Scope::world) check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
}

void Communicator::allgather(const float* mine, size_t count, float* all) const {
  if (scope_ == Scope::self) {
    if (all != mine) std::memmove(all, mine, count * sizeof(float));
    return;
  }
  VREV_CHECK(count <= size_t(INT_MAX), "allgather of ", count, " floats: more than MPI's int count");
  const int n = static_cast<int>(count);
  check(MPI_Allgather(mine, n, MPI_FLOAT, all, n, MPI_FLOAT, MPI_COMM_WORLD), "MPI_Allgather");
}

// Only the main thread calls MPI (OpenMP's threads never do).
Session::Session(int& argc, char**& argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  // Errors come back as return codes, which check() turns into vrev::Error with MPI's text.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

Session::~Session() { MPI_Finalize(); }

void abort_job(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::abort();  // MPI_Abort does not return; this tells the compiler so
}

std::string backend() {
  char version[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  MPI_Get_library_version(version, &length);
  std::string text(version, length);
  const size_t end = text.find_first_of(",\n");
  return "MPI: " + text.substr(0, end);
}

}  // namespace vrev::comm
