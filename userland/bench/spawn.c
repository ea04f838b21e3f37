/* spawn [-t MS]: fork + exit + wait as many times as fit in MS milliseconds of
 * (guest) monotonic time, like the BYTE/UnixBench "spawn" test. */
#include <stdio.h>

#include "bench.h"

int main(int argc, char **argv)
{
	struct bench_args a;
	bench_parse(argc, argv, 0, 1000, 0, "spawn [-t MS]", &a);
	char param[32];
	snprintf(param, sizeof param, "ms=%ld", a.ms);
	long long t0 = now_ns(), end = t0 + a.ms * 1000000LL, t;
	long ops = 0;
	do {
		if (fork_exit_wait() != 0)
			bench_fail("spawn", param, "fork");
		ops++;
		t = now_ns();
	} while (t < end);
	bench_report("spawn", param, ops, t - t0, NULL);
	return 0;
}
