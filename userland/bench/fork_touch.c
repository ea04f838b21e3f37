/* fork_touch [-n N] [K...]: for each K (default 16 256 4096), write one byte in
 * each of K anonymous pages, then time N fork + exit + wait. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "bench.h"

int main(int argc, char **argv)
{
	static char *defaults[] = {"16", "256", "4096"};
	struct bench_args a;
	bench_parse(argc, argv, 200, 0, 0, "fork_touch [-n N] [K...]", &a);
	char **ks = a.nrest ? a.rest : defaults;
	int nk = a.nrest ? a.nrest : 3;
	for (int i = 0; i < nk; i++) {
		long k = atol(ks[i]);
		char param[32];
		snprintf(param, sizeof param, "k=%ld", k);
		if (k <= 0)
			bench_fail("fork_touch", param, "bad-k");
		char *mem = mmap(NULL, k * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			bench_fail("fork_touch", param, "mmap");
		for (long p = 0; p < k; p++)
			mem[p * 4096] = 1;
		long long t0 = now_ns();
		for (long n = 0; n < a.n; n++)
			if (fork_exit_wait() != 0)
				bench_fail("fork_touch", param, "fork");
		bench_report("fork_touch", param, a.n, now_ns() - t0, NULL);
		munmap(mem, k * 4096);
	}
	return 0;
}
