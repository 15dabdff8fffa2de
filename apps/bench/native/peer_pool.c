// The forked worker pool of the bench's network filesystem clients: see peer_pool.h.
#define _GNU_SOURCE
#include "peer_pool.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

enum { kMaxWorkers = 1024 };

// What the parent and its workers share (one anonymous shared mapping made before the forks).
struct shared {
  atomic_uint next;  // the next read to take: each worker takes them one by one, N in flight
  uint32_t count;
  uint32_t size;
  atomic_int code;  // the first error's negative errno (0: none yet); `error` says what failed
  char error[512];
  uint32_t digests[kMaxWorkers];  // each worker's part of the run's digest
  double positions[];
};

// apps/bench/src/checksum.ts's digest, as uring_qd.cc computes it (32-bit wrapping arithmetic).
static uint32_t digest_of(uint32_t index, const uint8_t* bytes, uint32_t length) {
  uint32_t a = length ? bytes[0] : 0, b = length ? bytes[length >> 1] : 0, c = length ? bytes[length - 1] : 0;
  uint32_t h = ((index + 1) ^ (length * 0x9e3779b1u)) * 0x85ebca6bu;
  h ^= a | (b << 8) | (c << 16);
  return h * 0xc2b2ae35u;
}

// Keeps the first error only: it is the cause, later ones are often its consequences.
static void fail(struct shared* sh, int code, const char* format, ...) {
  int none = 0;
  if (!atomic_compare_exchange_strong(&sh->code, &none, code < 0 ? code : -EIO)) return;
  va_list args;
  va_start(args, format);
  vsnprintf(sh->error, sizeof sh->error, format, args);
  va_end(args);
}

static const char* code_name(int code) {
  const char* name = strerrorname_np(-code);
  return name ? name : "EIO";
}

// A worker: opens its own connection, then reads its share of every run the parent starts with
// a byte on `go`, and answers with a byte on `done`.
static void worker(const struct peer_ops* ops, const char* target, struct shared* sh, size_t max_size, int index,
                   int go, int done) {
  // The protocol owns stdout: whatever a library prints goes to stderr.
  dup2(STDERR_FILENO, STDOUT_FILENO);
  char error[256] = "";
  int code = -EIO;
  void* reader = ops->open(target, error, sizeof error, &code);
  if (!reader) fail(sh, code, "%s", error);
  uint8_t* buffer = NULL;
  if (reader && posix_memalign((void**)&buffer, 4096, max_size) != 0) fail(sh, -ENOMEM, "no memory for the buffer");
  char byte = 'r';
  if (write(done, &byte, 1) != 1 || !buffer) _exit(1);
  while (read(go, &byte, 1) == 1 && byte == 'g') {
    uint32_t digest = 0;
    for (;;) {
      uint32_t i = atomic_fetch_add(&sh->next, 1);
      if (i >= sh->count || atomic_load(&sh->code) != 0) break;
      uint64_t position = (uint64_t)sh->positions[i];
      long n = ops->pread(reader, buffer, sh->size, position);
      if (n < 0) {
        fail(sh, (int)n, "read of %u bytes at %llu: %s", sh->size, (unsigned long long)position, strerror((int)-n));
        break;
      }
      digest += digest_of(i, buffer, (uint32_t)n);
    }
    sh->digests[index] = digest;
    if (write(done, &byte, 1) != 1) _exit(1);
  }
  _exit(0);
}

// Waits for one byte from each of `workers` on `done`; false with the error set if one died.
static int await_workers(struct shared* sh, int done, int workers) {
  for (int got = 0; got < workers;) {
    struct pollfd p = {.fd = done, .events = POLLIN};
    int ready = poll(&p, 1, 100);
    if (ready > 0) {
      char bytes[kMaxWorkers];
      ssize_t n = read(done, bytes, (size_t)(workers - got));
      if (n > 0) got += (int)n;
      continue;
    }
    // Nothing for 100 ms: a worker that crashed never answers, so look for one that exited.
    int status;
    pid_t dead = waitpid(-1, &status, WNOHANG);
    if (dead > 0) {
      fail(sh, -ECONNRESET, "worker %d exited (%s %d)", (int)dead, WIFSIGNALED(status) ? "signal" : "status",
           WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
      return 0;
    }
  }
  return 1;
}

static int read_all(void* into, size_t length) { return fread(into, 1, length, stdin) == length; }

int peer_pool_main(int argc, char** argv, const struct peer_ops* ops) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s TARGET WORKERS MAX_READS MAX_SIZE\n", argv[0]);
    return 2;
  }
  const char* target = argv[1];
  int workers = atoi(argv[2]);
  long max_reads = atol(argv[3]), max_size = atol(argv[4]);
  if (workers < 1 || workers > kMaxWorkers || max_reads < 1 || max_size < 1) {
    printf("ERROR EINVAL bad arguments\n");
    return 1;
  }
  size_t bytes = sizeof(struct shared) + (size_t)max_reads * sizeof(double);
  struct shared* sh = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (sh == MAP_FAILED) {
    printf("ERROR ENOMEM no shared memory for %ld reads\n", max_reads);
    return 1;
  }
  int done[2];
  if (pipe(done) != 0) return 1;
  int* go = calloc((size_t)workers, sizeof(int));
  pid_t* pids = calloc((size_t)workers, sizeof(pid_t));
  for (int w = 0; w < workers; w++) {
    int pipe_go[2];
    if (pipe(pipe_go) != 0) return 1;
    fflush(stdout);
    pids[w] = fork();
    if (pids[w] == 0) {
      close(pipe_go[1]);
      close(done[0]);
      worker(ops, target, sh, (size_t)max_size, w, pipe_go[0], done[1]);
    }
    close(pipe_go[0]);
    go[w] = pipe_go[1];
  }
  close(done[1]);
  // A worker's end of `go` closes when the parent exits, however it exits: the workers follow.
  signal(SIGPIPE, SIG_IGN);
  int status = 0;
  if (!await_workers(sh, done[0], workers) || atomic_load(&sh->code) != 0) {
    printf("ERROR %s %s\n", code_name(atomic_load(&sh->code)), sh->error);
    status = 1;
  } else {
    printf("READY\n");
  }
  fflush(stdout);
  uint32_t header[2];
  while (status == 0 && read_all(header, sizeof header) && header[0] > 0) {
    if (header[0] > (uint32_t)max_reads || header[1] > (uint32_t)max_size || header[1] == 0 ||
        !read_all(sh->positions, header[0] * sizeof(double))) {
      printf("ERROR EINVAL a run of %u reads of %u bytes is beyond this pool's %ld of %ld\n", header[0], header[1],
             max_reads, max_size);
      status = 1;
      break;
    }
    sh->count = header[0];
    sh->size = header[1];
    atomic_store(&sh->code, 0);
    // The pipe write after these stores is a system call, a full barrier: workers see them.
    atomic_store(&sh->next, 0);
    char byte = 'g';
    for (int w = 0; w < workers; w++)
      if (write(go[w], &byte, 1) != 1) fail(sh, -EPIPE, "worker %d is gone", w);
    if (!await_workers(sh, done[0], workers)) status = 1;
    if (atomic_load(&sh->code) != 0) {
      printf("ERROR %s %s\n", code_name(atomic_load(&sh->code)), sh->error);
    } else {
      uint32_t digest = 0;
      for (int w = 0; w < workers; w++) digest += sh->digests[w];
      printf("OK %u\n", digest);
    }
    fflush(stdout);
  }
  for (int w = 0; w < workers; w++) close(go[w]);
  for (int w = 0; w < workers; w++) waitpid(pids[w], NULL, 0);
  return status;
}
