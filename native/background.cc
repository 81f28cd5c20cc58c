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
// One queued task; lives on the stack of the pool thread waiting for it.
struct Task {
  const std::function<void()>* run;
  std::condition_variable finished;
  bool done = false;
};

std::mutex& g_queue_mutex = *new std::mutex();
std::condition_variable& g_queue_ready = *new std::condition_variable();
std::deque<Task*>& g_queue = *new std::deque<Task*>();
// Helpers started (under g_queue_mutex); g_started_all once the start was attempted.
int g_helpers = 0;
bool g_started_all = false;

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
    g_queue_ready.wait(lock, [] { return !g_queue.empty(); });
    Task* task = g_queue.front();
    g_queue.pop_front();
    lock.unlock();
    (*task->run)();  // the addon is built without C++ exceptions: nothing is thrown here
    lock.lock();
    task->done = true;
    // Under the lock: the waiting thread cannot see `done` and leave (ending `task`) before this returns.
    task->finished.notify_one();
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

// libuv's pool size (it reads the same variable once, default 4, at most 1024): no more batches than
// that can be waiting for helpers at once, so more helpers than that would never all be busy.
int PoolThreads() {
  const char* configured = getenv("UV_THREADPOOL_SIZE");
  int threads = configured != nullptr ? atoi(configured) : 0;
  if (threads <= 0) threads = 4;
  return threads > 1024 ? 1024 : threads;
}

bool StartHelper() {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return false;
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  // The same stack size as libuv's pool threads (8 MiB): the library's work runs here instead.
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
    const int cpus = CpusAvailable();
    const int pool = PoolThreads();
    const int wanted = cpus < pool ? cpus : pool;
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

void RunInBackground(const std::function<void()>& task) {
#if defined(__linux__)
  if (g_levels.load() > 0) {
    std::unique_lock<std::mutex> lock(g_queue_mutex);
    if (EnsureHelpers()) {
      Task queued;
      queued.run = &task;
      g_queue.push_back(&queued);
      g_queue_ready.notify_one();
      queued.finished.wait(lock, [&queued] { return queued.done; });
      return;
    }
  }
#endif
  task();
}

std::vector<int64_t> BackgroundThreadIds() {
  std::lock_guard<std::mutex> lock(g_ids_mutex);
  return g_ids;
}

}  // namespace gopher_addon
