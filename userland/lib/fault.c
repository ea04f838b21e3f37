#include "fault.h"

#include <setjmp.h>
#include <signal.h>
#include <string.h>

static sigjmp_buf probe_env;
static struct fault *probe_out;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	probe_out->signo = sig;
	probe_out->code = si->si_code;
	probe_out->addr = si->si_addr;
	siglongjmp(probe_env, 1);
}

int probe_call(void (*fn)(void *), void *arg, struct fault *f)
{
	struct sigaction sa, old_segv, old_bus;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	memset(f, 0, sizeof *f);
	probe_out = f;
	int faulted = 0;
	if (sigsetjmp(probe_env, 1) == 0)
		fn(arg);
	else
		faulted = 1;
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return faulted;
}

struct access {
	volatile char *addr;
	char value;
	struct fault *f;
};

static void do_read(void *p)
{
	struct access *a = p;
	a->f->value = *a->addr;
}

static void do_write(void *p)
{
	struct access *a = p;
	*a->addr = a->value;
}

int probe_read(const volatile char *addr, struct fault *f)
{
	struct access a = {(volatile char *)addr, 0, f};
	return probe_call(do_read, &a, f);
}

int probe_write(volatile char *addr, char v, struct fault *f)
{
	struct access a = {addr, v, f};
	return probe_call(do_write, &a, f);
}
