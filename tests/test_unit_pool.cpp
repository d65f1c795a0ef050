// The unit pool behind vrev reproduce --jobs: every unit once, each worker on its share of the
// threads, and the first error stops the pool and comes back to the caller.
#include <catch2/catch.hpp>
#include <atomic>
#include <mutex>
#include <omp.h>
#include <set>
#include <stdexcept>

#include "experiment/unit_pool.h"

using vrev::experiment::run_units;

TEST_CASE("run_units: every unit once, threads split among the workers, the first error rethrown", "[jobs]") {
  const std::vector<int> units = {3, 5, 8, 13, 21, 34, 55};
  for (const int jobs : {1, 2, 3, 16}) {
    INFO("jobs " << jobs);
    std::mutex m;
    std::multiset<int> ran;
    std::set<int> team_sizes;
    run_units(units, jobs, 4, [&](int unit) {
      const std::lock_guard<std::mutex> lock(m);
      ran.insert(unit);
      team_sizes.insert(omp_get_max_threads());
    });
    CHECK(ran == std::multiset<int>(units.begin(), units.end()));
    // One job keeps the caller's setting; several share the 4 threads, at least one each.
    if (jobs == 2) CHECK(team_sizes == std::set<int>{2});
    if (jobs >= 4) CHECK(team_sizes == std::set<int>{1});
  }

  std::atomic<int> started{0};
  auto fail_on_first = [&](int unit) {
    ++started;
    if (unit == 3) throw std::runtime_error("unit 3 failed");
  };
  CHECK_THROWS_WITH(run_units(units, 1, 2, fail_on_first), "unit 3 failed");
  CHECK(started == 1);  // serially, nothing after the failing unit
  started = 0;
  CHECK_THROWS_WITH(run_units(units, 2, 2, fail_on_first), "unit 3 failed");
  CHECK(started <= 2);  // the other worker may have started one unit; none starts after the error
  CHECK_THROWS_WITH(run_units(units, 0, 2, fail_on_first), Catch::Contains("--jobs must be >= 1"));
}
