/* sigaltstack(2): the system call's errors (made through syscall(), as the C
 * library checks some itself), SA_ONSTACK handlers running on the alternate
 * stack and nested ones below them, SS_ONSTACK and EPERM while on it, fork
 * keeping it and execve dropping it, a stack overflow caught by a SIGSEGV
 * handler on it, and SIGSEGV (Linux force_sigsegv) when a frame cannot be
 * written: no alternate stack on overflow, an unmapped one, one too full. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define PAGE 4096
#define ALT_SIZE (4 * PAGE)

static int raw_sigaltstack(const stack_t *ss, stack_t *old)
{
	return (int)syscall(SYS_sigaltstack, ss, old);
}

static char *alt; /* the alternate stack: ALT_SIZE bytes */

static int on_alt(uintptr_t a)
{
	return a >= (uintptr_t)alt && a < (uintptr_t)alt + ALT_SIZE;
}

static void set_alt(void *sp, size_t size, int flags)
{
	stack_t ss = {.ss_sp = sp, .ss_flags = flags, .ss_size = size};
	if (raw_sigaltstack(&ss, NULL) != 0)
		fail("sigaltstack_setup", "sigaltstack failed: errno %d", errno);
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* ---- handlers on and off the alternate stack */

static volatile uintptr_t usr1_local, usr2_local;
static volatile int usr1_flags, usr1_eperm;

static void usr2_handler(int sig, siginfo_t *si, void *uc)
{
	char here;
	usr2_local = (uintptr_t)&here;
}

static void usr1_handler(int sig, siginfo_t *si, void *uc)
{
	char here;
	usr1_local = (uintptr_t)&here;
	stack_t o, ss = {.ss_sp = alt, .ss_flags = 0, .ss_size = ALT_SIZE};
	raw_sigaltstack(NULL, &o);
	usr1_flags = o.ss_flags;
	errno = 0;
	usr1_eperm = raw_sigaltstack(&ss, NULL) == -1 && errno == EPERM;
	raise(SIGUSR2);
}

static void errors(void)
{
	stack_t o;
	memset(&o, 0x55, sizeof o);
	check(raw_sigaltstack(NULL, &o) == 0 && o.ss_flags == SS_DISABLE && o.ss_sp == NULL && o.ss_size == 0,
	      "sigaltstack_initially_disabled", "flags %d sp %p size %zu", o.ss_flags, o.ss_sp, o.ss_size);
	stack_t small = {.ss_sp = alt, .ss_flags = 0, .ss_size = MINSIGSTKSZ - 1};
	errno = 0;
	check(raw_sigaltstack(&small, NULL) == -1 && errno == ENOMEM, "sigaltstack_enomem", "errno %d", errno);
	stack_t bad = {.ss_sp = alt, .ss_flags = 4, .ss_size = ALT_SIZE};
	errno = 0;
	check(raw_sigaltstack(&bad, NULL) == -1 && errno == EINVAL, "sigaltstack_einval_flags", "errno %d", errno);
	errno = 0;
	check(raw_sigaltstack((stack_t *)8, NULL) == -1 && errno == EFAULT, "sigaltstack_efault", "errno %d", errno);
	raw_sigaltstack(NULL, &o);
	check(o.ss_flags == SS_DISABLE && o.ss_size == 0, "sigaltstack_unchanged_by_errors", "flags %d size %zu",
	      o.ss_flags, o.ss_size);

	stack_t ss = {.ss_sp = alt, .ss_flags = SS_ONSTACK, .ss_size = MINSIGSTKSZ};
	stack_t old;
	check(raw_sigaltstack(&ss, &old) == 0 && old.ss_flags == SS_DISABLE, "sigaltstack_onstack_flag_accepted",
	      "errno %d old flags %d", errno, old.ss_flags);
	raw_sigaltstack(NULL, &o);
	check(o.ss_sp == alt && o.ss_size == MINSIGSTKSZ && o.ss_flags == 0, "sigaltstack_query",
	      "sp %p size %zu flags %d", o.ss_sp, o.ss_size, o.ss_flags);
	stack_t off = {.ss_sp = alt, .ss_flags = SS_DISABLE, .ss_size = 0};
	check(raw_sigaltstack(&off, &old) == 0 && old.ss_sp == alt && old.ss_size == MINSIGSTKSZ,
	      "sigaltstack_old_returned", "sp %p size %zu", old.ss_sp, old.ss_size);
	raw_sigaltstack(NULL, &o);
	check(o.ss_flags == SS_DISABLE && o.ss_sp == NULL && o.ss_size == 0, "sigaltstack_disable", "flags %d sp %p size %zu",
	      o.ss_flags, o.ss_sp, o.ss_size);
}

static void handlers(void)
{
	char here;
	set_alt(alt, ALT_SIZE, 0);
	install(SIGUSR2, usr2_handler, SA_ONSTACK);
	install(SIGUSR1, usr1_handler, SA_ONSTACK);
	raise(SIGUSR1);
	check(on_alt(usr1_local), "sigaltstack_handler_on_altstack", "handler local at %#lx, stack %p+%d",
	      (unsigned long)usr1_local, (void *)alt, ALT_SIZE);
	check(usr1_flags == SS_ONSTACK, "sigaltstack_ss_onstack_in_handler", "flags %d", usr1_flags);
	check(usr1_eperm, "sigaltstack_eperm_on_stack", "changing the stack while on it did not fail with EPERM");
	check(on_alt(usr2_local) && usr2_local < usr1_local, "sigaltstack_nested_below",
	      "nested handler local %#lx, outer %#lx", (unsigned long)usr2_local, (unsigned long)usr1_local);
	stack_t o;
	raw_sigaltstack(NULL, &o);
	check(o.ss_flags == 0 && o.ss_sp == alt && o.ss_size == ALT_SIZE, "sigaltstack_kept_after_handler",
	      "flags %d sp %p size %zu", o.ss_flags, o.ss_sp, o.ss_size);

	install(SIGUSR2, usr2_handler, 0);
	raise(SIGUSR2);
	check(!on_alt(usr2_local) && usr2_local < (uintptr_t)&here, "sigaltstack_without_sa_onstack",
	      "handler local %#lx", (unsigned long)usr2_local);
}

static int wait_status(pid_t pid)
{
	int st = 0;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static void inheritance(const char *self)
{
	set_alt(alt, ALT_SIZE, 0);
	pid_t pid = fork();
	if (pid == 0) {
		stack_t o;
		raw_sigaltstack(NULL, &o);
		_exit(o.ss_sp == alt && o.ss_size == ALT_SIZE && o.ss_flags == 0 ? 0 : 1);
	}
	int st = wait_status(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "sigaltstack_inherited_by_fork", "status %#x", st);

	pid = fork();
	if (pid == 0) {
		execl(self, self, "after-exec", (char *)NULL);
		_exit(2);
	}
	st = wait_status(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "sigaltstack_cleared_by_exec", "status %#x", st);
}

/* ---- stack overflow on a small stack of our own, with a PROT_NONE guard page below it */

#define SMALL_STACK (4 * PAGE)

static char *guard; /* guard page, then SMALL_STACK bytes of stack */
static sigjmp_buf jb;
static volatile uintptr_t segv_addr, segv_local;
static volatile int segv_code, segv_flags, depth;

static void segv_handler(int sig, siginfo_t *si, void *uc)
{
	char here;
	stack_t o;
	segv_addr = (uintptr_t)si->si_addr;
	segv_code = si->si_code;
	segv_local = (uintptr_t)&here;
	raw_sigaltstack(NULL, &o);
	segv_flags = o.ss_flags;
	siglongjmp(jb, 1);
}

static int __attribute__((noinline)) recurse(int n)
{
	volatile char pad[1000];
	pad[0] = (char)n;
	depth++;
	if (n < 1000000) /* never reached: the small stack ends long before */
		return recurse(n + 1) + pad[0];
	return pad[0];
}

static void start_recursion(void)
{
	recurse(0);
}

/* Runs start_recursion with ESP at the top of the small stack; it never returns. */
static void __attribute__((noinline)) overflow_small_stack(void)
{
	char *top = guard + PAGE + SMALL_STACK;
	__asm__ volatile("movl %0, %%esp\n\tcall *%1" : : "r"(top), "r"(start_recursion) : "memory");
	__builtin_unreachable();
}

static void overflow(void)
{
	guard = mmap(NULL, PAGE + SMALL_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guard == MAP_FAILED || mprotect(guard, PAGE, PROT_NONE) != 0) {
		fail("sigaltstack_overflow_setup", "mmap/mprotect: errno %d", errno);
		return;
	}
	/* In a child, so that a kernel that cannot deliver kills only the child. */
	pid_t pid = fork();
	if (pid == 0) {
		set_alt(alt, ALT_SIZE, 0);
		install(SIGSEGV, segv_handler, SA_ONSTACK);
		if (sigsetjmp(jb, 1) == 0)
			overflow_small_stack();
		check(depth > 4, "sigaltstack_overflow_caught", "depth %d", (int)depth);
		check(on_alt(segv_local) && segv_flags == SS_ONSTACK, "sigaltstack_overflow_handler_on_altstack",
		      "handler local %#lx flags %d", (unsigned long)segv_local, segv_flags);
		check(segv_addr >= (uintptr_t)guard && segv_addr < (uintptr_t)guard + PAGE && segv_code == SEGV_ACCERR,
		      "sigaltstack_overflow_siginfo", "si_addr %#lx (guard %p) si_code %d", (unsigned long)segv_addr,
		      (void *)guard, segv_code);
		stack_t o;
		raw_sigaltstack(NULL, &o);
		check(o.ss_flags == 0, "sigaltstack_off_after_longjmp", "flags %d", o.ss_flags);
		_exit(check_result());
	}
	int st = wait_status(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "sigaltstack_overflow_child", "status %#x", st);

	/* Without an alternate stack the SIGSEGV frame has nowhere to go: the handler cannot run. */
	pid = fork();
	if (pid == 0) {
		stack_t off = {.ss_flags = SS_DISABLE};
		raw_sigaltstack(&off, NULL);
		install(SIGSEGV, segv_handler, SA_ONSTACK);
		if (sigsetjmp(jb, 1) == 0)
			overflow_small_stack();
		_exit(3);
	}
	st = wait_status(pid);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "sigaltstack_overflow_without_altstack_dies", "status %#x", st);
	munmap(guard, PAGE + SMALL_STACK);
}

/* ---- frames that cannot be written on the alternate stack */

static void usr1_exit_handler(int sig, siginfo_t *si, void *uc)
{
	_exit(4);
}

static char *alt_low; /* guard page, then ALT_SIZE bytes of alternate stack */

static void usr1_fill_handler(int sig, siginfo_t *si, void *uc)
{
	char here;
	/* Use all but 256 bytes of the alternate stack, then take a nested signal on it. */
	size_t n = (uintptr_t)&here - ((uintptr_t)alt_low + PAGE + 256);
	volatile char *p = __builtin_alloca(n);
	p[0] = 1;
	kill(getpid(), SIGUSR2);
	_exit(p[0] + 4);
}

static void bad_frames(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		char *gone = mmap(NULL, ALT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		munmap(gone, ALT_SIZE);
		set_alt(gone, ALT_SIZE, 0);
		install(SIGUSR1, usr1_exit_handler, SA_ONSTACK);
		raise(SIGUSR1);
		_exit(3);
	}
	int st = wait_status(pid);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "sigaltstack_unmapped_segv", "status %#x", st);

	alt_low = mmap(NULL, PAGE + ALT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (alt_low == MAP_FAILED || mprotect(alt_low, PAGE, PROT_NONE) != 0) {
		fail("sigaltstack_full_setup", "mmap/mprotect: errno %d", errno);
		return;
	}
	pid = fork();
	if (pid == 0) {
		set_alt(alt_low + PAGE, ALT_SIZE, 0);
		install(SIGUSR2, usr1_exit_handler, SA_ONSTACK);
		install(SIGUSR1, usr1_fill_handler, SA_ONSTACK);
		raise(SIGUSR1);
		_exit(3);
	}
	st = wait_status(pid);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "sigaltstack_full_segv", "status %#x", st);
	munmap(alt_low, PAGE + ALT_SIZE);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "after-exec") == 0) {
		stack_t o;
		return raw_sigaltstack(NULL, &o) == 0 && o.ss_flags == SS_DISABLE && o.ss_size == 0 ? 0 : 1;
	}
	alt = malloc(ALT_SIZE);
	errors();
	handlers();
	inheritance(argv[0]);
	overflow();
	bad_frames();
	return check_result();
}
