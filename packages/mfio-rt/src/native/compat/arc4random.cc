// Linked into the prebuilt Linux binaries only (MFIO_STATIC_RUNTIME, CMakeLists.txt). The static
// libstdc++ of GCC 12 carries std::random_device, which calls arc4random: a glibc 2.36 symbol,
// the only one that would raise the binary's glibc floor above 2.34 (where the pthread functions
// libstdc++ calls got their current versions). The addon never uses random_device; this hidden
// definition satisfies the link from getrandom (glibc 2.25), so the binary needs no arc4random.
#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>

extern "C" __attribute__((visibility("hidden"))) uint32_t arc4random(void) {
  uint32_t value = 0;
  for (;;) {
    ssize_t got = getrandom(&value, sizeof value, 0);
    if (got == static_cast<ssize_t>(sizeof value)) return value;
    if (got < 0 && errno != EINTR) std::abort();  // no entropy at all: nothing sane to return
  }
}
