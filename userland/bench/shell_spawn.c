/* shell_spawn [-n N] [SHELL]: N times fork + execve SHELL -c true + wait, the way
 * system(3) runs a command (default shell: ../bin/sh relative to this program). */
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
	struct bench_args a;
	bench_parse(argc, argv, 200, 0, 0, "shell_spawn [-n N] [SHELL]", &a);
	const char *shell = a.nrest ? a.rest[0] : beside(argv[0], "../bin/sh");
	char *args[] = {"sh", "-c", "true", NULL};
	char *env[] = {"PATH=/bin", NULL};
	long long t0 = now_ns();
	for (long i = 0; i < a.n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			execve(shell, args, env);
			_exit(127);
		}
		int st;
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bench_fail("shell_spawn", "-", "shell");
	}
	bench_report("shell_spawn", "-", a.n, now_ns() - t0, NULL);
	return 0;
}
