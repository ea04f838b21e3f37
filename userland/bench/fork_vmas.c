/* fork_vmas [-n N] [-u] [V...]: for each V (default 4 64 1024 8192), build V
 * one-page vm_areas (alternate pages read-only so neighbours cannot merge), write
 * one byte in each writable page unless -u, then time N fork + exit + wait. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "bench.h"

int main(int argc, char **argv)
{
	static char *defaults[] = {"4", "64", "1024", "8192"};
	struct bench_args a;
	bench_parse(argc, argv, 100, 0, 'u', "fork_vmas [-n N] [-u] [V...]", &a);
	char **vs = a.nrest ? a.rest : defaults;
	int nv = a.nrest ? a.nrest : 4;
	for (int i = 0; i < nv; i++) {
		long v = atol(vs[i]);
		char param[32];
		snprintf(param, sizeof param, "v=%ld", v);
		if (v <= 0)
			bench_fail("fork_vmas", param, "bad-v");
		/* Guard pages on both sides keep the areas apart from other mappings. */
		char *base = mmap(NULL, (v + 2) * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (base == MAP_FAILED)
			bench_fail("fork_vmas", param, "mmap");
		for (long p = 0; p < v; p++) {
			char *page = base + (p + 1) * 4096;
			if (mprotect(page, 4096, p % 2 ? PROT_READ : PROT_READ | PROT_WRITE) != 0)
				bench_fail("fork_vmas", param, "mprotect");
			if (!a.flag && p % 2 == 0)
				page[0] = 1;
		}
		long long t0 = now_ns();
		for (long n = 0; n < a.n; n++)
			if (fork_exit_wait() != 0)
				bench_fail("fork_vmas", param, "fork");
		bench_report("fork_vmas", param, a.n, now_ns() - t0, a.flag ? " touched=0" : " touched=1");
		munmap(base, (v + 2) * 4096);
	}
	return 0;
}
