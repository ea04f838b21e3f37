/* fork_exit [-n N]: N times fork, the child _exits at once, the parent waits. */
#include <stddef.h>

#include "bench.h"

int main(int argc, char **argv)
{
	struct bench_args a;
	bench_parse(argc, argv, 1000, 0, 0, "fork_exit [-n N]", &a);
	long long t0 = now_ns();
	for (long i = 0; i < a.n; i++)
		if (fork_exit_wait() != 0)
			bench_fail("fork_exit", "-", "fork");
	bench_report("fork_exit", "-", a.n, now_ns() - t0, NULL);
	return 0;
}
