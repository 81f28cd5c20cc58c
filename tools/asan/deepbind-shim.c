// Preloaded BEFORE libasan (ASAN_OPTIONS=verify_asan_link_order=0): lets RTLD_DEEPBIND loads through
// to glibc's own dlopen, bypassing the sanitizer's refusal, so the addon's deep-mode paths run under ASan.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
typedef void *(*dlopen_fn)(const char *, int);
static dlopen_fn next_dlopen, libc_dlopen;
void *dlopen(const char *file, int flags) {
  if (!next_dlopen) next_dlopen = (dlopen_fn)dlsym(RTLD_NEXT, "dlopen");
  if (flags & RTLD_DEEPBIND) {
    if (!libc_dlopen) {
      void *libc = next_dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
      libc_dlopen = (dlopen_fn)dlsym(libc, "dlopen");
    }
    return libc_dlopen(file, flags);
  }
  return next_dlopen(file, flags);
}
