#include "background.h"

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <cstdlib>
#include <mutex>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace gopher_addon {

namespace {

std::atomic<int> g_levels{0};

// Never destroyed: helpers may still be running when static destructors run at exit.
std::mutex& g_ids_mutex = *new std::mutex();
std::vector<int64_t>& g_ids = *new std::vector<int64_t>();
// Each helper's nice value before it lowered itself, so a later SetBackgroundNice reaches it too.
std::vector<int>& g_base_nice = *new std::vector<int>();

#if defined(__linux__)
std::mutex& g_queue_mutex = *new std::mutex();
std::condition_variable& g_queue_ready = *new std::condition_variable();
std::deque<BackgroundJob*>& g_queue = *new std::deque<BackgroundJob*>();
// Helpers started (under g_queue_mutex); g_started_all once the start was attempted.
int g_helpers = 0;
bool g_started_all = false;
// Jobs helpers are running (under g_queue_mutex), and whether the process is exiting.
int g_running = 0;
bool g_exiting = false;
std::condition_variable& g_all_idle = *new std::condition_variable();

// At exit (process.exit(), or the end of main): the library's static destructors run after this,
// so no helper may be inside it by then. Jobs not started are dropped (their promises cannot settle
// any more); the ones running finish first, a batch at most each.
void StopHelpersAtExit() {
  std::unique_lock<std::mutex> lock(g_queue_mutex);
  g_exiting = true;
  g_queue.clear();
  g_all_idle.wait(lock, [] { return g_running == 0; });
}

void* HelperMain(void*) {
  const pid_t tid = static_cast<pid_t>(syscall(SYS_gettid));
  // Named for `top -H`, gdb and /proc/<pid>/task/<tid>/comm (at most 15 characters).
  pthread_setname_np(pthread_self(), "gopher-validate");
  // On Linux (NPTL) the nice value is per thread: this lowers the helper only.
  errno = 0;
  int current = getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
  if (errno == 0) {
    std::lock_guard<std::mutex> lock(g_ids_mutex);
    int levels = g_levels.load();
    setpriority(PRIO_PROCESS, static_cast<id_t>(tid), current + levels > 19 ? 19 : current + levels);
    g_ids.push_back(tid);
    g_base_nice.push_back(current);
  }
  std::unique_lock<std::mutex> lock(g_queue_mutex);
  for (;;) {
    g_queue_ready.wait(lock, [] { return !g_queue.empty() && !g_exiting; });
    BackgroundJob* job = g_queue.front();
    g_queue.pop_front();
    ++g_running;
    lock.unlock();
    // The addon is built without C++ exceptions: nothing is thrown here.
    job->Run();
    job->Finished();
    lock.lock();
    if (--g_running == 0 && g_exiting) g_all_idle.notify_all();
  }
  return nullptr;
}

int CpusAvailable() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int count = CPU_COUNT(&set);
    if (count > 0) return count;
  }
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? static_cast<int>(online) : 1;
}

bool StartHelper() {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return false;
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  // The same stack size as libuv's pool threads (8 MiB), where the library's calls ran before.
  pthread_attr_setstacksize(&attr, 8u << 20);
  pthread_t thread;
  int rc = pthread_create(&thread, &attr, HelperMain, nullptr);
  pthread_attr_destroy(&attr);
  return rc == 0;
}

// Starts the helpers on first use (called with g_queue_mutex held); whether any is running.
bool EnsureHelpers() {
  if (!g_started_all) {
    g_started_all = true;
    // Registered after the library was loaded (and its destructors with it), so it runs before them.
    atexit(StopHelpersAtExit);
    const int wanted = CpusAvailable();
    for (int i = 0; i < wanted; ++i) {
      if (StartHelper()) ++g_helpers;
    }
  }
  return g_helpers > 0;
}
#endif

}  // namespace

void SetBackgroundNice(int levels) {
#if defined(__linux__)
  levels = levels < 0 ? 0 : (levels > 19 ? 19 : levels);
  std::lock_guard<std::mutex> lock(g_ids_mutex);
  g_levels.store(levels);
  // Helpers already running follow (at 0 they are not used; they keep their last level).
  if (levels > 0) {
    for (size_t i = 0; i < g_ids.size(); ++i) {
      int target = g_base_nice[i] + levels > 19 ? 19 : g_base_nice[i] + levels;
      setpriority(PRIO_PROCESS, static_cast<id_t>(g_ids[i]), target);
    }
  }
#else
  (void)levels;
#endif
}

int BackgroundNice() { return g_levels.load(); }

bool QueueInBackground(BackgroundJob* job) {
#if defined(__linux__)
  if (g_levels.load() > 0) {
    std::lock_guard<std::mutex> lock(g_queue_mutex);
    if (EnsureHelpers() && !g_exiting) {
      g_queue.push_back(job);
      g_queue_ready.notify_one();
      return true;
    }
  }
#else
  (void)job;
#endif
  return false;
}

std::vector<int64_t> BackgroundThreadIds() {
  std::lock_guard<std::mutex> lock(g_ids_mutex);
  return g_ids;
}

}  // namespace gopher_addon
