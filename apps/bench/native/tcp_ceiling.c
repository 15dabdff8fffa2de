// The loopback TCP ceiling for a file server: how many random reads of SIZE bytes one TCP
// connection on 127.0.0.1 carries when nothing but C runs on either end. The server thread
// sends each read as a 13-byte header and the file's bytes, either copied (pread into a buffer,
// then one writev per 8 reads) or spliced (page-cache pages to the socket through a pipe, as the
// netfs server does); the client thread receives into a 512 KiB buffer and copies each read out
// into a destination, as a client that hands bytes to its caller must. No requests flow back:
// the server streams, so this is an upper bound for any request/response protocol on the same
// connection. `local` is the reference: the same reads with pread on one thread, no socket.
// Prints one JSON line: reads/s and each side's CPU time per read.
//
// usage: tcp_ceiling FILE SIZE READS local|copy|splice
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define HEADER 13
#define BATCH 8
#define STAGING (512 * 1024)

static long long g_reads;
static size_t g_size;

static double seconds(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void fail(const char* what) {
  printf("{\"error\":\"%s failed\"}\n", what);
  exit(1);
}

static double g_client_cpu;

// Receive every frame; copy each read's bytes out of the staging buffer into a destination.
static void* client(void* arg) {
  int socket = *(int*)arg;
  char* staging = aligned_alloc(4096, STAGING);
  size_t dest_bytes = 64u << 20;
  char* dest = aligned_alloc(4096, dest_bytes);
  if (staging == NULL || dest == NULL) fail("aligned_alloc");
  memset(dest, 0, dest_bytes);
  long long want = g_reads * (long long)(g_size + HEADER);
  long long got = 0;
  size_t at = 0;
  double start = seconds(CLOCK_THREAD_CPUTIME_ID);
  while (got < want) {
    ssize_t n = recv(socket, staging, STAGING, 0);
    if (n <= 0) fail("recv");
    if (at + (size_t)n > dest_bytes) at = 0;
    memcpy(dest + at, staging, (size_t)n);
    at += (size_t)n;
    got += n;
  }
  g_client_cpu = seconds(CLOCK_THREAD_CPUTIME_ID) - start;
  return NULL;
}

static void send_all(int socket, struct iovec* iov, int count) {
  while (count > 0) {
    ssize_t n = writev(socket, iov, count);
    if (n < 0) fail("writev");
    while (count > 0 && (size_t)n >= iov->iov_len) {
      n -= (ssize_t)iov->iov_len;
      iov++;
      count--;
    }
    if (count > 0) {
      iov->iov_base = (char*)iov->iov_base + n;
      iov->iov_len -= (size_t)n;
    }
  }
}

int main(int argc, char** argv) {
  if (argc != 5) fail("usage: tcp_ceiling FILE SIZE READS local|copy|splice; arguments");
  int file = open(argv[1], O_RDONLY);
  if (file < 0) fail("open");
  g_size = (size_t)atol(argv[2]);
  g_reads = atoll(argv[3]);
  int splicing = strcmp(argv[4], "splice") == 0;
  off_t file_size = lseek(file, 0, SEEK_END);
  long long blocks = (long long)(file_size - (off_t)g_size) / 4096;
  if (blocks <= 0) fail("file size");
  uint64_t random = 88172645463325252ull;
  if (strcmp(argv[4], "local") == 0) {
    char* buffer = aligned_alloc(4096, g_size);
    double wall = seconds(CLOCK_MONOTONIC);
    for (long long i = 0; i < g_reads; i++) {
      random ^= random << 13, random ^= random >> 7, random ^= random << 17;
      if (pread(file, buffer, g_size, (off_t)(random % (uint64_t)blocks) * 4096) != (ssize_t)g_size) fail("pread");
    }
    wall = seconds(CLOCK_MONOTONIC) - wall;
    printf("{\"mode\":\"local\",\"size\":%zu,\"reads\":%lld,\"seconds\":%.4f,\"readsPerSecond\":%.0f}\n", g_size,
           g_reads, wall, (double)g_reads / wall);
    return 0;
  }

  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t length = sizeof address;
  if (bind(listener, (struct sockaddr*)&address, sizeof address) < 0 || listen(listener, 1) < 0) fail("listen");
  getsockname(listener, (struct sockaddr*)&address, &length);
  int client_socket = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(client_socket, (struct sockaddr*)&address, sizeof address) < 0) fail("connect");
  int server_socket = accept(listener, NULL, NULL);
  int one = 1;
  setsockopt(server_socket, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  char* buffers = aligned_alloc(4096, g_size * BATCH);
  char headers[HEADER * BATCH];
  memset(headers, 0, sizeof headers);
  int pipe_fds[2];
  if (pipe(pipe_fds) < 0) fail("pipe");
  fcntl(pipe_fds[1], F_SETPIPE_SZ, (int)g_size < 65536 ? 65536 : (int)g_size);

  pthread_t thread;
  pthread_create(&thread, NULL, client, &client_socket);
  double wall = seconds(CLOCK_MONOTONIC);
  double cpu = seconds(CLOCK_THREAD_CPUTIME_ID);
  for (long long i = 0; i < g_reads; i += BATCH) {
    struct iovec iov[2 * BATCH];
    int count = 0;
    for (int j = 0; j < BATCH && i + j < g_reads; j++) {
      random ^= random << 13, random ^= random >> 7, random ^= random << 17;
      off_t position = (off_t)(random % (uint64_t)blocks) * 4096;
      if (splicing) {
        ssize_t staged = splice(file, &position, pipe_fds[1], NULL, g_size, SPLICE_F_MOVE);
        if (staged != (ssize_t)g_size) fail("splice from the file");
        if (send(server_socket, headers, HEADER, MSG_MORE) != HEADER) fail("send");
        while (staged > 0) {
          ssize_t n = splice(pipe_fds[0], NULL, server_socket, NULL, (size_t)staged, SPLICE_F_MOVE);
          if (n <= 0) fail("splice to the socket");
          staged -= n;
        }
      } else {
        char* buffer = buffers + (size_t)j * g_size;
        if (pread(file, buffer, g_size, position) != (ssize_t)g_size) fail("pread");
        iov[count++] = (struct iovec){headers + j * HEADER, HEADER};
        iov[count++] = (struct iovec){buffer, g_size};
      }
    }
    if (!splicing) send_all(server_socket, iov, count);
  }
  double server_cpu = seconds(CLOCK_THREAD_CPUTIME_ID) - cpu;
  pthread_join(thread, NULL);
  wall = seconds(CLOCK_MONOTONIC) - wall;
  printf(
      "{\"mode\":\"%s\",\"size\":%zu,\"reads\":%lld,\"seconds\":%.4f,\"readsPerSecond\":%.0f,\"serverCpuMicros\":%.2f,"
      "\"clientCpuMicros\":%.2f}\n",
      splicing ? "splice" : "copy", g_size, g_reads, wall, (double)g_reads / wall, server_cpu * 1e6 / (double)g_reads,
      g_client_cpu * 1e6 / (double)g_reads);
  return 0;
}
