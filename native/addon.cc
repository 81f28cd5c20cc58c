// gopher-auth native addon: validation on the libuv pool, addon-owned client lifetimes and capture
// of the library's std::cout/std::cerr. It attaches to the libgopher-orch that koffi loaded.
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "background.h"
#include "handle_table.h"
#include "key_cache.h"
#include "library.h"
#include "log_capture.h"
#include "validation.h"

namespace gopher_addon {

namespace {

struct AddonState {
  Library library;
  std::unique_ptr<HandleTable> handles;
  ValidationCounters counters;
  CaptureStatus capture;
  KeyCacheStatus key_cache;
  bool deep = false;
};

// Process-wide: the library and its handles are process-wide too. Every thread's JS attaches;
// the first one sets it up. Never destroyed (pool threads may outlive static destructors).
AddonState* g_state = nullptr;
std::mutex& g_attach_mutex = *new std::mutex();

// The library's init/shutdown are process-wide and shutdown is not reference-counted, so the count
// of holders (clients, explicit inits) of every thread lives here, where all threads see it.
std::mutex& g_runtime_mutex = *new std::mutex();
int64_t g_runtime_holders = 0;
// Holds per environment (thread), so a worker thread torn down with holds still counted (terminated,
// or ended without destroying its clients) gives them back.
std::unordered_map<const void*, int64_t>& g_env_holders = *new std::unordered_map<const void*, int64_t>();
std::unordered_set<const void*>& g_hooked_envs = *new std::unordered_set<const void*>();

// A worker thread's environment is going away: free what it adopted and release what it held.
void CleanupWorkerEnv(void* env) {
  if (g_state != nullptr) g_state->handles->DestroyOwnedBy(env);
  std::lock_guard<std::mutex> lock(g_runtime_mutex);
  g_hooked_envs.erase(env);
  auto it = g_env_holders.find(env);
  if (it == g_env_holders.end()) return;
  int64_t held = it->second;
  g_env_holders.erase(it);
  if (held <= 0 || g_runtime_holders <= 0) return;
  g_runtime_holders -= std::min(held, g_runtime_holders);
  if (g_runtime_holders == 0 && g_state != nullptr && g_state->library.shutdown != nullptr) g_state->library.shutdown();
}

Napi::Value ThrowError(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  error.ThrowAsJavaScriptException();
  return env.Undefined();
}

bool RequireAttached(Napi::Env env) {
  if (g_state != nullptr) return true;
  ThrowError(env, "ERR_GOPHER_ADDON_NOT_ATTACHED", "the addon is not attached to libgopher-orch");
  return false;
}

struct Mailbox;

// Per JS thread (environment): the one answer every valid token gets, built once and frozen, and
// the promise that never settles (see NewPromise), made when the addon is loaded there.
struct EnvData {
  Napi::ObjectReference valid_result;
  Napi::Reference<Napi::Promise> never_settles;
  Mailbox* mailbox = nullptr;  // made at the first batch sent to the helpers
};

EnvData* GetEnvData(Napi::Env env) {
  auto* data = env.GetInstanceData<EnvData>();
  if (data == nullptr) {
    data = new EnvData();
    env.SetInstanceData(data);
  }
  return data;
}

// A new promise for an async call, or (false) the environment's promise that never settles.
// Once a worker thread is told to stop (worker.terminate()), its JS keeps running until V8 acts on
// the termination, but N-API refuses to make promises (napi_create_promise: napi_pending_exception).
// Napi::Promise::Deferred ignores that and keeps an uninitialized napi_value, which, returned from
// validate/validateBatch, V8 dereferenced: SIGSEGV in FunctionCallbackWrapper::Invoke (or a V8 fatal
// error) while the pool still ran the thread's earlier batches. That thread is going away, so its
// call is dropped: the lease is given back and no work is queued.
bool NewPromise(Napi::Env env, napi_deferred* deferred, Napi::Value* promise) {
  napi_value value = nullptr;
  if (napi_create_promise(env, deferred, &value) == napi_ok) {
    *promise = Napi::Value(env, value);
    return true;
  }
  EnvData* data = GetEnvData(env);
  *promise = data->never_settles.IsEmpty() ? env.Undefined() : Napi::Value(data->never_settles.Value());
  return false;
}

// Async calls on a destroyed client answer with a rejected promise, as the sync ones throw.
Napi::Value RejectedDestroyed(Napi::Env env) {
  napi_deferred deferred = nullptr;
  Napi::Value promise;
  if (!NewPromise(env, &deferred, &promise)) return promise;
  Napi::Error error = Napi::Error::New(env, "the client was destroyed");
  error.Set("code", Napi::String::New(env, "ERR_GOPHER_ADDON_DESTROYED"));
  napi_reject_deferred(env, deferred, error.Value());
  return promise;
}

Napi::Value ValidResult(Napi::Env env) {
  EnvData* data = GetEnvData(env);
  if (data->valid_result.IsEmpty()) {
    Napi::Object result = Napi::Object::New(env);
    result.Set("rc", Napi::Number::New(env, 0));
    result.Set("valid", Napi::Boolean::New(env, true));
    result.Set("code", Napi::Number::New(env, 0));
    result.Set("message", env.Null());
    result.Freeze();
    data->valid_result = Napi::Persistent(result);
  }
  return data->valid_result.Value();
}

Napi::Value ResultToJs(Napi::Env env, ValidationOutput& output) {
  // Most answers are "valid": one shared frozen object instead of four property writes each.
  if (output.valid && output.rc == 0 && output.code == 0 && !output.has_message && output.lines.empty()) {
    return ValidResult(env);
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("rc", Napi::Number::New(env, output.rc));
  result.Set("valid", Napi::Boolean::New(env, output.valid));
  result.Set("code", Napi::Number::New(env, output.code));
  result.Set("message", output.has_message ? Napi::Value(Napi::String::New(env, output.message)) : env.Null());
  if (!output.lines.empty()) {
    Napi::Array lines = Napi::Array::New(env, output.lines.size());
    for (size_t i = 0; i < output.lines.size(); ++i) {
      Napi::Object line = Napi::Object::New(env);
      line.Set("stream", Napi::Number::New(env, output.lines[i].stream));
      line.Set("text", Napi::String::New(env, output.lines[i].text));
      lines.Set(static_cast<uint32_t>(i), line);
    }
    result.Set("lines", lines);
  }
  return result;
}

// (id, token, scopes, audience, clockSkew) → input; throws TypeError on bad arguments.
// A handle id as JS holds it: a positive safe integer. Anything else (1.5, Infinity, 1e300) names
// no handle (0), instead of being truncated onto another one or cast with undefined behaviour.
uint64_t HandleId(const Napi::Value& value) {
  if (!value.IsNumber()) return 0;
  double raw = value.As<Napi::Number>().DoubleValue();
  if (!(raw >= 1 && raw <= 9007199254740991.0) || std::floor(raw) != raw) return 0;
  return static_cast<uint64_t>(raw);
}

// Seconds of skew, kept where the library's exp + skew cannot overflow (about 30 years at most).
int64_t ClockSkew(const Napi::Value& value) {
  constexpr double kMaxSkew = 1e9;
  double raw = value.As<Napi::Number>().DoubleValue();
  if (!(raw >= 0)) return 0;
  return static_cast<int64_t>(raw > kMaxSkew ? kMaxSkew : raw);
}

bool ParseValidationArgs(const Napi::CallbackInfo& info, uint64_t& id, ValidationInput& input) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsString()) {
    Napi::TypeError::New(env, "expected (handle: number, token: string, scopes?, audience?, clockSkew?)")
        .ThrowAsJavaScriptException();
    return false;
  }
  id = HandleId(info[0]);
  input.token = info[1].As<Napi::String>().Utf8Value();
  if (info.Length() > 2 && info[2].IsString()) input.scopes = info[2].As<Napi::String>().Utf8Value();
  if (info.Length() > 3 && info[3].IsString()) input.audience = info[3].As<Napi::String>().Utf8Value();
  if (info.Length() > 4 && info[4].IsNumber()) input.clock_skew = ClockSkew(info[4]);
  return true;
}

class ValidateWorker : public Napi::AsyncWorker {
 public:
  ValidateWorker(Napi::Env env, napi_deferred deferred, Lease lease, ValidationInput input)
      : Napi::AsyncWorker(env, "gopher-auth-validate"),
        deferred_(deferred),
        lease_(std::move(lease)),
        input_(std::move(input)) {}

  // On the pool thread itself: for one token, the hand-off to a helper thread (two cross-core
  // wake-ups) costs about as much as the validation (64 single calls in flight: 0.65x the floor with
  // it, 1.02x without). Batches amortise it (see ValidateBatchWorker).
  void Execute() override { RunValidation(g_state->library, lease_.entry(), input_, output_, g_state->counters); }

  // In an environment being torn down these settle nothing (N-API refuses); the lease still ends.
  void OnOK() override {
    lease_.Reset();  // a deferred destroy happens before the promise settles
    napi_resolve_deferred(Env(), deferred_, ResultToJs(Env(), output_));
  }

  void OnError(const Napi::Error& error) override {
    lease_.Reset();
    napi_reject_deferred(Env(), deferred_, error.Value());
  }

 private:
  napi_deferred deferred_;
  Lease lease_;  // released at the latest when the worker is deleted
  ValidationInput input_;
  ValidationOutput output_;
};

// A batch's tokens, one after another on this thread.
void RunBatch(ClientEntry& client, const std::vector<ValidationInput>& inputs, std::vector<ValidationOutput>& outputs) {
  for (size_t i = 0; i < inputs.size(); ++i) RunValidation(g_state->library, client, inputs[i], outputs[i], g_state->counters);
}

Napi::Value BatchResults(Napi::Env env, std::vector<ValidationOutput>& outputs) {
  Napi::Array results = Napi::Array::New(env, outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i) results.Set(static_cast<uint32_t>(i), ResultToJs(env, outputs[i]));
  return results;
}

// Several tokens with the same options on one pool thread, one after another: one wake-up and one
// completion for the lot. Where batches go when there are no helpers (their priority set to 0, or
// not Linux); otherwise HelperBatch.
class ValidateBatchWorker : public Napi::AsyncWorker {
 public:
  ValidateBatchWorker(Napi::Env env, napi_deferred deferred, Lease lease, std::vector<ValidationInput> inputs)
      : Napi::AsyncWorker(env, "gopher-auth-validate-batch"),
        deferred_(deferred),
        lease_(std::move(lease)),
        inputs_(std::move(inputs)),
        outputs_(inputs_.size()) {}

  void Execute() override { RunBatch(lease_.entry(), inputs_, outputs_); }

  void OnOK() override {
    lease_.Reset();
    napi_resolve_deferred(Env(), deferred_, BatchResults(Env(), outputs_));
  }

  void OnError(const Napi::Error& error) override {
    lease_.Reset();
    napi_reject_deferred(Env(), deferred_, error.Value());
  }

 private:
  napi_deferred deferred_;
  Lease lease_;
  std::vector<ValidationInput> inputs_;
  std::vector<ValidationOutput> outputs_;
};

// Where the helpers hand finished batches back to one environment (JS thread): a thread-safe
// function, called under `mutex` only while `open`. The environment's cleanup hook closes it before
// Node tears the thread-safe function down, and waits until no helper is inside one of its batches:
// the same teardown may shut the library down (the last holder of a worker thread), which must not
// happen under a running validation. Freed when the environment and every batch it sent are done
// with it.
struct Mailbox {
  std::mutex mutex;
  std::condition_variable helpers_done;
  napi_threadsafe_function tsfn = nullptr;
  bool open = true;
  int64_t holders = 1;       // the environment, and each batch out; under `mutex`
  int64_t on_helpers = 0;    // batches queued for or running on a helper; under `mutex`
  uint32_t batches_out = 0;  // JS thread only: while > 0 the thread-safe function keeps the loop alive
};

void LetGo(Mailbox* mailbox) {
  bool last;
  {
    std::lock_guard<std::mutex> lock(mailbox->mutex);
    last = --mailbox->holders == 0;
  }
  if (last) delete mailbox;
}

// A batch on a helper thread (background.h): no libuv pool thread waits for it. The helper hands
// it to the environment's mailbox; if the environment is gone, the helper ends it there.
class HelperBatch : public BackgroundJob {
 public:
  HelperBatch(Mailbox* mailbox, napi_deferred deferred, Lease lease, std::vector<ValidationInput> inputs)
      : mailbox_(mailbox), deferred_(deferred), lease_(std::move(lease)), inputs_(std::move(inputs)), outputs_(inputs_.size()) {}

  void Run() override {
    {
      // Queued before its environment closed: nobody is waiting for the answers any more.
      std::lock_guard<std::mutex> lock(mailbox_->mutex);
      if (!mailbox_->open) return;
    }
    RunBatch(lease_.entry(), inputs_, outputs_);
  }

  // Not queued after all: the lease and the tokens go back to the caller.
  void GiveBack(Lease& lease, std::vector<ValidationInput>& inputs) {
    lease = std::move(lease_);
    inputs = std::move(inputs_);
  }

  void Finished() override {
    Mailbox* mailbox = mailbox_;
    {
      std::lock_guard<std::mutex> lock(mailbox->mutex);
      if (mailbox->open && napi_call_threadsafe_function(mailbox->tsfn, this, napi_tsfn_nonblocking) == napi_ok) {
        // Handed over: the JS thread may delete this batch at any moment, so nothing of it is read now.
        --mailbox->on_helpers;
        return;
      }
    }
    // The environment is closing: the batch ends here, lease included, before its teardown goes on.
    delete this;
    {
      std::lock_guard<std::mutex> lock(mailbox->mutex);
      if (--mailbox->on_helpers == 0 && !mailbox->open) mailbox->helpers_done.notify_all();
    }
    LetGo(mailbox);
  }

  // On the JS thread (env set), or with env null where Node empties the queue of a thread-safe
  // function it tears down.
  static void Deliver(napi_env env, napi_value, void*, void* data) {
    auto* batch = static_cast<HelperBatch*>(data);
    if (env == nullptr) return Drop(batch);
    Mailbox* mailbox = batch->mailbox_;
    batch->lease_.Reset();  // a deferred destroy happens before the promise settles
    napi_resolve_deferred(env, batch->deferred_, BatchResults(Napi::Env(env), batch->outputs_));
    if (--mailbox->batches_out == 0) napi_unref_threadsafe_function(env, mailbox->tsfn);
    delete batch;
    LetGo(mailbox);
  }

 private:
  // The environment is gone: its promise settles nothing, the lease still ends.
  static void Drop(HelperBatch* batch) {
    Mailbox* mailbox = batch->mailbox_;
    delete batch;
    LetGo(mailbox);
  }

  Mailbox* mailbox_;
  napi_deferred deferred_;
  Lease lease_;
  std::vector<ValidationInput> inputs_;
  std::vector<ValidationOutput> outputs_;
};

void CloseMailbox(void* data) {
  auto* mailbox = static_cast<Mailbox*>(data);
  {
    std::unique_lock<std::mutex> lock(mailbox->mutex);
    mailbox->open = false;
    // Batches not started are skipped (HelperBatch::Run); running ones take a batch's time at most.
    mailbox->helpers_done.wait(lock, [mailbox] { return mailbox->on_helpers == 0; });
  }
  LetGo(mailbox);
}

// The environment's mailbox, made on first use; null if N-API refuses (the batch then goes to the pool).
Mailbox* EnvMailbox(Napi::Env env) {
  EnvData* data = GetEnvData(env);
  if (data->mailbox != nullptr) return data->mailbox;
  auto* mailbox = new Mailbox();
  napi_value name = nullptr;
  if (napi_create_string_utf8(env, "gopher-auth-validate-batch", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, nullptr, nullptr, mailbox, HelperBatch::Deliver,
                                      &mailbox->tsfn) != napi_ok) {
    delete mailbox;
    return nullptr;
  }
  napi_unref_threadsafe_function(env, mailbox->tsfn);
  // Added after the thread-safe function's own cleanup, so it runs first (hooks run in reverse).
  napi_add_env_cleanup_hook(env, CloseMailbox, mailbox);
  data->mailbox = mailbox;
  return mailbox;
}

// Sends a batch to the helpers; false (nothing taken) when there are none to send it to.
bool QueueForHelpers(Napi::Env env, napi_deferred deferred, Lease& lease, std::vector<ValidationInput>& inputs) {
  if (BackgroundNice() <= 0) return false;
  Mailbox* mailbox = EnvMailbox(env);
  if (mailbox == nullptr) return false;
  {
    std::lock_guard<std::mutex> lock(mailbox->mutex);
    ++mailbox->holders;
    ++mailbox->on_helpers;
  }
  auto* batch = new HelperBatch(mailbox, deferred, std::move(lease), std::move(inputs));
  if (mailbox->batches_out++ == 0) napi_ref_threadsafe_function(env, mailbox->tsfn);
  if (QueueInBackground(batch)) return true;
  // No helper could start: hand everything back for the pool.
  if (--mailbox->batches_out == 0) napi_unref_threadsafe_function(env, mailbox->tsfn);
  {
    std::lock_guard<std::mutex> lock(mailbox->mutex);
    --mailbox->on_helpers;
  }
  batch->GiveBack(lease, inputs);
  delete batch;
  LetGo(mailbox);
  return false;
}

Napi::Value Attach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "expected (libraryPath: string, deep: boolean, workerThread: boolean, keyCache: number)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  bool deep = info.Length() > 1 && info[1].ToBoolean().Value();
  bool worker_thread = info.Length() > 2 && info[2].ToBoolean().Value();
  // keyCache: the number of keys to keep (0: off; absent: the default).
  int64_t key_cache = info.Length() > 3 && info[3].IsNumber() ? info[3].As<Napi::Number>().Int64Value()
                                                              : static_cast<int64_t>(kDefaultKeyCacheCapacity);
  if (worker_thread) {
    // Not on the main thread: there, teardown is process exit, and validations may still be running.
    const void* key = static_cast<napi_env>(env);
    std::lock_guard<std::mutex> lock(g_runtime_mutex);
    if (g_hooked_envs.insert(key).second) {
      napi_add_env_cleanup_hook(env, CleanupWorkerEnv, const_cast<void*>(key));
    }
  }
  std::lock_guard<std::mutex> lock(g_attach_mutex);
  if (g_state != nullptr) {
    if (g_state->library.path != path) {
      return ThrowError(env, "ERR_GOPHER_ADDON_ATTACHED", "already attached to " + g_state->library.path);
    }
    // Another thread attaching: its loader has just muted the streams again.
    ReapplyCaptureMode();
  } else {
    Library library;
    std::string error;
    if (!AttachLibrary(path, deep, library, error)) return ThrowError(env, "ERR_GOPHER_ADDON_ATTACH", error);
    auto* state = new AddonState();
    state->library = library;
    state->handles = std::make_unique<HandleTable>(&state->library);
    state->deep = deep;
    state->capture = LocateStreams(library.handle, deep);
    if (!deep) {
      state->key_cache.reason = "the library is not loaded with its own OpenSSL";
    } else if (key_cache <= 0) {
      state->key_cache.reason = "disabled by GOPHER_AUTH_NATIVE_KEY_CACHE";
    } else {
      state->key_cache = InstallKeyCache(library.handle, static_cast<size_t>(key_cache));
    }
    g_state = state;
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("path", g_state->library.path);
  result.Set("version", Napi::String::New(env, g_state->library.version()));
  result.Set("deep", g_state->deep);
  result.Set("captureAvailable", g_state->capture.cout_found && g_state->capture.cerr_found);
  if (!g_state->capture.reason.empty()) result.Set("captureReason", g_state->capture.reason);
  result.Set("streamsSeparateFromNode", g_state->capture.separate_from_process);
  result.Set("opensslIsolated", g_state->deep && g_state->library.err_clear_error != nullptr);
  result.Set("keyCache", g_state->key_cache.installed);
  if (!g_state->key_cache.installed) result.Set("keyCacheReason", g_state->key_cache.reason);
  return result;
}

Napi::Value Adopt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireAttached(env)) return env.Undefined();
  if (info.Length() < 1 || !info[0].IsBigInt()) {
    Napi::TypeError::New(env, "expected (client: bigint)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  bool lossless = false;
  uint64_t address = info[0].As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless || address == 0) return ThrowError(env, "ERR_GOPHER_ADDON_HANDLE", "not a client pointer");
  uint64_t id = g_state->handles->Adopt(reinterpret_cast<void*>(static_cast<uintptr_t>(address)), static_cast<napi_env>(env));
  if (id == 0) return ThrowError(env, "ERR_GOPHER_ADDON_HANDLE", "this client is already owned by the addon");
  return Napi::Number::New(env, static_cast<double>(id));
}

Napi::Value Destroy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireAttached(env)) return env.Undefined();
  if (info.Length() < 1 || !info[0].IsNumber()) return Napi::Boolean::New(env, false);
  uint64_t id = HandleId(info[0]);
  if (id == 0) return Napi::Boolean::New(env, false);
  return Napi::Boolean::New(env, g_state->handles->Destroy(id));
}

Napi::Value SetJwks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireAttached(env)) return env.Undefined();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsString()) {
    Napi::TypeError::New(env, "expected (handle: number, jwksJson: string)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Lease lease = g_state->handles->Acquire(HandleId(info[0]));
  if (!lease) return ThrowError(env, "ERR_GOPHER_ADDON_DESTROYED", "the client was destroyed");
  std::string json = info[1].As<Napi::String>().Utf8Value();
  lease.entry().keys.Lock();
  int32_t rc = g_state->library.set_jwks_json(lease.entry().client, json.c_str());
  lease.entry().keys.Unlock();
  return Napi::Number::New(env, rc);
}

Napi::Value Validate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireAttached(env)) return env.Undefined();
  uint64_t id = 0;
  ValidationInput input;
  if (!ParseValidationArgs(info, id, input)) return env.Undefined();
  Lease lease = g_state->handles->Acquire(id);
  if (!lease) return RejectedDestroyed(env);
  napi_deferred deferred = nullptr;
  Napi::Value promise;
  if (!NewPromise(env, &deferred, &promise)) return promise;  // the thread is being terminated
  (new ValidateWorker(env, deferred, std::move(lease), std::move(input)))->Queue();
  return promise;
}

// (id, tokens: string[], scopes, audience, clockSkew) → Promise<result[]>, in the order given.
Napi::Value ValidateBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireAttached(env)) return env.Undefined();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsArray()) {
    Napi::TypeError::New(env, "expected (handle: number, tokens: string[], scopes?, audience?, clockSkew?)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array tokens = info[1].As<Napi::Array>();
  // The package sends batches of at most a few dozen; a huge length would allocate before any check.
  constexpr uint32_t kMaxBatch = 4096;
  if (tokens.Length() > kMaxBatch) {
    Napi::RangeError::New(env, "a batch holds at most 4096 tokens").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  ValidationInput shared;
  if (info.Length() > 2 && info[2].IsString()) shared.scopes = info[2].As<Napi::String>().Utf8Value();
  if (info.Length() > 3 && info[3].IsString()) shared.audience = info[3].As<Napi::String>().Utf8Value();
  if (info.Length() > 4 && info[4].IsNumber()) shared.clock_skew = ClockSkew(info[4]);
  std::vector<ValidationInput> inputs;
  inputs.reserve(tokens.Length());
  for (uint32_t i = 0; i < tokens.Length(); ++i) {
    Napi::Value token = tokens.Get(i);
    if (env.IsExceptionPending()) return env.Undefined();  // a getter threw: let that exception through
    if (!token.IsString()) {
      Napi::TypeError::New(env, "every token must be a string").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    inputs.push_back(shared);
    inputs.back().token = token.As<Napi::String>().Utf8Value();
  }
  Lease lease = g_state->handles->Acquire(HandleId(info[0]));
  if (!lease) return RejectedDestroyed(env);
  napi_deferred deferred = nullptr;
  Napi::Value promise;
  if (!NewPromise(env, &deferred, &promise)) return promise;  // the thread is being terminated
  if (!QueueForHelpers(env, deferred, lease, inputs)) {
    (new ValidateBatchWorker(env, deferred, std::move(lease), std::move(inputs)))->Queue();
  }
  return promise;
}

Napi::Value ValidateSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireAttached(env)) return env.Undefined();
  uint64_t id = 0;
  ValidationInput input;
  if (!ParseValidationArgs(info, id, input)) return env.Undefined();
  Lease lease = g_state->handles->Acquire(id);
  if (!lease) return ThrowError(env, "ERR_GOPHER_ADDON_DESTROYED", "the client was destroyed");
  ValidationOutput output;
  RunValidation(g_state->library, lease.entry(), input, output, g_state->counters);
  lease.Reset();
  return ResultToJs(env, output);
}

Napi::Value SetLogCapture(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireAttached(env)) return env.Undefined();
  bool capture = info.Length() > 0 && info[0].IsString() && info[0].As<Napi::String>().Utf8Value() == "capture";
  Napi::Function sink;
  if (info.Length() > 1 && info[1].IsFunction()) sink = info[1].As<Napi::Function>();
  std::string error;
  if (!SetCaptureMode(env, capture, sink, error)) return ThrowError(env, "ERR_GOPHER_ADDON_CAPTURE", error);
  return Napi::Boolean::New(env, true);
}

// (delta: 1 | -1 | 0) → { holders, rc }. +1 runs gopher_auth_init when nobody in the process holds
// it (no hold is taken if that fails: rc says why); -1 runs gopher_auth_shutdown when the last
// holder of any thread lets go; 0 only reads the count.
Napi::Value HoldRuntime(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireAttached(env)) return env.Undefined();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "expected (delta: 1 | -1 | 0)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const Library& library = g_state->library;
  if (library.init == nullptr || library.shutdown == nullptr) {
    return ThrowError(env, "ERR_GOPHER_ADDON_SYMBOL", "gopher_auth_init/gopher_auth_shutdown not found in the library");
  }
  double delta = info[0].As<Napi::Number>().DoubleValue();
  int32_t rc = 0;
  int64_t holders;
  {
    std::lock_guard<std::mutex> lock(g_runtime_mutex);
    const void* key = static_cast<napi_env>(env);
    if (delta > 0) {
      if (g_runtime_holders == 0) rc = library.init();
      if (rc == 0) {
        ++g_runtime_holders;
        ++g_env_holders[key];
      }
    } else if (delta < 0 && g_runtime_holders > 0) {
      auto it = g_env_holders.find(key);
      if (it != g_env_holders.end() && --it->second <= 0) g_env_holders.erase(it);
      if (--g_runtime_holders == 0) library.shutdown();
    }
    holders = g_runtime_holders;
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("holders", static_cast<double>(holders));
  result.Set("rc", rc);
  return result;
}

Napi::Value Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object stats = Napi::Object::New(env);
  stats.Set("attached", g_state != nullptr);
  if (g_state == nullptr) return stats;
  TableStats table = g_state->handles->Stats();
  stats.Set("liveHandles", static_cast<double>(table.live));
  stats.Set("inFlight", static_cast<double>(table.in_flight));
  stats.Set("freedHandles", static_cast<double>(table.freed));
  stats.Set("validations", static_cast<double>(g_state->counters.validations.load()));
  stats.Set("opensslErrorsCleared", static_cast<double>(g_state->counters.openssl_errors_cleared.load()));
  stats.Set("droppedLogLines", static_cast<double>(DroppedLineCount()));
  KeyCacheStats key_cache = GetKeyCacheStats();
  stats.Set("keyCacheHits", static_cast<double>(key_cache.hits));
  stats.Set("keyCacheMisses", static_cast<double>(key_cache.misses));
  stats.Set("keyCacheEntries", static_cast<double>(key_cache.entries));
  stats.Set("keyCacheCapacity", static_cast<double>(key_cache.capacity));
  stats.Set("backgroundNice", BackgroundNice());
  std::vector<int64_t> ids = BackgroundThreadIds();
  Napi::Array threads = Napi::Array::New(env, ids.size());
  for (size_t i = 0; i < ids.size(); ++i) threads.Set(static_cast<uint32_t>(i), static_cast<double>(ids[i]));
  stats.Set("backgroundThreads", threads);
  return stats;
}

// (levels: number) → levels in effect: batches of validations run that many nice levels below the
// calling thread (Linux; 0 runs them on the pool threads themselves). See background.h.
Napi::Value SetBackgroundPriority(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "expected (levels: number)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  SetBackgroundNice(info[0].As<Napi::Number>().Int32Value());
  return Napi::Number::New(env, BackgroundNice());
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // Made while JS still runs here; its resolver is never used (kept until the environment goes).
  napi_deferred never_resolved = nullptr;
  napi_value never_settles = nullptr;
  if (napi_create_promise(env, &never_resolved, &never_settles) == napi_ok) {
    GetEnvData(env)->never_settles = Napi::Persistent(Napi::Promise(env, never_settles));
  }
  exports.Set("setBackgroundPriority", Napi::Function::New(env, SetBackgroundPriority, "setBackgroundPriority"));
  exports.Set("attach", Napi::Function::New(env, Attach, "attach"));
  exports.Set("adopt", Napi::Function::New(env, Adopt, "adopt"));
  exports.Set("destroy", Napi::Function::New(env, Destroy, "destroy"));
  exports.Set("setJwks", Napi::Function::New(env, SetJwks, "setJwks"));
  exports.Set("validate", Napi::Function::New(env, Validate, "validate"));
  exports.Set("validateBatch", Napi::Function::New(env, ValidateBatch, "validateBatch"));
  exports.Set("validateSync", Napi::Function::New(env, ValidateSync, "validateSync"));
  exports.Set("setLogCapture", Napi::Function::New(env, SetLogCapture, "setLogCapture"));
  exports.Set("stats", Napi::Function::New(env, Stats, "stats"));
  exports.Set("holdRuntime", Napi::Function::New(env, HoldRuntime, "holdRuntime"));
  exports.Set("abiVersion", Napi::Number::New(env, 5));
  return exports;
}

}  // namespace

}  // namespace gopher_addon

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return gopher_addon::Init(env, exports); }

NODE_API_MODULE(gopher_auth_addon, InitAddon)
