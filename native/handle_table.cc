#include "handle_table.h"

#include <utility>
#include <vector>

namespace gopher_addon {

void KeysLock::LockShared() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return !writer_ && writers_waiting_ == 0; });
  ++readers_;
}

void KeysLock::UnlockShared() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (--readers_ == 0) changed_.notify_all();
}

void KeysLock::Lock() {
  std::unique_lock<std::mutex> lock(mutex_);
  ++writers_waiting_;
  changed_.wait(lock, [this] { return !writer_ && readers_ == 0; });
  --writers_waiting_;
  writer_ = true;
}

void KeysLock::Unlock() {
  std::lock_guard<std::mutex> lock(mutex_);
  writer_ = false;
  changed_.notify_all();
}

Lease::Lease(HandleTable* table, uint64_t id, std::shared_ptr<ClientEntry> entry)
    : table_(table), id_(id), entry_(std::move(entry)) {}

Lease::Lease(Lease&& other) noexcept
    : table_(other.table_), id_(other.id_), entry_(std::move(other.entry_)) {
  other.table_ = nullptr;
}

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    Reset();
    table_ = other.table_;
    id_ = other.id_;
    entry_ = std::move(other.entry_);
    other.table_ = nullptr;
  }
  return *this;
}

Lease::~Lease() { Reset(); }

void Lease::Reset() {
  if (table_ != nullptr && entry_ != nullptr) table_->Release(id_);
  table_ = nullptr;
  entry_.reset();
}

uint64_t HandleTable::Adopt(void* client, const void* owner) {
  if (client == nullptr) return 0;
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [id, slot] : slots_) {
    if (slot.entry->client == client) return 0;
  }
  auto entry = std::make_shared<ClientEntry>();
  entry->client = client;
  uint64_t id = next_id_++;
  slots_.emplace(id, Slot{std::move(entry), 0, false, owner});
  return id;
}

uint64_t HandleTable::DestroyOwnedBy(const void* owner) {
  std::vector<uint64_t> ids;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [id, slot] : slots_) {
      if (slot.owner == owner && !slot.destroy_requested) ids.push_back(id);
    }
  }
  uint64_t destroyed = 0;
  for (uint64_t id : ids) destroyed += Destroy(id) ? 1 : 0;
  return destroyed;
}

Lease HandleTable::Acquire(uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = slots_.find(id);
  if (it == slots_.end() || it->second.destroy_requested) return Lease();
  ++it->second.leases;
  return Lease(this, id, it->second.entry);
}

bool HandleTable::Destroy(uint64_t id) {
  void* to_free = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = slots_.find(id);
    if (it == slots_.end() || it->second.destroy_requested) return false;
    it->second.destroy_requested = true;
    if (it->second.leases == 0) {
      to_free = it->second.entry->client;
      slots_.erase(it);
    }
  }
  if (to_free != nullptr) Free(to_free);
  return true;
}

void HandleTable::Release(uint64_t id) {
  void* to_free = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = slots_.find(id);
    if (it == slots_.end()) return;
    if (--it->second.leases == 0 && it->second.destroy_requested) {
      to_free = it->second.entry->client;
      slots_.erase(it);
    }
  }
  if (to_free != nullptr) Free(to_free);
}

void HandleTable::Free(void* client) {
  library_->client_destroy(client);
  std::lock_guard<std::mutex> lock(mutex_);
  ++freed_;
}

TableStats HandleTable::Stats() {
  std::lock_guard<std::mutex> lock(mutex_);
  TableStats stats;
  stats.freed = freed_;
  for (const auto& [id, slot] : slots_) {
    if (!slot.destroy_requested) ++stats.live;
    stats.in_flight += slot.leases;
  }
  return stats;
}

}  // namespace gopher_addon
