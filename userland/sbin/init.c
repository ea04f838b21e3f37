/* init: the first process. Makes sure /dev/console is fds 0-2, prints a banner,
 * runs the login shell on the console in its own session (respawning it when it
 * exits) and reaps every orphan that is reparented to it. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char SHELL[] = "/bin/sh";

static void console_fds(void)
{
	if (fcntl(0, F_GETFD) != -1 && fcntl(1, F_GETFD) != -1 && fcntl(2, F_GETFD) != -1)
		return;
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return; /* nowhere to report it */
	for (int i = 0; i < 3; i++)
		if (fcntl(i, F_GETFD) == -1)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

static pid_t start_shell(void)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* A new session whose controlling terminal is the console, so the shell can
	 * hand the terminal to its foreground jobs. */
	setsid();
	ioctl(0, TIOCSCTTY, 0);
	char *argv[] = {"-sh", NULL};
	char *envp[] = {"HOME=/root", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "TERM=vt100", "USER=root", "LOGNAME=root",
			"SHELL=/bin/sh", NULL};
	if (chdir("/root") != 0)
		(void)!chdir("/");
	execve(SHELL, argv, envp);
	dprintf(2, "init: cannot run %s: %s\n", SHELL, strerror(errno));
	_exit(127);
}

int main(void)
{
	console_fds();
	/* init must survive every stray signal; children reset these. */
	for (int s = 1; s < NSIG; s++)
		if (s != SIGCHLD)
			signal(s, SIG_IGN);

	struct utsname u;
	if (uname(&u) == 0)
		dprintf(1, "%s %s %s: init started, shell is %s\n", u.sysname, u.release, u.machine, SHELL);

	for (;;) {
		struct timespec started;
		clock_gettime(CLOCK_MONOTONIC, &started);
		pid_t shell = start_shell();
		if (shell < 0) {
			dprintf(2, "init: fork: %s\n", strerror(errno));
			sleep(1);
			continue;
		}
		for (;;) {
			int status;
			pid_t pid = wait(&status);
			if (pid == shell)
				break;
			if (pid < 0 && errno != EINTR) {
				/* No children at all: the shell is gone without a status. */
				break;
			}
		}
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - started.tv_sec < 1)
			sleep(1); /* a shell that dies at once must not spin */
	}
}
