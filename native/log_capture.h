// Captures what libgopher-orch writes to std::cout / std::cerr. Each thread assembles its own lines;
// complete lines go to the sink of the validation running on that thread (returned with its result)
// or, outside a validation, to a queue drained into a JS callback through a thread-safe function.
#pragma once

#include <napi.h>

#include <string>
#include <vector>

namespace gopher_addon {

struct CapturedLine {
  int stream;  // 1 = std::cout, 2 = std::cerr
  std::string text;
};

// Routes complete lines written on the current thread into `sink` while in scope (one validation).
class LineSinkScope {
 public:
  explicit LineSinkScope(std::vector<CapturedLine>* sink);
  ~LineSinkScope();
  LineSinkScope(const LineSinkScope&) = delete;
  LineSinkScope& operator=(const LineSinkScope&) = delete;

 private:
  std::vector<CapturedLine>* previous_;
};

struct CaptureStatus {
  bool cout_found = false;
  bool cerr_found = false;
  // The library writes to other stream objects than Node's own (a non-PIE node copy-relocated them).
  bool separate_from_process = false;
  std::string reason;
};

// Finds the std::cout/std::cerr objects the library writes to: with `deep` the ones inside
// libstdc++ (resolved through the library's own scope), else the process-global ones.
CaptureStatus LocateStreams(void* library_handle, bool deep);

// mode "capture": lines are kept (attributed or queued for `sink`); "drop": the streams get badbit,
// so the library skips formatting entirely. `sink` may be empty. Safe while validations run: the
// buffer is never swapped out, and a line written across the switch is dropped. The sink is
// forgotten when the environment that set it goes away (a worker thread exiting).

bool SetCaptureMode(Napi::Env env, bool capture, Napi::Function sink, std::string& error);

// Puts the streams back into the mode last set (another thread's loader may have set badbit on them
// since: it mutes them on every load, not knowing the addon captures them).
void ReapplyCaptureMode();

uint64_t DroppedLineCount();

}  // namespace gopher_addon
