/* ptrace(2) as a debugger uses it: PTRACE_TRACEME and the SIGTRAP stop after
 * execve, registers (GETREGS, SETREGS, PEEKUSER), memory (PEEKTEXT/PEEKDATA,
 * POKETEXT into read-only text, which stays private to the tracee), an int3
 * breakpoint, SINGLESTEP, GETSIGINFO, signal stops with the signal suppressed
 * or replaced by PTRACE_CONT, PTRACE_KILL, PTRACE_ATTACH/DETACH, a tracer's
 * exit detaching its tracee, and the errors ESRCH, EPERM and EIO. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

extern char _start[];

/* The function the debugger puts a breakpoint on (in the exec'd copy of this program). */
int __attribute__((noinline)) target_fn(int x)
{
	return x * 3 + 1;
}

static int wait_status(pid_t pid)
{
	int st = 0;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static int stopped_by(int st, int sig)
{
	return st != -1 && WIFSTOPPED(st) && WSTOPSIG(st) == sig;
}

/* ---- TRACEME, exec, registers, memory, breakpoint, single step */

static void debugger(const char *self)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0)
			_exit(100);
		execl(self, self, "target", (char *)NULL);
		_exit(101);
	}
	int st = wait_status(pid);
	if (!check(stopped_by(st, SIGTRAP), "ptrace_exec_sigtrap_stop", "status %#x", st)) {
		kill(pid, SIGKILL);
		wait_status(pid);
		return;
	}

	struct user_regs_struct regs;
	memset(&regs, 0, sizeof regs);
	check(ptrace(PTRACE_GETREGS, pid, 0, &regs) == 0 && regs.eip == (long)_start, "ptrace_getregs_entry",
	      "eip %#lx, _start %p", regs.eip, (void *)_start);
	errno = 0;
	long argc = ptrace(PTRACE_PEEKDATA, pid, (void *)regs.esp, 0);
	check(errno == 0 && argc == 2, "ptrace_peekdata_argc", "argc %ld errno %d", argc, errno);
	errno = 0;
	long eip = ptrace(PTRACE_PEEKUSER, pid, (void *)offsetof(struct user, regs.eip), 0);
	check(errno == 0 && eip == regs.eip, "ptrace_peekuser_eip", "%#lx errno %d", eip, errno);
	errno = 0;
	long dr7 = ptrace(PTRACE_PEEKUSER, pid, (void *)(sizeof(struct user) - 4), 0);
	check(errno == 0 && dr7 == 0, "ptrace_peekuser_debugreg", "%#lx errno %d", dr7, errno);
	errno = 0;
	check(ptrace(PTRACE_PEEKUSER, pid, (void *)2, 0) == -1 && errno == EIO, "ptrace_peekuser_unaligned_eio",
	      "errno %d", errno);
	errno = 0;
	check(ptrace(PTRACE_PEEKUSER, pid, (void *)sizeof(struct user), 0) == -1 && errno == EIO,
	      "ptrace_peekuser_past_end_eio", "errno %d", errno);
	errno = 0;
	check(ptrace(PTRACE_PEEKDATA, pid, (void *)16, 0) == -1 && errno == EIO, "ptrace_peekdata_unmapped_eio",
	      "errno %d", errno);
	errno = 0;
	check(ptrace(PTRACE_POKEDATA, pid, (void *)16, 0) == -1 && errno == EIO, "ptrace_pokedata_unmapped_eio",
	      "errno %d", errno);

	/* A breakpoint on target_fn: int3 over its first byte, in the tracee's read-only text. */
	long *fn = (long *)(uintptr_t)target_fn;
	errno = 0;
	long word = ptrace(PTRACE_PEEKTEXT, pid, fn, 0);
	check(errno == 0 && word == *fn, "ptrace_peektext", "%#lx, here %#lx", word, *fn);
	check(ptrace(PTRACE_POKETEXT, pid, fn, (void *)((word & ~0xffL) | 0xcc)) == 0, "ptrace_poketext_readonly_text",
	      "errno %d", errno);
	check(*(unsigned char *)fn != 0xcc && *fn == word, "ptrace_poketext_private", "tracer's own text changed: %#lx",
	      *fn);
	check(ptrace(PTRACE_CONT, pid, 0, 0) == 0, "ptrace_cont", "errno %d", errno);
	st = wait_status(pid);
	check(stopped_by(st, SIGTRAP), "ptrace_breakpoint_stop", "status %#x", st);
	ptrace(PTRACE_GETREGS, pid, 0, &regs);
	check(regs.eip == (long)fn + 1, "ptrace_breakpoint_eip", "eip %#lx, breakpoint at %p", regs.eip, (void *)fn);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	check(ptrace(PTRACE_GETSIGINFO, pid, 0, &si) == 0 && si.si_signo == SIGTRAP, "ptrace_getsiginfo", "signo %d",
	      si.si_signo);

	/* Change the argument on the stack, put the instruction back and re-execute it. */
	long arg_addr = regs.esp + 4;
	errno = 0;
	check(ptrace(PTRACE_PEEKDATA, pid, (void *)arg_addr, 0) == 13 && errno == 0, "ptrace_peekdata_argument",
	      "errno %d", errno);
	ptrace(PTRACE_POKEDATA, pid, (void *)arg_addr, (void *)20);
	ptrace(PTRACE_POKETEXT, pid, fn, (void *)word);
	errno = 0;
	check(ptrace(PTRACE_PEEKTEXT, pid, fn, 0) == word && errno == 0, "ptrace_poketext_restored", "errno %d", errno);
	regs.eip = (long)fn;
	check(ptrace(PTRACE_SETREGS, pid, 0, &regs) == 0, "ptrace_setregs", "errno %d", errno);
	struct user_regs_struct bad = regs;
	bad.xcs = 0x08; /* a kernel code selector */
	errno = 0;
	check(ptrace(PTRACE_SETREGS, pid, 0, &bad) == -1 && errno == EIO, "ptrace_setregs_bad_cs_eio", "errno %d", errno);
	check(ptrace(PTRACE_SINGLESTEP, pid, 0, 0) == 0, "ptrace_singlestep", "errno %d", errno);
	st = wait_status(pid);
	ptrace(PTRACE_GETREGS, pid, 0, &regs);
	check(stopped_by(st, SIGTRAP) && regs.eip > (long)fn && regs.eip < (long)fn + 16, "ptrace_singlestep_stop",
	      "status %#x eip %#lx fn %p", st, regs.eip, (void *)fn);
	errno = 0;
	check(ptrace(PTRACE_CONT, pid, 0, (void *)(long)(NSIG + 1)) == -1 && errno == EIO, "ptrace_cont_bad_signal_eio",
	      "errno %d", errno);
	ptrace(PTRACE_CONT, pid, 0, 0);
	st = wait_status(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 61, "ptrace_pokedata_argument", "status %#x (61 = target_fn(20))", st);
}

/* ---- signal stops: suppress, replace, kill */

static volatile int usr1_hits, usr2_hits;

static void on_usr1(int sig)
{
	usr1_hits++;
}

static void on_usr2(int sig)
{
	usr2_hits++;
}

static void signal_stops(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGUSR1, on_usr1);
		signal(SIGUSR2, on_usr2);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		kill(getpid(), SIGUSR1);
		kill(getpid(), SIGUSR2);
		_exit(usr1_hits * 16 + usr2_hits);
	}
	int st = wait_status(pid);
	check(stopped_by(st, SIGUSR1), "ptrace_signal_stop", "status %#x", st);
	ptrace(PTRACE_CONT, pid, 0, 0); /* SIGUSR1 suppressed */
	st = wait_status(pid);
	check(stopped_by(st, SIGUSR2), "ptrace_signal_stop_second", "status %#x", st);
	errno = 0;
	check(ptrace(PTRACE_GETSIGINFO, pid, 0, &(siginfo_t){0}) == 0, "ptrace_getsiginfo_signal", "errno %d", errno);
	ptrace(PTRACE_CONT, pid, 0, (void *)SIGUSR1); /* SIGUSR2 replaced by SIGUSR1 */
	st = wait_status(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 16, "ptrace_cont_suppresses_and_injects",
	      "status %#x (want exit 16: one SIGUSR1, no SIGUSR2)", st);

	pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		kill(getpid(), SIGUSR1);
		_exit(0);
	}
	st = wait_status(pid);
	check(stopped_by(st, SIGUSR1), "ptrace_default_signal_stop", "status %#x", st);
	check(ptrace(PTRACE_KILL, pid, 0, 0) == 0, "ptrace_kill_call", "errno %d", errno);
	st = wait_status(pid);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "ptrace_kill", "status %#x", st);
}

/* ---- attach, detach, errors */

static volatile long marker = 0x12345678;

static void on_usr1_marker(int sig)
{
}

static void attach_detach(void)
{
	signal(SIGUSR1, on_usr1_marker);
	int ready[2];
	char c;
	if (pipe(ready) != 0) {
		fail("ptrace_attach_setup", "pipe: errno %d", errno);
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		/* SIGUSR1 can arrive only inside sigsuspend, where the child waits once it said so. */
		sigset_t usr1, others;
		sigemptyset(&usr1);
		sigaddset(&usr1, SIGUSR1);
		sigprocmask(SIG_BLOCK, &usr1, &others);
		(void)!write(ready[1], "r", 1);
		for (;;) {
			sigsuspend(&others);
			if (marker == 0x55aa)
				_exit(7);
		}
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		fail("ptrace_attach_setup", "child not ready");
	close(ready[0]);
	errno = 0;
	check(ptrace(PTRACE_PEEKDATA, pid, (void *)&marker, 0) == -1 && errno == ESRCH, "ptrace_esrch_not_traced",
	      "errno %d", errno);
	check(ptrace(PTRACE_ATTACH, pid, 0, 0) == 0, "ptrace_attach", "errno %d", errno);
	int st = wait_status(pid);
	check(stopped_by(st, SIGSTOP), "ptrace_attach_sigstop", "status %#x", st);
	errno = 0;
	check(ptrace(PTRACE_ATTACH, pid, 0, 0) == -1 && errno == EPERM, "ptrace_attach_twice_eperm", "errno %d", errno);
	errno = 0;
	long m = ptrace(PTRACE_PEEKDATA, pid, (void *)&marker, 0);
	check(errno == 0 && m == 0x12345678, "ptrace_peekdata_attached", "%#lx errno %d", m, errno);
	check(ptrace(PTRACE_POKEDATA, pid, (void *)&marker, (void *)0x55aa) == 0 && marker == 0x12345678,
	      "ptrace_pokedata_attached", "errno %d marker %#lx", errno, marker);
	check(ptrace(PTRACE_CONT, pid, 0, 0) == 0, "ptrace_cont_attached", "errno %d", errno);
	errno = 0;
	struct user_regs_struct regs;
	check(ptrace(PTRACE_GETREGS, pid, 0, &regs) == -1 && errno == ESRCH, "ptrace_esrch_running", "errno %d", errno);
	kill(pid, SIGUSR1);
	st = wait_status(pid);
	check(stopped_by(st, SIGUSR1), "ptrace_attached_signal_stop", "status %#x", st);
	check(ptrace(PTRACE_DETACH, pid, 0, (void *)SIGUSR1) == 0, "ptrace_detach", "errno %d", errno);
	errno = 0;
	check(ptrace(PTRACE_CONT, pid, 0, 0) == -1 && errno == ESRCH, "ptrace_esrch_detached", "errno %d", errno);
	st = wait_status(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 7, "ptrace_detach_delivers", "status %#x", st);

	errno = 0;
	check(ptrace(PTRACE_ATTACH, getpid(), 0, 0) == -1 && errno == EPERM, "ptrace_attach_self_eperm", "errno %d",
	      errno);
	errno = 0;
	check(ptrace(PTRACE_ATTACH, 999999, 0, 0) == -1 && errno == ESRCH, "ptrace_attach_no_such_pid_esrch", "errno %d",
	      errno);
	if (on_vmalab()) {
		errno = 0;
		check(ptrace(PTRACE_ATTACH, 1, 0, 0) == -1 && errno == EPERM, "ptrace_attach_init_eperm", "errno %d", errno);
	} else {
		skip("ptrace_attach_init_eperm", "Linux since 2.6.26 lets root trace init");
	}

	if (geteuid() != 0) {
		skip("ptrace_attach_other_uid_eperm", "needs root to drop to another uid");
		return;
	}
	pid_t parent = getpid();
	pid = fork();
	if (pid == 0) {
		if (setuid(65534) != 0)
			_exit(2);
		errno = 0;
		_exit(ptrace(PTRACE_ATTACH, parent, 0, 0) == -1 && errno == EPERM ? 0 : 1);
	}
	st = wait_status(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "ptrace_attach_other_uid_eperm", "status %#x", st);
}

/*
 * ---- a tracer that exits lets its stopped tracee go on, without the signal it
 * stopped for once the tracer's wait reported the stop: the tracee resumes with
 * its exit_code, which wait_task_stopped cleared (Linux kernel/exit.c).
 */

static void tracer_exit(void)
{
	int p[2];
	if (pipe(p) != 0) {
		fail("ptrace_tracer_exit_detaches", "pipe: errno %d", errno);
		return;
	}
	pid_t tracer = fork();
	if (tracer == 0) {
		pid_t tracee = fork();
		if (tracee == 0) {
			signal(SIGUSR1, on_usr1);
			ptrace(PTRACE_TRACEME, 0, 0, 0);
			kill(getpid(), SIGUSR1);
			char c = usr1_hits == 0 ? 'y' : 'n';
			(void)!write(p[1], &c, 1);
			_exit(0);
		}
		int st = wait_status(tracee);
		_exit(stopped_by(st, SIGUSR1) ? 0 : 1); /* exits with the tracee stopped */
	}
	close(p[1]);
	int st = wait_status(tracer);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "ptrace_tracer_saw_stop", "status %#x", st);
	struct pollfd pfd = {.fd = p[0], .events = POLLIN};
	char c = 0;
	int ready = poll(&pfd, 1, 10000);
	check(ready == 1 && read(p[0], &c, 1) == 1 && c == 'y', "ptrace_tracer_exit_detaches", "poll %d byte %c", ready,
	      c ? c : '-');
	close(p[0]);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "target") == 0)
		return target_fn(argc + 11) & 0xff; /* 40, unless a debugger changed the argument */
	debugger(argv[0]);
	signal_stops();
	attach_detach();
	tracer_exit();
	return check_result();
}
