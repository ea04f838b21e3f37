/* Floating point on the x87: printf of doubles, libm, 80-bit long double;
 * each process keeps its own FPU state across context switches, fork copies
 * it, a signal handler gets a fresh FPU and the interrupted code gets its own
 * back, exec resets the control word to 0x037F, and an unmasked exception is
 * SIGFPE with Linux's si_code. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static unsigned short get_cw(void)
{
	unsigned short cw;
	__asm__ volatile("fnstcw %0" : "=m"(cw));
	return cw;
}

static void set_cw(unsigned short cw)
{
	__asm__ volatile("fldcw %0" : : "m"(cw));
}

static void formats(void)
{
	char buf[128];
	volatile double third = 1.0 / 3.0, two = 2.0;
	volatile long double ld = 1.0L / 3.0L;
	snprintf(buf, sizeof buf, "%.3f %.6f %g %.2e %.15Lf", third, sqrt(two), 1e200 * 1e200, -0.000123, ld);
	check(strcmp(buf, "0.333 1.414214 inf -1.23e-04 0.333333333333333") == 0, "fpu_printf", "got '%s'", buf);
	check(fabs(sin(M_PI / 6) - 0.5) < 1e-15 && exp(log(10.0)) > 9.999999 && atan2(1, 1) * 4 == M_PI, "fpu_libm",
	      "sin %.17g", sin(M_PI / 6));
}

/* Loads pi and 1 on the x87 stack, yields the CPU n times through int 0x80 (a
 * child meanwhile wrecks its own FPU), then stores them back: they must survive. */
static int survives_yields(int n)
{
	double a = 0, b = 0;
	for (int i = 0; i < n; i++) {
		__asm__ volatile("fldpi\n\tfld1\n\t"
				 "int $0x80\n\t"
				 "fstpl %0\n\tfstpl %1"
				 : "=m"(b), "=m"(a)
				 : "a"(SYS_sched_yield)
				 : "memory", "st", "st(1)");
		if (a != M_PI || b != 1.0)
			return 0;
	}
	return 1;
}

static void switches(void)
{
	set_cw(0x077f); /* round down, so a reset or a neighbour's control word would show */
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 2000; i++) {
			__asm__ volatile("fninit\n\tfldz\n\tfldz\n\tfldz\n\tint $0x80\n\tfninit" : : "a"(SYS_sched_yield) : "memory");
		}
		_exit(0);
	}
	int ok = survives_yields(500);
	int cw = get_cw();
	int st;
	waitpid(pid, &st, 0);
	check(ok && cw == 0x077f, "fpu_context_switch", "registers kept %d, control word %#x", ok, cw);
	set_cw(0x037f);
}

static void fork_copies(void)
{
	double v = 0;
	set_cw(0x0b7f); /* round up */
	long r;
	/* fork with log2(10) on the stack: both sides find it there, stored rounded up */
	__asm__ volatile("fldl2t\n\tint $0x80\n\tfstpl %1" : "=a"(r), "=m"(v) : "a"(SYS_fork) : "memory", "st");
	const double up = 3.3219280948873626; /* log2(10) rounded up to a double (nearest gives ...3622) */
	if (r == 0)
		_exit(v == up && get_cw() == 0x0b7f ? 0 : 1);
	int st;
	waitpid((pid_t)r, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0 && v == up, "fpu_fork", "child status %#x, parent stored %.17g", st, v);
	set_cw(0x037f);
}

static volatile unsigned short handler_cw;
static void wrecker(int sig)
{
	handler_cw = get_cw();
	__asm__ volatile("fninit\n\tfldz\n\tfldz\n\tfldz\n\tfldz" : : : "memory");
	set_cw(0x0f7f);
}

static void handlers(void)
{
	signal(SIGUSR1, wrecker);
	set_cw(0x077f);
	double a = 0, b = 0;
	__asm__ volatile("fldpi\n\tfld1\n\t"
			 "int $0x80\n\t"
			 "fstpl %0\n\tfstpl %1"
			 : "=m"(b), "=m"(a)
			 : "a"(SYS_kill), "b"(getpid()), "c"(SIGUSR1)
			 : "memory", "st", "st(1)");
	check(a == M_PI && b == 1.0 && get_cw() == 0x077f && handler_cw == 0x037f, "fpu_signal_handler",
	      "after the handler: %g %g cw %#x; the handler started with cw %#x", a, b, get_cw(), handler_cw);
	set_cw(0x037f);
	signal(SIGUSR1, SIG_DFL);
}

static void on_fpe(int sig, siginfo_t *si, void *ctx)
{
	_exit(si->si_code);
}

/* In a child: unmask `mask` bits, run `op`; the child exits with SIGFPE's si_code. */
static int fpe_code(unsigned short cw, int op)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct sigaction sa = {0};
		sa.sa_sigaction = on_fpe;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGFPE, &sa, NULL);
		set_cw(cw);
		volatile double zero = 0, one = 1, minus = -1, r;
		r = op == 0 ? one / zero : sqrt(minus);
		__asm__ volatile("fwait");
		_exit(r == r ? 100 : 101);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void exceptions(void)
{
	int div = fpe_code(0x037b, 0), inv = fpe_code(0x037e, 1);
	check(div == 3, "fpu_sigfpe_divide", "child ended with %d, want FPE_FLTDIV (3)", div);
	check(inv == 7, "fpu_sigfpe_invalid", "child ended with %d, want FPE_FLTINV (7)", inv);
	check(fpe_code(0x037f, 0) == 100, "fpu_masked_no_signal", "a masked divide by zero raised a signal");
}

static void exec_resets(const char *self)
{
	pid_t pid = fork();
	if (pid == 0) {
		set_cw(0x0c7f);
		execl(self, self, "cw", (char *)0);
		_exit(99);
	}
	int st;
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fpu_exec_resets", "status %#x", st);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "cw") == 0)
		return get_cw() == 0x037f ? 0 : 1;
	formats();
	switches();
	fork_copies();
	handlers();
	exceptions();
	exec_resets(argv[0]);
	return check_result();
}
