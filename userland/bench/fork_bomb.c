/* fork_bomb [-l LIMIT]: a bounded fork bomb. A leader process lowers
 * RLIMIT_NPROC to LIMIT (default 64), drops root to uid 65534 when it can (root
 * ignores RLIMIT_NPROC on Linux), then forks children that sleep on a pipe until
 * fork fails (EAGAIN) or a hard cap of 2*LIMIT (at most 4096) is reached; then it
 * releases and reaps them all. Reports the number of successful forks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define HARD_CAP 4096

int main(int argc, char **argv)
{
	long limit = 64;
	if (argc == 3 && strcmp(argv[1], "-l") == 0)
		limit = atol(argv[2]);
	else if (argc != 1) {
		fputs("usage: fork_bomb [-l LIMIT]\n", stderr);
		return 2;
	}
	char param[32];
	snprintf(param, sizeof param, "limit=%ld", limit);
	if (limit < 1 || limit > HARD_CAP / 2)
		bench_fail("fork_bomb", param, "bad-limit");
	long cap = 2 * limit;

	pid_t leader = fork();
	if (leader < 0)
		bench_fail("fork_bomb", param, "fork");
	if (leader == 0) {
		struct rlimit rl = {(rlim_t)limit, (rlim_t)limit};
		if (setrlimit(RLIMIT_NPROC, &rl) != 0)
			bench_fail("fork_bomb", param, "setrlimit");
		if (getuid() == 0 && setgid(65534) == 0)
			(void)!setuid(65534);
		int hold[2];
		if (pipe(hold) != 0)
			bench_fail("fork_bomb", param, "pipe");
		static pid_t kids[HARD_CAP];
		long count = 0;
		int err = 0;
		long long t0 = now_ns();
		while (count < cap) {
			pid_t pid = fork();
			if (pid < 0) {
				err = errno;
				break;
			}
			if (pid == 0) {
				char c;
				close(hold[1]);
				(void)!read(hold[0], &c, 1); /* returns 0 when the leader lets go */
				_exit(0);
			}
			kids[count++] = pid;
		}
		close(hold[1]);
		for (long i = 0; i < count; i++)
			waitpid(kids[i], NULL, 0);
		long long ns = now_ns() - t0;
		char extra[64];
		if (err == EAGAIN || !err)
			snprintf(extra, sizeof extra, " stop=%s", err ? "EAGAIN" : "cap");
		else
			snprintf(extra, sizeof extra, " stop=errno%d", err);
		bench_report("fork_bomb", param, count, ns, extra);
		_exit(0);
	}
	int st;
	waitpid(leader, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
