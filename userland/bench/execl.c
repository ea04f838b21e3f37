/* execl [-t MS]: the process execs itself again and again for MS milliseconds of
 * (guest) monotonic time, like the BYTE/UnixBench "execl throughput" test; the
 * last image prints the count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
	char param[32], start[24], count[24];
	if (argc == 5 && strcmp(argv[1], "--chain") == 0) {
		long long t0 = atoll(argv[2]), ms = atoll(argv[3]);
		long ops = atol(argv[4]) + 1;
		long long t = now_ns();
		snprintf(param, sizeof param, "ms=%lld", ms);
		if (t >= t0 + ms * 1000000LL) {
			bench_report("execl", param, ops, t - t0, NULL);
			return 0;
		}
		snprintf(count, sizeof count, "%ld", ops);
		execl(argv[0], argv[0], "--chain", argv[2], argv[3], count, (char *)NULL);
		bench_fail("execl", param, "exec");
	}
	struct bench_args a;
	bench_parse(argc, argv, 0, 1000, 0, "execl [-t MS]", &a);
	snprintf(param, sizeof param, "%ld", a.ms);
	snprintf(start, sizeof start, "%lld", now_ns());
	execl(argv[0], argv[0], "--chain", start, param, "0", (char *)NULL);
	snprintf(param, sizeof param, "ms=%ld", a.ms);
	bench_fail("execl", param, "exec");
}
