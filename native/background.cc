#include "background.h"

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <mutex>

#if defined(__linux__)
#include <pthread.h>
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
struct Helper {
  std::mutex mutex;
  std::condition_variable wake;
  const std::function<void()>* task = nullptr;
  bool done = false;
};

// One helper per pool thread, never freed (see above). Null until first use; kStartFailed after a
// failed start, so that thread keeps running its work in place.
thread_local Helper* tl_helper = nullptr;
Helper* const kStartFailed = reinterpret_cast<Helper*>(1);

void* HelperMain(void* arg) {
  auto* helper = static_cast<Helper*>(arg);
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
  std::unique_lock<std::mutex> lock(helper->mutex);
  for (;;) {
    helper->wake.wait(lock, [helper] { return helper->task != nullptr; });
    const std::function<void()>* task = helper->task;
    lock.unlock();
    (*task)();
    lock.lock();
    helper->task = nullptr;
    helper->done = true;
    helper->wake.notify_all();
  }
  return nullptr;
}

Helper* StartHelper() {
  auto* helper = new Helper();
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) {
    delete helper;
    return kStartFailed;
  }
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  // The same stack size as libuv's pool threads (8 MiB): the library's work runs here instead.
  pthread_attr_setstacksize(&attr, 8u << 20);
  pthread_t thread;
  int rc = pthread_create(&thread, &attr, HelperMain, helper);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    delete helper;
    return kStartFailed;
  }
  return helper;
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
  int levels = g_levels.load();
  if (levels > 0 && tl_helper == nullptr) tl_helper = StartHelper();
  Helper* helper = tl_helper;
  if (levels > 0 && helper != nullptr && helper != kStartFailed) {
    std::unique_lock<std::mutex> lock(helper->mutex);
    helper->done = false;
    helper->task = &task;
    helper->wake.notify_all();
    helper->wake.wait(lock, [helper] { return helper->done; });
    return;
  }
#endif
  task();
}

std::vector<int64_t> BackgroundThreadIds() {
  std::lock_guard<std::mutex> lock(g_ids_mutex);
  return g_ids;
}

}  // namespace gopher_addon
