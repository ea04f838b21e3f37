/* zap_sparse [-n N] [MB [STRIDE_KB]]: N times map MB MiB (default 256) of
 * anonymous memory, write one byte every STRIDE_KB KiB (default 4096: one page
 * per page table), then unmap the whole range: the sparse zap of a large range. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "bench.h"

int main(int argc, char **argv)
{
	struct bench_args a;
	bench_parse(argc, argv, 100, 0, 0, "zap_sparse [-n N] [MB [STRIDE_KB]]", &a);
	long mb = a.nrest > 0 ? atol(a.rest[0]) : 256;
	long stride_kb = a.nrest > 1 ? atol(a.rest[1]) : 4096;
	char param[48], extra[48];
	snprintf(param, sizeof param, "mb=%ld", mb);
	if (mb <= 0 || mb > 2048 || stride_kb < 4 || stride_kb % 4)
		bench_fail("zap_sparse", param, "bad-size");
	size_t size = (size_t)mb << 20, stride = (size_t)stride_kb << 10;
	long long t0 = now_ns();
	for (long n = 0; n < a.n; n++) {
		char *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (m == MAP_FAILED)
			bench_fail("zap_sparse", param, "mmap");
		for (size_t off = 0; off < size; off += stride)
			m[off] = 1;
		if (munmap(m, size) != 0)
			bench_fail("zap_sparse", param, "munmap");
	}
	snprintf(extra, sizeof extra, " stride_kb=%ld pages=%ld", stride_kb, (long)((size + stride - 1) / stride));
	bench_report("zap_sparse", param, a.n, now_ns() - t0, extra);
	return 0;
}
