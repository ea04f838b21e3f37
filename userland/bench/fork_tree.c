/* fork_tree [-n N] [D...]: for each depth D (default 5), N times build a binary
 * tree of processes of depth D (2^D - 1 processes, each waits for its children). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/* Runs in a tree node: forks two subtrees of depth-1, waits; returns 0 if all went well. */
static int node(int depth)
{
	if (depth <= 1)
		return 0;
	pid_t kids[2];
	for (int i = 0; i < 2; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			_exit(node(depth - 1));
	}
	int ok = 0;
	for (int i = 0; i < 2; i++) {
		int st;
		if (kids[i] < 0 || waitpid(kids[i], &st, 0) != kids[i] || !WIFEXITED(st) || WEXITSTATUS(st))
			ok = 1;
	}
	return ok;
}

int main(int argc, char **argv)
{
	static char *defaults[] = {"5"};
	struct bench_args a;
	bench_parse(argc, argv, 20, 0, 0, "fork_tree [-n N] [D...]", &a);
	char **ds = a.nrest ? a.rest : defaults;
	int nd = a.nrest ? a.nrest : 1;
	for (int i = 0; i < nd; i++) {
		int d = atoi(ds[i]);
		char param[32], extra[48];
		snprintf(param, sizeof param, "d=%d", d);
		if (d < 1 || d > 12)
			bench_fail("fork_tree", param, "bad-depth");
		long long t0 = now_ns();
		for (long n = 0; n < a.n; n++) {
			pid_t root = fork();
			if (root == 0)
				_exit(node(d));
			int st;
			if (root < 0 || waitpid(root, &st, 0) != root || !WIFEXITED(st) || WEXITSTATUS(st))
				bench_fail("fork_tree", param, "fork");
		}
		snprintf(extra, sizeof extra, " procs=%ld", (1L << d) - 1);
		bench_report("fork_tree", param, a.n, now_ns() - t0, extra);
	}
	return 0;
}
