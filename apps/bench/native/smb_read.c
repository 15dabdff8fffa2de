// The bench's Samba client: libsmbclient reads of one file, N forked workers (peer_pool.h).
// TARGET is smb://127.0.0.1:PORT/SHARE/FILE; the bench's smbd lets guests read its share.
#include <errno.h>
#include <fcntl.h>
#include <libsmbclient.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "peer_pool.h"

struct smb_reader {
  SMBCCTX* context;
  SMBCFILE* file;
};

// The guest: no user, no password (smbd maps the unknown user to its guest account).
static void no_credentials(const char* server, const char* share, char* workgroup, int workgroup_size, char* user,
                           int user_size, char* password, int password_size) {
  (void)server, (void)share, (void)workgroup, (void)workgroup_size;
  if (user_size > 0) user[0] = '\0';
  if (password_size > 0) password[0] = '\0';
}

static void* smb_open(const char* target, char* error, size_t error_size, int* code) {
  static struct smb_reader reader;
  reader.context = smbc_new_context();
  if (!reader.context) {
    *code = -errno;
    snprintf(error, error_size, "smbc_new_context: %s", strerror(errno));
    return NULL;
  }
  smbc_setDebug(reader.context, 0);
  smbc_setFunctionAuthData(reader.context, no_credentials);
  if (!smbc_init_context(reader.context)) {
    *code = -errno;
    snprintf(error, error_size, "smbc_init_context: %s", strerror(errno));
    return NULL;
  }
  reader.file = smbc_getFunctionOpen(reader.context)(reader.context, target, O_RDONLY, 0);
  if (!reader.file) {
    *code = -errno;
    snprintf(error, error_size, "open %s: %s", target, strerror(errno));
    return NULL;
  }
  return &reader;
}

// libsmbclient has no pread; its lseek only sets the handle's offset (no round trip), and each
// worker owns its handle, so lseek + read is one read at that position.
static long smb_pread(void* opaque, uint8_t* buffer, size_t length, uint64_t position) {
  struct smb_reader* reader = opaque;
  if (smbc_getFunctionLseek(reader->context)(reader->context, reader->file, (off_t)position, SEEK_SET) < 0)
    return -errno;
  size_t total = 0;
  while (total < length) {
    ssize_t n = smbc_getFunctionRead(reader->context)(reader->context, reader->file, buffer + total, length - total);
    if (n < 0) return -errno;
    if (n == 0) break;
    total += (size_t)n;
  }
  return (long)total;
}

int main(int argc, char** argv) {
  const struct peer_ops ops = {smb_open, smb_pread};
  return peer_pool_main(argc, argv, &ops);
}
