// The part the network filesystem clients of the bench share (smb_read.c, nfs_read.c): N forked
// workers, each with its own connection, reading the positions Node sends on stdin, N in flight
// in all. Forked, not threaded, because Debian's libsmbclient cannot be used from several threads
// (no smbc_thread_posix; a context per thread dies with "Bad talloc magic value"), and so that
// both peers are measured alike. The protocol (apps/bench/src/peers/forked-client.ts):
//   start-up:  the pool prints "READY\n" once every worker has opened the file, or
//              "ERROR <code> <message>\n" and exits 1.
//   a run:     Node writes uint32 count, uint32 size (native byte order), then count float64
//              positions; the pool prints "OK <digest>\n" (apps/bench/src/checksum.ts's digest of
//              the reads, as uring_qd.cc computes it) or "ERROR <code> <message>\n".
//   the end:   a count of 0, or stdin closed.
#ifndef MFIO_BENCH_PEER_POOL_H_
#define MFIO_BENCH_PEER_POOL_H_

#include <stddef.h>
#include <stdint.h>

struct peer_ops {
  // Opens `target` on a connection of its own (called once in each worker, after the fork).
  // Returns the reader, or NULL with a message in `error` and a negative errno in `*code`.
  void* (*open)(const char* target, char* error, size_t error_size, int* code);
  // Reads up to `length` bytes at `position`: the count read (short only at end of file), or a
  // negative errno.
  long (*pread)(void* reader, uint8_t* buffer, size_t length, uint64_t position);
};

// Usage: PROGRAM TARGET WORKERS MAX_READS MAX_SIZE. Returns the process's exit status.
int peer_pool_main(int argc, char** argv, const struct peer_ops* ops);

#endif  // MFIO_BENCH_PEER_POOL_H_
