// Validation threads below the event loop's priority. Each libuv pool thread that runs a batch of
// validations hands it to a helper thread of its own, started on first use with a raised nice value, and sleeps
// until it is done: the pool thread stays where libuv expects it (so completion, lifetimes and
// reference counting are unchanged) while the CPU work runs at a priority the event loop's thread
// preempts. Linux only: elsewhere the nice value belongs to the process, and the work runs in place.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace gopher_addon {

// How many nice levels below the calling thread helpers run (0: no helpers, work runs in place).
void SetBackgroundNice(int levels);
int BackgroundNice();

// Runs `task` on this thread's helper and returns when it has finished; in place when helpers are
// off or cannot start.
void RunInBackground(const std::function<void()>& task);

// Kernel thread ids of the helpers started so far (named "gopher-validate"), for stats and tests.
std::vector<int64_t> BackgroundThreadIds();

}  // namespace gopher_addon
