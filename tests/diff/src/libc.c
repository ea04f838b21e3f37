/* musl start-up and libc smoke program: exercises the loader's initial stack and auxv,
 * set_thread_area (musl's %gs thread pointer), brk/mmap2 through malloc, and stdio
 * (writev). Prints only values that do not depend on addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int main(int argc, char **argv) {
  printf("## libc\n");
  printf("argc=%d argv0=%s\n", argc, argv[0] ? "set" : "null");
  int v[64];
  unsigned s = 12345;
  for (int i = 0; i < 64; i++) { s = s * 1103515245u + 12345u; v[i] = (int)(s >> 16) % 1000; }
  qsort(v, 64, sizeof v[0], cmp);
  for (int i = 0; i < 64; i += 8) printf("%d %d %d %d %d %d %d %d\n", v[i], v[i+1], v[i+2], v[i+3], v[i+4], v[i+5], v[i+6], v[i+7]);
  char buf[128];
  snprintf(buf, sizeof buf, "%08x|%-6s|%+d|%lld|%llu", 0xdeadbeef, "ab", 42, -1234567890123LL, 18446744073709551615ULL);
  printf("%s len=%zu\n", buf, strlen(buf));
  size_t total = 0;
  for (int i = 1; i <= 40; i++) {
    char *p = malloc((size_t)i * 997);
    if (!p) { printf("malloc failed\n"); return 1; }
    memset(p, i, (size_t)i * 997);
    total += (size_t)p[i * 997 - 1];
    if (i % 3) free(p);
  }
  char *big = malloc(300000);
  if (!big) { printf("big malloc failed\n"); return 1; }
  memset(big, 7, 300000);
  printf("total=%zu big=%d\n", total, big[299999]);
  free(big);
  fflush(stdout);
  fprintf(stderr, "stderr line\n");
  return 3;
}
