// The library turns the JWK into PEM and parses that PEM again on every validation (a fresh RSA
// object each time, so OpenSSL also recomputes the modulus's Montgomery constants): about a third
// of a validation's CPU. This points the library's import of PEM_read_bio_PUBKEY at a function that
// returns, for PEM text it has parsed before, another reference to the key that text gave the
// first time. The same text always gives the same key, so no verdict can change; only the time.
//
// Installed only where it can be done exactly: the library loaded with RTLD_DEEPBIND (its own
// OpenSSL 1.1), a writable PLT slot for the import, and every OpenSSL function it needs found in
// the library's own dependency scope. Otherwise nothing is changed and `reason` says why.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace gopher_addon {

struct KeyCacheStatus {
  bool installed = false;
  std::string reason;  // why not, when not installed
};

struct KeyCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t entries = 0;
  uint64_t capacity = 0;
};

// A JWKS has a handful of keys; a process serving many issuers holds a few per issuer. Past the
// capacity the least recently used key goes (an entry is a public key: ~2 KB with its PEM text).
constexpr size_t kDefaultKeyCacheCapacity = 256;

// `library_handle`: the dlopen handle of libgopher-orch; `capacity`: keys kept (0: the default).
// Idempotent: a second call reports the first one's outcome.
KeyCacheStatus InstallKeyCache(void* library_handle, size_t capacity = 0);

KeyCacheStats GetKeyCacheStats();

}  // namespace gopher_addon
