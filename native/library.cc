#include "library.h"

#include <dlfcn.h>

namespace gopher_addon {

namespace {

template <typename Fn>
bool Resolve(void* handle, const char* name, Fn& out, std::string& error) {
  dlerror();
  void* symbol = dlsym(handle, name);
  if (symbol == nullptr) {
    error = std::string("symbol not found in the loaded library: ") + name;
    return false;
  }
  out = reinterpret_cast<Fn>(symbol);
  return true;
}

}  // namespace

bool AttachLibrary(const std::string& path, bool deep, Library& out, std::string& error) {
  // RTLD_NOLOAD: succeed only if this exact object is already in the process (loaded by koffi);
  // the reference this takes keeps it mapped for the addon's lifetime.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (handle == nullptr) {
    const char* why = dlerror();
    error = "libgopher-orch is not loaded in this process (load it through koffi first): " + path +
            (why != nullptr ? std::string(" (") + why + ")" : std::string());
    return false;
  }
  Library lib;
  lib.handle = handle;
  lib.path = path;
  bool ok = Resolve(handle, "gopher_auth_client_destroy", lib.client_destroy, error) &&
            Resolve(handle, "gopher_auth_client_set_jwks_json", lib.set_jwks_json, error) &&
            Resolve(handle, "gopher_auth_validation_options_create", lib.options_create, error) &&
            Resolve(handle, "gopher_auth_validation_options_destroy", lib.options_destroy, error) &&
            Resolve(handle, "gopher_auth_validation_options_set_scopes", lib.options_set_scopes, error) &&
            Resolve(handle, "gopher_auth_validation_options_set_audience", lib.options_set_audience, error) &&
            Resolve(handle, "gopher_auth_validation_options_set_clock_skew", lib.options_set_clock_skew,
                    error) &&
            Resolve(handle, "gopher_auth_validate_token", lib.validate_token, error) &&
            Resolve(handle, "gopher_auth_version", lib.version, error);
  if (!ok) {
    dlclose(handle);
    return false;
  }
  lib.init = reinterpret_cast<LifecycleFn>(dlsym(handle, "gopher_auth_init"));
  lib.shutdown = reinterpret_cast<LifecycleFn>(dlsym(handle, "gopher_auth_shutdown"));
  // dlsym on the library's handle searches its own dependency scope first, so these are the
  // bundled libcrypto's functions when that is what the library binds to.
  void* crypto_scope = deep ? handle : RTLD_DEFAULT;
  lib.err_clear_error = reinterpret_cast<ErrClearFn>(dlsym(crypto_scope, "ERR_clear_error"));
  lib.err_peek_error = reinterpret_cast<ErrPeekFn>(dlsym(crypto_scope, "ERR_peek_error"));
  out = lib;
  return true;
}

}  // namespace gopher_addon
