/* Signals: handlers with siginfo, blocking and pending sets, delivery on unblock,
 * SIG_IGN, sa_mask during a handler, EINTR without SA_RESTART and restart with it,
 * SIGCHLD on child exit, sigsuspend. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t hits, last_sig, last_code, last_pid, usr2_blocked_in_handler;

static void handler(int sig, siginfo_t *si, void *uc)
{
	hits++;
	last_sig = sig;
	last_code = si->si_code;
	last_pid = si->si_pid;
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	usr2_blocked_in_handler = sigismember(&cur, SIGUSR2);
}

static void install(int sig, int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(sig, &sa, NULL);
}

static void nap_ms(int ms)
{
	struct timespec ts = {0, ms * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* A child that sends sig to the parent after ms, then writes to fd after another ms. */
static pid_t later(int sig, int ms, int fd)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		nap_ms(ms);
		kill(parent, sig);
		nap_ms(ms);
		(void)!write(fd, "r", 1);
		_exit(0);
	}
	return pid;
}

int main(void)
{
	install(SIGUSR1, 0);
	hits = 0;
	kill(getpid(), SIGUSR1);
	check(hits == 1 && last_sig == SIGUSR1 && last_code == SI_USER && last_pid == getpid(), "signal_handler_siginfo",
	      "hits %d sig %d code %d pid %d", (int)hits, (int)last_sig, (int)last_code, (int)last_pid);
	check(usr2_blocked_in_handler == 1, "signal_sa_mask_in_handler", "SIGUSR2 not blocked inside the handler");
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	check(!sigismember(&cur, SIGUSR2), "signal_mask_restored", "sa_mask still blocked after the handler");

	sigset_t set, pending;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	hits = 0;
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1); /* standard signals do not queue */
	sigpending(&pending);
	check(hits == 0 && sigismember(&pending, SIGUSR1), "signal_blocked_pending", "hits %d pending %d", (int)hits,
	      sigismember(&pending, SIGUSR1));
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	sigpending(&pending);
	check(hits == 1 && !sigismember(&pending, SIGUSR1), "signal_delivered_on_unblock", "hits %d", (int)hits);

	signal(SIGUSR2, SIG_IGN);
	kill(getpid(), SIGUSR2);
	sigpending(&pending);
	check(!sigismember(&pending, SIGUSR2), "signal_ignored", "ignored signal left pending");

	/* Without SA_RESTART a blocking read is interrupted: EINTR. */
	int p[2];
	pipe(p);
	install(SIGUSR1, 0);
	hits = 0;
	pid_t parent = getpid();
	pid_t child = fork();
	if (child == 0) {
		/* Repeat, so a slow parent that reaches read() late is still interrupted. */
		for (int i = 0; i < 100; i++) {
			nap_ms(50);
			kill(parent, SIGUSR1);
		}
		_exit(0);
	}
	char c;
	errno = 0;
	int r = (int)read(p[0], &c, 1);
	int e = errno;
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	check(r == -1 && e == EINTR && hits >= 1, "signal_eintr", "read %d errno %d hits %d", r, e, (int)hits);

	/* With SA_RESTART the read resumes and gets the byte written afterwards. */
	install(SIGUSR1, SA_RESTART);
	hits = 0;
	child = later(SIGUSR1, 50, p[1]);
	r = (int)read(p[0], &c, 1);
	check(r == 1 && c == 'r' && hits == 1, "signal_sa_restart", "read %d hits %d", r, (int)hits);
	waitpid(child, NULL, 0);

	/* SIGCHLD with si_code CLD_EXITED and the child's pid. */
	install(SIGCHLD, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	hits = 0;
	child = fork();
	if (child == 0)
		_exit(4);
	sigset_t wait_mask;
	sigprocmask(SIG_BLOCK, NULL, &wait_mask);
	sigdelset(&wait_mask, SIGCHLD);
	r = sigsuspend(&wait_mask);
	check(r == -1 && errno == EINTR && hits == 1 && last_sig == SIGCHLD && last_code == CLD_EXITED &&
	      last_pid == child, "signal_sigchld_sigsuspend", "hits %d sig %d code %d pid %d (child %d)", (int)hits,
	      (int)last_sig, (int)last_code, (int)last_pid, (int)child);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	waitpid(child, NULL, 0);

	/* kill(pid, 0) probes existence; a reaped child is gone. */
	check(kill(getpid(), 0) == 0 && kill(child, 0) == -1 && errno == ESRCH, "signal_kill_zero", "errno %d", errno);
	return check_result();
}
