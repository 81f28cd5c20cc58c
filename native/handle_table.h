// Addon-owned lifetimes for native client handles. JS hands a client pointer over once (Adopt) and
// from then on refers to it by an id that is never reused. Destroy while calls are in flight is
// deferred until the last one finishes; calls after Destroy fail; the client is freed exactly once.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "library.h"

namespace gopher_addon {

// Readers are validations; the writer is set_jwks_json. Writer-preferring, so a key update is not
// starved by a steady stream of validations on the libuv pool.
class KeysLock {
 public:
  void LockShared();
  void UnlockShared();
  void Lock();
  void Unlock();

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int readers_ = 0;
  int writers_waiting_ = 0;
  bool writer_ = false;
};

struct ClientEntry {
  void* client = nullptr;
  KeysLock keys;
};

class HandleTable;

// Keeps a client alive for the duration of one call; the last lease after Destroy frees it.
class Lease {
 public:
  Lease() = default;
  Lease(HandleTable* table, uint64_t id, std::shared_ptr<ClientEntry> entry);
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&& other) noexcept;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease();

  explicit operator bool() const { return entry_ != nullptr; }
  ClientEntry& entry() const { return *entry_; }
  void Reset();

 private:
  HandleTable* table_ = nullptr;
  uint64_t id_ = 0;
  std::shared_ptr<ClientEntry> entry_;
};

struct TableStats {
  uint64_t live = 0;
  uint64_t in_flight = 0;
  uint64_t freed = 0;
};

class HandleTable {
 public:
  explicit HandleTable(const Library* library) : library_(library) {}

  // 0 when `client` is null or already owned by a live entry (adopting twice would free twice).
  // `owner` names the environment (thread) that adopted it, for DestroyOwnedBy.
  uint64_t Adopt(void* client, const void* owner = nullptr);
  // Empty lease when the id is unknown or destroyed.
  Lease Acquire(uint64_t id);
  // True the first time for a live id. Frees now if idle, else when the last lease ends.
  bool Destroy(uint64_t id);
  // Destroys every live entry `owner` adopted (its environment is going away); how many.
  uint64_t DestroyOwnedBy(const void* owner);
  TableStats Stats();

 private:
  friend class Lease;
  struct Slot {
    std::shared_ptr<ClientEntry> entry;
    uint32_t leases = 0;
    bool destroy_requested = false;
    const void* owner = nullptr;
  };
  void Release(uint64_t id);
  void Free(void* client);

  const Library* library_;
  std::mutex mutex_;
  std::unordered_map<uint64_t, Slot> slots_;
  uint64_t next_id_ = 1;
  uint64_t freed_ = 0;
};

}  // namespace gopher_addon
