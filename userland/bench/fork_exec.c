/* fork_exec [-n N] [PROGRAM]: N times fork, execve a small static program
 * (default: nop beside this one), exit, wait. */
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
	struct bench_args a;
	bench_parse(argc, argv, 500, 0, 0, "fork_exec [-n N] [PROGRAM]", &a);
	const char *prog = a.nrest ? a.rest[0] : beside(argv[0], "nop");
	char *args[] = {(char *)prog, NULL};
	char *env[] = {NULL};
	long long t0 = now_ns();
	for (long i = 0; i < a.n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			execve(prog, args, env);
			_exit(127);
		}
		int st;
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bench_fail("fork_exec", "-", "exec");
	}
	bench_report("fork_exec", "-", a.n, now_ns() - t0, NULL);
	return 0;
}
