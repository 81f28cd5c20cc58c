#include "key_cache.h"

#include <dlfcn.h>
#if defined(__x86_64__) && defined(__GLIBC__)
#include <elf.h>
#include <link.h>
#define GOPHER_KEY_CACHE_SUPPORTED 1
#endif

#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace gopher_addon {

namespace {

// OpenSSL 1.1 signatures, with its types as opaque pointers.
using PemReadPubkeyFn = void* (*)(void* bio, void** out, void* password_callback, void* user_data);
using BioMethodTypeFn = int (*)(const void* bio);
using BioCtrlFn = long (*)(void* bio, int command, long number, void* pointer);
using PkeyUpRefFn = int (*)(void* key);
using PkeyFreeFn = void (*)(void* key);

constexpr const char* kImport = "PEM_read_bio_PUBKEY";
constexpr const char* kOpensslVersion = "OPENSSL_1_1_0";
constexpr int kBioTypeMem = 1 | 0x0400;  // BIO_TYPE_MEM
constexpr int kBioCtrlInfo = 3;          // BIO_CTRL_INFO: a memory BIO's unread bytes
constexpr long kMaxPemBytes = 16 * 1024;

struct Crypto {
  PemReadPubkeyFn pem_read_pubkey = nullptr;
  BioMethodTypeFn bio_method_type = nullptr;
  BioCtrlFn bio_ctrl = nullptr;
  PkeyUpRefFn pkey_up_ref = nullptr;
  PkeyFreeFn pkey_free = nullptr;
};

struct Entry {
  std::string pem;  // the map's key views this text; it never changes
  void* key;        // one reference held by the cache
  uint64_t last_used;
};

// Written once, before the library's slot points at CachedPemReadPubkey (the only reader), and
// published by that release store: x86-64 keeps the two stores in order.
Crypto g_crypto;
std::mutex g_entries_mutex;
// Never destroyed: pool threads may still validate while static destructors run at exit.
auto* g_entries = new std::unordered_map<std::string_view, std::unique_ptr<Entry>>();
uint64_t g_clock = 0;  // under g_entries_mutex
size_t g_capacity = kDefaultKeyCacheCapacity;  // set before installing
std::atomic<uint64_t> g_hits{0};
std::atomic<uint64_t> g_misses{0};

std::once_flag g_install_once;
KeyCacheStatus g_status;

// Stores `key` for `pem` (one more reference) unless another thread already did; returns the
// least recently used key it evicted, for the caller to release outside the lock.
void* Store(std::string pem, void* key) {
  std::lock_guard<std::mutex> lock(g_entries_mutex);
  if (g_entries->count(std::string_view(pem)) != 0) return nullptr;
  void* evicted = nullptr;
  if (g_entries->size() >= g_capacity) {
    auto oldest = g_entries->begin();
    for (auto it = g_entries->begin(); it != g_entries->end(); ++it) {
      if (it->second->last_used < oldest->second->last_used) oldest = it;
    }
    evicted = oldest->second->key;
    g_entries->erase(oldest);
  }
  g_crypto.pkey_up_ref(key);
  auto entry = std::make_unique<Entry>(Entry{std::move(pem), key, ++g_clock});
  std::string_view text(entry->pem);
  g_entries->emplace(text, std::move(entry));
  return evicted;
}

[[maybe_unused]] void* CachedPemReadPubkey(void* bio, void** out, void* password_callback, void* user_data) {
  const Crypto& crypto = g_crypto;
  // The library passes a memory BIO and nothing else; anything different takes the plain path.
  if (bio == nullptr || out != nullptr || password_callback != nullptr || user_data != nullptr ||
      crypto.bio_method_type(bio) != kBioTypeMem) {
    return crypto.pem_read_pubkey(bio, out, password_callback, user_data);
  }
  char* text = nullptr;
  long size = crypto.bio_ctrl(bio, kBioCtrlInfo, 0, &text);
  if (text == nullptr || size <= 0 || size > kMaxPemBytes) {
    return crypto.pem_read_pubkey(bio, out, password_callback, user_data);
  }
  const std::string_view pem(text, static_cast<size_t>(size));
  {
    std::lock_guard<std::mutex> lock(g_entries_mutex);
    auto found = g_entries->find(pem);
    if (found != g_entries->end()) {
      found->second->last_used = ++g_clock;
      crypto.pkey_up_ref(found->second->key);  // the caller's reference, released by its EVP_PKEY_free
      g_hits.fetch_add(1, std::memory_order_relaxed);
      return found->second->key;
    }
  }
  std::string copy(pem);  // before the parse reads the BIO
  void* key = crypto.pem_read_pubkey(bio, out, password_callback, user_data);
  g_misses.fetch_add(1, std::memory_order_relaxed);
  if (key == nullptr) return nullptr;  // failures are never cached: the next call parses again
  void* evicted = Store(std::move(copy), key);
  if (evicted != nullptr) crypto.pkey_free(evicted);  // callers still using it hold their own reference
  return key;
}

#ifdef GOPHER_KEY_CACHE_SUPPORTED

template <typename Fn>
bool ResolveCrypto(void* handle, const char* name, Fn& out) {
  out = reinterpret_cast<Fn>(dlvsym(handle, name, kOpensslVersion));
  return out != nullptr;
}

bool SameObject(const void* a, const void* b) {
  Dl_info ia{};
  Dl_info ib{};
  return dladdr(a, &ia) != 0 && dladdr(b, &ib) != 0 && ia.dli_fbase == ib.dli_fbase;
}

struct RelroRange {
  uintptr_t start = 0;
  uintptr_t end = 0;
  uintptr_t base = 0;
};

int FindRelro(struct dl_phdr_info* info, size_t, void* data) {
  auto* range = static_cast<RelroRange*>(data);
  if (info->dlpi_addr != range->base) return 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& phdr = info->dlpi_phdr[i];
    if (phdr.p_type == PT_GNU_RELRO) {
      range->start = info->dlpi_addr + phdr.p_vaddr;
      range->end = range->start + phdr.p_memsz;
    }
  }
  return 1;
}

// The address of the PLT slot through which the library calls `name`, or nullptr.
void** FindPltSlot(const struct link_map* map, const char* name, std::string& reason) {
  const uintptr_t base = map->l_addr;
  // glibc relocates these entries in place on x86-64; an unrelocated value is an offset.
  auto address = [base](ElfW(Addr) value) { return value < base ? value + base : value; };
  uintptr_t jmprel = 0, symtab = 0, strtab = 0;
  size_t jmprel_size = 0;
  ElfW(Sxword) pltrel = 0;
  for (const ElfW(Dyn)* dyn = map->l_ld; dyn->d_tag != DT_NULL; ++dyn) {
    switch (dyn->d_tag) {
      case DT_JMPREL: jmprel = address(dyn->d_un.d_ptr); break;
      case DT_PLTRELSZ: jmprel_size = dyn->d_un.d_val; break;
      case DT_PLTREL: pltrel = dyn->d_un.d_val; break;
      case DT_SYMTAB: symtab = address(dyn->d_un.d_ptr); break;
      case DT_STRTAB: strtab = address(dyn->d_un.d_ptr); break;
      default: break;
    }
  }
  if (jmprel == 0 || symtab == 0 || strtab == 0 || pltrel != DT_RELA) {
    reason = "the library has no RELA PLT relocations to read";
    return nullptr;
  }
  const auto* relocations = reinterpret_cast<const ElfW(Rela)*>(jmprel);
  const auto* symbols = reinterpret_cast<const ElfW(Sym)*>(symtab);
  const auto* strings = reinterpret_cast<const char*>(strtab);
  for (size_t i = 0; i < jmprel_size / sizeof(ElfW(Rela)); ++i) {
    const ElfW(Rela)& relocation = relocations[i];
    if (ELF64_R_TYPE(relocation.r_info) != R_X86_64_JUMP_SLOT) continue;
    const ElfW(Sym)& symbol = symbols[ELF64_R_SYM(relocation.r_info)];
    if (std::strcmp(strings + symbol.st_name, name) == 0) {
      return reinterpret_cast<void**>(base + relocation.r_offset);
    }
  }
  reason = std::string("the library does not import ") + name + " through its PLT";
  return nullptr;
}

KeyCacheStatus Install(void* library_handle) {
  KeyCacheStatus status;
  Crypto crypto;
  // dlvsym on the library's handle searches its own dependency scope first: the functions its
  // RTLD_DEEPBIND binding chose. All of them must come from one object, the library's libcrypto.
  if (!ResolveCrypto(library_handle, kImport, crypto.pem_read_pubkey) ||
      !ResolveCrypto(library_handle, "BIO_method_type", crypto.bio_method_type) ||
      !ResolveCrypto(library_handle, "BIO_ctrl", crypto.bio_ctrl) ||
      !ResolveCrypto(library_handle, "EVP_PKEY_up_ref", crypto.pkey_up_ref) ||
      !ResolveCrypto(library_handle, "EVP_PKEY_free", crypto.pkey_free)) {
    status.reason = "OpenSSL 1.1 functions not found in the library's scope";
    return status;
  }
  const void* pem = reinterpret_cast<const void*>(crypto.pem_read_pubkey);
  if (!SameObject(pem, reinterpret_cast<const void*>(crypto.bio_ctrl)) ||
      !SameObject(pem, reinterpret_cast<const void*>(crypto.pkey_up_ref)) ||
      !SameObject(pem, reinterpret_cast<const void*>(crypto.pkey_free)) ||
      !SameObject(pem, reinterpret_cast<const void*>(crypto.bio_method_type))) {
    status.reason = "the OpenSSL functions come from different objects";
    return status;
  }
  struct link_map* map = nullptr;
  if (dlinfo(library_handle, RTLD_DI_LINKMAP, &map) != 0 || map == nullptr) {
    status.reason = "the library's link map is unavailable";
    return status;
  }
  void** slot = FindPltSlot(map, kImport, status.reason);
  if (slot == nullptr) return status;
  // Bound already (RTLD_NOW) to the function resolved above, or still the lazy stub in the library.
  void* current = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
  const bool bound = current == pem;
  const bool lazy = SameObject(current, slot);
  if (!bound && !lazy) {
    status.reason = std::string("the library's ") + kImport + " is bound to another function";
    return status;
  }
  RelroRange relro;
  relro.base = map->l_addr;
  dl_iterate_phdr(FindRelro, &relro);
  const auto slot_address = reinterpret_cast<uintptr_t>(slot);
  if (slot_address >= relro.start && slot_address < relro.end) {
    status.reason = "the library's PLT slots are read-only (full RELRO)";
    return status;
  }
  // The slot will point into this object: it must never be unloaded (RTLD_NODELETE pins it; the
  // main program, as in bench/c/library-loop.cc, never is).
  Dl_info self{};
  struct link_map* self_map = nullptr;
  if (dladdr1(reinterpret_cast<const void*>(&CachedPemReadPubkey), &self, reinterpret_cast<void**>(&self_map),
              RTLD_DL_LINKMAP) == 0 ||
      self_map == nullptr ||
      (self_map->l_name[0] != '\0' && dlopen(self_map->l_name, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) == nullptr)) {
    status.reason = "the addon could not pin itself in memory";
    return status;
  }
  g_crypto = crypto;
  __atomic_store_n(slot, reinterpret_cast<void*>(&CachedPemReadPubkey), __ATOMIC_RELEASE);
  status.installed = true;
  return status;
}

#else  // the slot rewrite reads ELF structures and uses glibc's dlvsym/dlinfo/dladdr1

KeyCacheStatus Install(void*) {
  KeyCacheStatus status;
  status.reason = "only built for x86-64 glibc";
  return status;
}

#endif

}  // namespace

KeyCacheStatus InstallKeyCache(void* library_handle, size_t capacity) {
  std::call_once(g_install_once, [library_handle, capacity] {
    g_capacity = capacity > 0 ? capacity : kDefaultKeyCacheCapacity;
    g_status = Install(library_handle);
  });
  return g_status;
}

KeyCacheStats GetKeyCacheStats() {
  KeyCacheStats stats;
  stats.hits = g_hits.load(std::memory_order_relaxed);
  stats.misses = g_misses.load(std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(g_entries_mutex);
  stats.entries = g_entries->size();
  stats.capacity = g_status.installed ? g_capacity : 0;
  return stats;
}

}  // namespace gopher_addon
