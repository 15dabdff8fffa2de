// The bench's NFS client: libnfs nfs_pread of one file, N forked workers (peer_pool.h).
// TARGET is nfs://127.0.0.1/EXPORT/FILE?version=4&nfsport=PORT (NFSv4 straight to the port: the
// bench's NFS-Ganesha runs without rpcbind).
#include <errno.h>
#include <fcntl.h>
#include <sys/time.h>  // libnfs.h uses struct timeval without including it

#include <nfsc/libnfs.h>
#include <stdio.h>
#include <string.h>

#include "peer_pool.h"

struct nfs_reader {
  struct nfs_context* nfs;
  struct nfsfh* file;
};

static void* nfs_open_target(const char* target, char* error, size_t error_size, int* code) {
  static struct nfs_reader reader;
  reader.nfs = nfs_init_context();
  if (!reader.nfs) {
    *code = -ENOMEM;
    snprintf(error, error_size, "nfs_init_context failed");
    return NULL;
  }
  struct nfs_url* url = nfs_parse_url_full(reader.nfs, target);
  if (!url) {
    *code = -EINVAL;
    snprintf(error, error_size, "bad URL %s: %s", target, nfs_get_error(reader.nfs));
    return NULL;
  }
  int result = nfs_mount(reader.nfs, url->server, url->path);
  if (result == 0) result = nfs_open(reader.nfs, url->file, O_RDONLY, &reader.file);
  if (result != 0) {
    *code = result < 0 ? result : -EIO;
    snprintf(error, error_size, "%s: %s", target, nfs_get_error(reader.nfs));
    nfs_destroy_url(url);
    return NULL;
  }
  nfs_destroy_url(url);
  return &reader;
}

static long nfs_pread_at(void* opaque, uint8_t* buffer, size_t length, uint64_t position) {
  struct nfs_reader* reader = opaque;
  size_t total = 0;
  // A server may answer with less than asked (its read size limit): ask again for the rest.
  while (total < length) {
    int n = nfs_pread(reader->nfs, reader->file, position + total, length - total, buffer + total);
    if (n < 0) return n;
    if (n == 0) break;
    total += (size_t)n;
  }
  return (long)total;
}

int main(int argc, char** argv) {
  const struct peer_ops ops = {nfs_open_target, nfs_pread_at};
  return peer_pool_main(argc, argv, &ops);
}
