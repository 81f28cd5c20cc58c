// Validation threads below the event loop's priority. A libuv pool thread that runs a batch of
// validations puts it on a queue served by a fixed set of helper threads (one per CPU this process
// may run on, at most one per libuv pool thread; started on first use with a raised nice value) and
// sleeps until its batch is done: the pool thread stays where libuv expects it (so completion,
// lifetimes and reference counting are unchanged) while the CPU work runs at a priority the event
// loop's thread preempts. With more batches out than there are helpers, a helper that finishes one
// starts the next at once instead of waiting for the event loop to hand one out. Linux only:
// elsewhere the nice value belongs to the process, and the work runs in place.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace gopher_addon {

// How many nice levels below the calling thread helpers run (0: no helpers, work runs in place).
void SetBackgroundNice(int levels);
int BackgroundNice();

// Runs `task` on a helper, in the order tasks were queued, and returns when it has finished; in
// place when helpers are off or none could start.
void RunInBackground(const std::function<void()>& task);

// Kernel thread ids of the helpers started so far (named "gopher-validate"), for stats and tests.
std::vector<int64_t> BackgroundThreadIds();

}  // namespace gopher_addon
