#include "log_capture.h"

#include <dlfcn.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <ostream>
#include <streambuf>

namespace gopher_addon {

namespace {

constexpr size_t kMaxQueuedLines = 10000;
constexpr size_t kMaxLineBytes = 8192;

thread_local std::vector<CapturedLine>* tl_sink = nullptr;
thread_local std::string tl_partial[2];

// std::cout, std::cerr, std::clog (clog shares cerr's line buffer and stream number).
std::ostream* g_streams[3] = {nullptr, nullptr, nullptr};
std::atomic<uint64_t> g_dropped{0};
std::atomic<bool> g_capturing{false};

// Deliberately never destroyed: at exit, pool threads may still be inside a validation that
// writes to the library's streams after static destructors have run.
std::mutex& g_queue_mutex = *new std::mutex();
std::vector<CapturedLine>& g_queue = *new std::vector<CapturedLine>();
bool g_drain_pending = false;
Napi::ThreadSafeFunction& g_tsfn = *new Napi::ThreadSafeFunction();
bool g_has_tsfn = false;
// Which sink g_tsfn is: its finalizer (run when the environment that made it goes away, e.g. a
// worker thread that set the logger exits) forgets it only if it is still the current one.
uint64_t g_tsfn_generation = 0;

void ForgetSink(Napi::Env, void*, uint64_t* generation) {
  {
    std::lock_guard<std::mutex> lock(g_queue_mutex);
    if (g_has_tsfn && g_tsfn_generation == *generation) {
      g_has_tsfn = false;
      g_drain_pending = false;
      g_queue.clear();
    }
  }
  delete generation;
}

void DeliverQueued(Napi::Env env, Napi::Function callback, uint64_t* generation) {
  std::vector<CapturedLine> lines;
  {
    std::lock_guard<std::mutex> lock(g_queue_mutex);
    // A drain queued for a sink since replaced: the queue now holds the new sink's lines.
    bool current = g_has_tsfn && g_tsfn_generation == *generation;
    delete generation;
    if (!current) return;
    lines.swap(g_queue);
    g_drain_pending = false;
  }
  if (env == nullptr || callback.IsEmpty() || lines.empty()) return;
  Napi::Array array = Napi::Array::New(env, lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    Napi::Object line = Napi::Object::New(env);
    line.Set("stream", Napi::Number::New(env, lines[i].stream));
    line.Set("text", Napi::String::New(env, lines[i].text));
    array.Set(static_cast<uint32_t>(i), line);
  }
  callback.Call({array});
}

void Enqueue(CapturedLine line) {
  std::lock_guard<std::mutex> lock(g_queue_mutex);
  if (!g_has_tsfn || g_queue.size() >= kMaxQueuedLines) {
    g_dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  g_queue.push_back(std::move(line));
  if (!g_drain_pending) {
    g_drain_pending = true;
    auto* generation = new uint64_t(g_tsfn_generation);
    if (g_tsfn.NonBlockingCall(generation, DeliverQueued) != napi_ok) {
      delete generation;
      g_drain_pending = false;
    }
  }
}

void EmitLine(int stream, std::string&& text) {
  if (!text.empty() && text.back() == '\r') text.pop_back();
  if (tl_sink != nullptr) {
    tl_sink->push_back(CapturedLine{stream, std::move(text)});
  } else {
    Enqueue(CapturedLine{stream, std::move(text)});
  }
}

void FlushPartial(int stream) {
  std::string& partial = tl_partial[stream - 1];
  if (partial.empty()) return;
  std::string text;
  text.swap(partial);
  EmitLine(stream, std::move(text));
}

// No put area: every write reaches xsputn/overflow, which only touch thread-local state, so
// concurrent writers on the pool threads never share a buffer.
class LineBuffer : public std::streambuf {
 public:
  explicit LineBuffer(int stream) : stream_(stream) {}

 protected:
  int_type overflow(int_type ch) override {
    if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
    char c = traits_type::to_char_type(ch);
    Append(&c, 1);
    return ch;
  }

  std::streamsize xsputn(const char* data, std::streamsize count) override {
    Append(data, static_cast<size_t>(count));
    return count;
  }

  int sync() override { return 0; }

 private:
  void Append(const char* data, size_t count) {
    // A writer that got past the stream's state check just before capture was switched off.
    if (!g_capturing.load(std::memory_order_relaxed)) return;
    std::string& partial = tl_partial[stream_ - 1];
    while (count > 0) {
      const void* newline = std::memchr(data, '\n', count);
      size_t take = newline != nullptr ? static_cast<size_t>(static_cast<const char*>(newline) - data)
                                       : count;
      if (partial.size() < kMaxLineBytes) partial.append(data, std::min(take, kMaxLineBytes - partial.size()));
      if (newline == nullptr) return;
      std::string text;
      text.swap(partial);
      EmitLine(stream_, std::move(text));
      data += take + 1;
      count -= take + 1;
    }
  }

  int stream_;
};

LineBuffer* const g_buffers = new LineBuffer[2]{LineBuffer(1), LineBuffer(2)};  // never destroyed, see above

std::ostream* LocateStream(void* scope, const char* symbol) {
  void* address = dlsym(scope, symbol);
  if (address == nullptr) return nullptr;
  // An ostream that was never constructed (the copy-relocation case before the loader's repair)
  // is all zero bytes, vtable pointer included.
  void* vptr = nullptr;
  std::memcpy(&vptr, address, sizeof vptr);
  if (vptr == nullptr) return nullptr;
  return static_cast<std::ostream*>(address);
}

}  // namespace

LineSinkScope::LineSinkScope(std::vector<CapturedLine>* sink) : previous_(tl_sink) { tl_sink = sink; }

LineSinkScope::~LineSinkScope() {
  FlushPartial(1);
  FlushPartial(2);
  tl_sink = previous_;
}

CaptureStatus LocateStreams(void* library_handle, bool deep) {
  void* scope = deep ? library_handle : RTLD_DEFAULT;
  g_streams[0] = LocateStream(scope, "_ZSt4cout");
  g_streams[1] = LocateStream(scope, "_ZSt4cerr");
  g_streams[2] = LocateStream(scope, "_ZSt4clog");
  CaptureStatus status;
  status.separate_from_process = g_streams[0] != nullptr && g_streams[0] != dlsym(RTLD_DEFAULT, "_ZSt4cout");
  status.cout_found = g_streams[0] != nullptr;
  status.cerr_found = g_streams[1] != nullptr;
  if (!status.cout_found || !status.cerr_found) {
    status.reason = "the library's std::cout/std::cerr are missing or not constructed yet";
  }
  return status;
}

bool SetCaptureMode(Napi::Env env, bool capture, Napi::Function sink, std::string& error) {
  if (g_streams[0] == nullptr || g_streams[1] == nullptr) {
    error = "the library's std::cout/std::cerr were not located";
    return false;
  }
  {
    std::lock_guard<std::mutex> lock(g_queue_mutex);
    if (g_has_tsfn) {
      g_tsfn.Release();
      g_has_tsfn = false;
    }
    if (capture && !sink.IsEmpty()) {
      uint64_t generation = ++g_tsfn_generation;
      g_tsfn = Napi::ThreadSafeFunction::New(env, sink, "gopher-auth-native-log", 0, 1, new uint64_t(generation), ForgetSink,
                                             static_cast<void*>(nullptr));
      g_tsfn.Unref(env);
      g_has_tsfn = true;
    }
    g_drain_pending = false;
    g_queue.clear();
  }
  g_capturing.store(capture);
  ReapplyCaptureMode();
  return true;
}

void ReapplyCaptureMode() {
  bool capture = g_capturing.load();
  for (int i = 0; i < 3; ++i) {
    std::ostream* stream = g_streams[i];
    if (stream == nullptr) continue;
    // Our buffer stays installed for good: swapping the buffer pointer while a pool thread is in
    // the middle of a write crashed it. Dropping is badbit (the library's `<<` then returns before
    // formatting anything); capturing clears it. rdbuf(buffer) itself clears the state.
    LineBuffer* buffer = &g_buffers[i == 0 ? 0 : 1];
    if (stream->rdbuf() != buffer) stream->rdbuf(buffer);
    if (capture) {
      stream->clear();
    } else {
      stream->setstate(std::ios_base::badbit);
    }
  }
}

uint64_t DroppedLineCount() { return g_dropped.load(std::memory_order_relaxed); }

}  // namespace gopher_addon
