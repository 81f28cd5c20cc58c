#include "validation.h"

namespace gopher_addon {

namespace {

constexpr int64_t kLibraryDefaultClockSkew = 60;
constexpr int32_t kInvalidToken = -1000;
constexpr int32_t kInvalidParameter = -1011;

// Builds the options object for this call; none when nothing differs from the library defaults.
int32_t CreateOptions(const Library& library, const ValidationInput& input, void** out) {
  *out = nullptr;
  if (input.scopes.empty() && input.audience.empty() && input.clock_skew == kLibraryDefaultClockSkew) return 0;
  int32_t rc = library.options_create(out);
  if (rc != 0) return rc;
  if (!input.scopes.empty() && (rc = library.options_set_scopes(*out, input.scopes.c_str())) != 0) return rc;
  if (!input.audience.empty() && (rc = library.options_set_audience(*out, input.audience.c_str())) != 0) {
    return rc;
  }
  return library.options_set_clock_skew(*out, input.clock_skew);
}

}  // namespace

void RunValidation(const Library& library, ClientEntry& client, const ValidationInput& input,
                   ValidationOutput& output, ValidationCounters& counters) {
  LineSinkScope capture(&output.lines);
  // The C API takes NUL-terminated strings: an embedded NUL would validate only a prefix.
  bool has_nul = input.token.find('\0') != std::string::npos || input.scopes.find('\0') != std::string::npos ||
                 input.audience.find('\0') != std::string::npos;
  if (has_nul) {
    output.rc = output.code = input.token.find('\0') != std::string::npos ? kInvalidToken : kInvalidParameter;
    output.has_message = true;
    output.message = "embedded NUL byte in the input";
    return;
  }
  void* options = nullptr;
  int32_t rc = CreateOptions(library, input, &options);
  ValidationResult result{false, 0, nullptr};
  if (rc == 0) {
    client.keys.LockShared();
    rc = library.validate_token(client.client, input.token.c_str(), options, &result);
    client.keys.UnlockShared();
  } else {
    result.error_code = rc;
  }
  output.rc = rc;
  output.valid = result.valid && rc == 0;
  output.code = result.error_code != 0 ? result.error_code : rc;
  if (result.error_message != nullptr) {
    output.has_message = true;
    output.message = result.error_message;
  }
  if (options != nullptr) library.options_destroy(options);
  // The library's libcrypto keeps a per-thread error queue; a failed verification leaves entries
  // on this pool thread that nobody else would ever drain.
  if (library.err_peek_error != nullptr && library.err_peek_error() != 0) {
    counters.openssl_errors_cleared.fetch_add(1, std::memory_order_relaxed);
    library.err_clear_error();
  }
  counters.validations.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace gopher_addon
