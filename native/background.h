// Validation threads below the event loop's priority. A batch of validations goes onto one queue
// served by a fixed set of helper threads (one per CPU this process may run on; started on first use
// with a raised nice value): the CPU work runs at a priority the event loop's thread preempts, and no
// libuv pool thread is held while it runs, so the process's file system, DNS and crypto callbacks
// never wait behind validations. With more batches out than there are helpers, a helper that
// finishes one starts the next at once. Linux only: elsewhere the nice value belongs to the process,
// and batches run on the libuv pool instead.
#pragma once

#include <cstdint>
#include <vector>

namespace gopher_addon {

// One piece of work for a helper: Run, then Finished, both on that helper, one after the other.
// Finished hands the result on (and usually deletes the job); nothing touches the job after it.
class BackgroundJob {
 public:
  virtual ~BackgroundJob() = default;
  virtual void Run() = 0;
  virtual void Finished() = 0;
};

// How many nice levels below the calling thread helpers run (0: no helpers).
void SetBackgroundNice(int levels);
int BackgroundNice();

// Queues `job` for the helpers, in order, and returns true; false (the job untouched) when helpers
// are off or none could start, so the caller runs it some other way.
bool QueueInBackground(BackgroundJob* job);

// Kernel thread ids of the helpers started so far (named "gopher-validate"), for stats and tests.
std::vector<int64_t> BackgroundThreadIds();

}  // namespace gopher_addon
