/* wait status encoding: exit codes in bits 8-15, the terminating signal in bits
 * 0-6; WNOHANG, waiting for a chosen child, ECHILD, zombies in /proc. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "procfs.h"

static int exit_with(int code)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(code);
	int st = -1;
	waitpid(pid, &st, 0);
	return st;
}

static int killed_by(int sig)
{
	pid_t pid = fork();
	if (pid == 0) {
		signal(sig, SIG_DFL);
		for (;;)
			pause();
	}
	kill(pid, sig);
	int st = -1;
	waitpid(pid, &st, 0);
	return st;
}

int main(void)
{
	int codes[] = {0, 1, 42, 255, 256, 257};
	for (int i = 0; i < 6; i++) {
		int st = exit_with(codes[i]);
		char name[64];
		snprintf(name, sizeof name, "wait_exit_%d", codes[i]);
		check(WIFEXITED(st) && !WIFSIGNALED(st) && WEXITSTATUS(st) == (codes[i] & 255) &&
		      st == (codes[i] & 255) << 8, name, "status 0x%x", st);
	}
	int sigs[] = {SIGKILL, SIGTERM, SIGINT, SIGUSR1};
	for (int i = 0; i < 4; i++) {
		int st = killed_by(sigs[i]);
		char name[64];
		snprintf(name, sizeof name, "wait_signal_%d", sigs[i]);
		check(WIFSIGNALED(st) && !WIFEXITED(st) && WTERMSIG(st) == sigs[i] && (st & 0x7f) == sigs[i] &&
		      (st & ~0xff) == 0, name, "status 0x%x", st);
	}

	/* WNOHANG on a running child returns 0; waiting for a chosen pid among two. */
	int p[2];
	pipe(p);
	pid_t a = fork();
	if (a == 0) {
		char c;
		close(p[1]);
		(void)!read(p[0], &c, 1);
		_exit(11);
	}
	pid_t b = fork();
	if (b == 0)
		_exit(22);
	int st = 0;
	pid_t r = waitpid(a, &st, WNOHANG);
	check(r == 0, "wait_wnohang_running", "waitpid returned %d", (int)r);
	r = waitpid(b, &st, 0);
	check(r == b && WEXITSTATUS(st) == 22, "wait_specific_pid", "waitpid returned %d status 0x%x", (int)r, st);

	/* A child that exited but is not yet waited for is a zombie. */
	pid_t z = fork();
	if (z == 0)
		_exit(0);
	char path[64], stat[512] = "";
	snprintf(path, sizeof path, "/proc/%d/stat", (int)z);
	char state = '?';
	for (int tries = 0; tries < 200 && state != 'Z'; tries++) {
		usleep(5000);
		if (read_text(path, stat, sizeof stat) > 0) {
			char *paren = strrchr(stat, ')');
			state = paren ? paren[2] : '?';
		}
	}
	check(state == 'Z', "wait_zombie_state", "state %c in %s", state, stat);
	r = waitpid(z, &st, 0);
	check(r == z && access(path, F_OK) != 0, "wait_reaps_zombie", "still in /proc after wait");

	close(p[1]);
	r = wait(&st);
	check(r == a && WEXITSTATUS(st) == 11, "wait_any", "wait returned %d", (int)r);
	errno = 0;
	r = wait(&st);
	check(r == -1 && errno == ECHILD, "wait_echild", "wait returned %d errno %d", (int)r, errno);
	return check_result();
}
