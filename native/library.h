// The gopher-auth functions the addon calls, resolved from the copy of libgopher-orch that
// koffi already loaded (dlopen with RTLD_NOLOAD: the addon never loads a second copy).
#pragma once

#include <cstdint>
#include <string>

namespace gopher_addon {

struct ValidationResult {
  bool valid;
  int32_t error_code;
  const char* error_message;
};

using ClientDestroyFn = int32_t (*)(void*);
using SetJwksJsonFn = int32_t (*)(void*, const char*);
using OptionsCreateFn = int32_t (*)(void**);
using OptionsDestroyFn = int32_t (*)(void*);
using OptionsSetStringFn = int32_t (*)(void*, const char*);
using OptionsSetClockSkewFn = int32_t (*)(void*, int64_t);
using ValidateTokenFn = int32_t (*)(void*, const char*, void*, ValidationResult*);
using VersionFn = const char* (*)();
using ErrClearFn = void (*)();
using ErrPeekFn = unsigned long (*)();
using LifecycleFn = int32_t (*)();

struct Library {
  void* handle = nullptr;
  std::string path;
  ClientDestroyFn client_destroy = nullptr;
  SetJwksJsonFn set_jwks_json = nullptr;
  OptionsCreateFn options_create = nullptr;
  OptionsDestroyFn options_destroy = nullptr;
  OptionsSetStringFn options_set_scopes = nullptr;
  OptionsSetStringFn options_set_audience = nullptr;
  OptionsSetClockSkewFn options_set_clock_skew = nullptr;
  ValidateTokenFn validate_token = nullptr;
  VersionFn version = nullptr;
  // Optional: without them the addon cannot hold the process-wide init (JS then counts per thread).
  LifecycleFn init = nullptr;
  LifecycleFn shutdown = nullptr;
  // From the library's own libcrypto (its dependency scope), not Node's.
  ErrClearFn err_clear_error = nullptr;
  ErrPeekFn err_peek_error = nullptr;
};

// Resolves every symbol from the already-loaded library at `path`. On failure returns false and
// fills `error`; nothing is loaded as a side effect.
// `deep`: the library was loaded with RTLD_DEEPBIND, so it uses its bundled libcrypto; otherwise its
// OpenSSL calls bind to the ones Node exports and the error queue to clear is Node's.
bool AttachLibrary(const std::string& path, bool deep, Library& out, std::string& error);

}  // namespace gopher_addon
