/* vfork: the parent is suspended until the child execs or exits, and the child
 * runs in the parent's memory until then. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static volatile int shared_var;

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "--exit") == 0)
		return atoi(argv[2]);

	shared_var = 0;
	pid_t pid = vfork();
	if (pid == 0) {
		shared_var = 42; /* visible to the parent: same memory until _exit */
		_exit(7);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	check(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7, "vfork_exit_status", "status 0x%x", st);
	check(shared_var == 42, "vfork_shares_memory", "parent saw %d, not the child's 42", shared_var);

	/* The parent resumes only after the child's exec; the new image exits with 5. */
	char *args[] = {argv[0], "--exit", "5", NULL};
	pid = vfork();
	if (pid == 0) {
		execv(argv[0], args);
		_exit(99);
	}
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 5, "vfork_exec", "status 0x%x", st);

	/* A failed exec in the child leaves the parent's memory intact. */
	char *none[] = {"/nonexistent/program", NULL};
	shared_var = 1;
	pid = vfork();
	if (pid == 0) {
		execv(none[0], none);
		_exit(3);
	}
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 3 && shared_var == 1, "vfork_exec_fails",
	      "status 0x%x var %d", st, shared_var);
	return check_result();
}
