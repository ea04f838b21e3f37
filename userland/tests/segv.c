/* SIGSEGV carries the faulting address: a write to read-only program text
 * (SEGV_ACCERR), a wild pointer into unmapped low memory (SEGV_MAPERR), a read of
 * NULL; without a handler the process dies by SIGSEGV. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "fault.h"

static int text_function(int x)
{
	return x * 3 + 1;
}

int main(void)
{
	struct fault f;
	volatile char *text = (volatile char *)(void *)text_function;
	int faulted = probe_write(text, 0x90, &f);
	check(faulted && f.signo == SIGSEGV && f.code == SEGV_ACCERR && f.addr == (void *)text, "segv_text_write",
	      "faulted %d signo %d code %d addr %p (want %p)", faulted, f.signo, f.code, f.addr, (void *)text);
	check(text_function(2) == 7, "segv_text_intact", "text changed");

	volatile char *wild = (volatile char *)0x00000ff0;
	faulted = probe_write(wild, 1, &f);
	check(faulted && f.signo == SIGSEGV && f.code == SEGV_MAPERR && f.addr == (void *)wild, "segv_wild_write",
	      "faulted %d signo %d code %d addr %p", faulted, f.signo, f.code, f.addr);

	faulted = probe_read((volatile char *)0, &f);
	check(faulted && f.signo == SIGSEGV && f.code == SEGV_MAPERR && f.addr == 0, "segv_null_read",
	      "faulted %d signo %d code %d addr %p", faulted, f.signo, f.code, f.addr);

	/* Twice in a row: the handler and the process survive repeated faults. */
	int again = probe_write((volatile char *)0x100, 1, &f) && f.addr == (void *)0x100 &&
		    probe_write((volatile char *)0x204, 1, &f) && f.addr == (void *)0x204;
	check(again, "segv_repeated", "second fault lost (addr %p)", f.addr);

	pid_t pid = fork();
	if (pid == 0) {
		*(volatile int *)0x10 = 1;
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "segv_kills_without_handler", "status 0x%x", st);
	return check_result();
}
