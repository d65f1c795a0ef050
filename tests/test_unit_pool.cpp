// The unit pool behind vrev reproduce --jobs: every unit once, each worker on its share of the
// threads (growing as other workers run out of units), and the first error stops the pool and
// comes back to the caller.
#include <catch2/catch.hpp>
#include <atomic>
#include <chrono>
#include <mutex>
#include <omp.h>
#include <set>
#include <stdexcept>
#include <thread>

#include "experiment/unit_pool.h"
#include "kernels/cpu/kernels.h"

using vrev::experiment::run_units;

TEST_CASE("run_units: every unit once, threads split among the workers and freed ones taken up, the first error rethrown", "[jobs]") {
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
    // One job keeps the caller's setting; several share the 4 threads, at least one each (a unit
    // started as another worker finds the queue empty may already get more).
    if (jobs == 2) CHECK(team_sizes.count(2) == 1);
    if (jobs >= 4) CHECK(team_sizes.count(1) == 1);
    for (const int n : team_sizes) CHECK(n <= 4);
  }

  // Two workers, two units: the quick unit's worker then finds no unit left, and the slow unit,
  // following its share as the phase runner does every step, goes from 2 threads to all 4.
  std::atomic<int> slow_started_with{0}, slow_ended_with{0};
  run_units({0, 1}, 2, 4, [&](int unit) {
    if (unit == 0) return;
    slow_started_with = omp_get_max_threads();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (omp_get_max_threads() != 4 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      vrev::kernels::cpu::follow_thread_share();
    }
    slow_ended_with = omp_get_max_threads();
  });
  CHECK(slow_started_with <= 2);
  CHECK(slow_ended_with == 4);

  // The first unit fails at once; the others take a while, so the failure is on record before
  // the other worker, busy with its first unit, could take a second.
  std::atomic<int> started{0};
  auto fail_on_first = [&](int unit) {
    ++started;
    if (unit == 3) throw std::runtime_error("unit 3 failed");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  };
  CHECK_THROWS_WITH(run_units(units, 1, 2, fail_on_first), "unit 3 failed");
  CHECK(started == 1);  // serially, nothing after the failing unit
  started = 0;
  CHECK_THROWS_WITH(run_units(units, 2, 2, fail_on_first), "unit 3 failed");
  CHECK(started <= 2);  // the other worker may have started one unit; none starts after the error
  CHECK_THROWS_WITH(run_units(units, 0, 2, fail_on_first), Catch::Contains("--jobs must be >= 1"));
}
