// One call of gopher_auth_validate_token with its inputs and a copied result. Runs on any thread;
// the message is copied on the thread that produced it (it lives in that thread's buffer).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "handle_table.h"
#include "library.h"
#include "log_capture.h"

namespace gopher_addon {

struct ValidationInput {
  std::string token;
  std::string scopes;    // space-separated; empty = none
  std::string audience;  // empty = none
  int64_t clock_skew = 60;
};

struct ValidationOutput {
  int32_t rc = 0;
  bool valid = false;
  int32_t code = 0;
  bool has_message = false;
  std::string message;
  std::vector<CapturedLine> lines;
};

struct ValidationCounters {
  std::atomic<uint64_t> validations{0};
  std::atomic<uint64_t> openssl_errors_cleared{0};
};

void RunValidation(const Library& library, ClientEntry& client, const ValidationInput& input,
                   ValidationOutput& output, ValidationCounters& counters);

}  // namespace gopher_addon
