// The native library with nothing around it: no Node, no koffi, no addon. Loads libgopher-orch,
// injects a JWKS, mutes the library's std::cout/std::cerr (as the backend does), then validates
// the given tokens round-robin for the given time, one thread, and prints ops/s.
// With a seventh argument `key-cache`, the addon's key cache (native/key_cache.cc, compiled in) is
// installed on the library first, as the addon does.
// Built and run by bench/native-ceiling.ts:
//   library-loop <library.so> <jwks.json> <tokens.txt> <issuer> <audience> <seconds> [key-cache]
#include <dlfcn.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "../../native/key_cache.h"

struct Result {
  bool valid;
  int32_t error_code;
  const char* error_message;
};

template <typename Fn>
Fn Symbol(void* lib, const char* name) {
  void* address = dlsym(lib, name);
  if (address == nullptr) {
    std::fprintf(stderr, "missing symbol %s\n", name);
    std::exit(2);
  }
  return reinterpret_cast<Fn>(address);
}

int main(int argc, char** argv) {
  if (argc != 7 && !(argc == 8 && std::string(argv[7]) == "key-cache")) {
    std::fprintf(stderr, "usage: %s library jwks tokens issuer audience seconds [key-cache]\n", argv[0]);
    return 2;
  }
  void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    std::fprintf(stderr, "dlopen: %s\n", dlerror());
    return 2;
  }
  if (argc == 8) {
    gopher_addon::KeyCacheStatus status = gopher_addon::InstallKeyCache(lib);
    if (!status.installed) {
      std::fprintf(stderr, "key cache not installed: %s\n", status.reason.c_str());
      return 2;
    }
  }
  auto init = Symbol<int32_t (*)()>(lib, "gopher_auth_init");
  auto create = Symbol<int32_t (*)(void**, const char*, const char*)>(lib, "gopher_auth_client_create");
  auto set_option = Symbol<int32_t (*)(void*, const char*, const char*)>(lib, "gopher_auth_client_set_option");
  auto set_jwks = Symbol<int32_t (*)(void*, const char*)>(lib, "gopher_auth_client_set_jwks_json");
  auto options_create = Symbol<int32_t (*)(void**)>(lib, "gopher_auth_validation_options_create");
  auto set_audience = Symbol<int32_t (*)(void*, const char*)>(lib, "gopher_auth_validation_options_set_audience");
  auto validate = Symbol<int32_t (*)(void*, const char*, void*, Result*)>(lib, "gopher_auth_validate_token");

  std::ifstream jwks_file(argv[2]);
  std::stringstream jwks;
  jwks << jwks_file.rdbuf();
  std::ifstream token_file(argv[3]);
  std::vector<std::string> tokens;
  for (std::string line; std::getline(token_file, line);) {
    if (!line.empty()) tokens.push_back(line);
  }
  if (tokens.empty()) return 2;

  // The library prints several lines per validation; the backend mutes them (badbit) too.
  std::cout.setstate(std::ios::badbit);
  std::cerr.setstate(std::ios::badbit);

  void* client = nullptr;
  if (init() != 0 || create(&client, "http://127.0.0.1:9/never", argv[4]) != 0) return 3;
  set_option(client, "auto_refresh", "false");
  set_option(client, "cache_duration", "86400");
  if (set_jwks(client, jwks.str().c_str()) != 0) return 3;
  void* options = nullptr;
  if (options_create(&options) != 0 || set_audience(options, argv[5]) != 0) return 3;

  const double seconds = std::stod(argv[6]);
  uint64_t done = 0;
  uint64_t invalid = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    for (int i = 0; i < 20; ++i) {
      Result result{false, 0, nullptr};
      validate(client, tokens[done % tokens.size()].c_str(), options, &result);
      if (!result.valid) ++invalid;
      ++done;
    }
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"opsPerSecond\":%.1f,\"validations\":%llu,\"invalid\":%llu}\n", done / elapsed,
              static_cast<unsigned long long>(done), static_cast<unsigned long long>(invalid));
  return 0;
}
