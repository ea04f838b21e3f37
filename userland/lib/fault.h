/* Probing memory accesses that may fault: a SIGSEGV/SIGBUS handler records the
 * siginfo and jumps back, so a test can check si_addr and si_code. */
#ifndef VMALAB_FAULT_H
#define VMALAB_FAULT_H

struct fault {
	int signo;   /* 0 when the access did not fault */
	int code;    /* si_code: SEGV_MAPERR, SEGV_ACCERR, ... */
	void *addr;  /* si_addr */
	char value;  /* the byte read, for probe_read without a fault */
};

/* Reads one byte at addr; returns 1 and fills *f if the access faulted, else 0. */
int probe_read(const volatile char *addr, struct fault *f);
/* Writes v to addr; returns 1 and fills *f if the access faulted, else 0. */
int probe_write(volatile char *addr, char v, struct fault *f);
/* Runs fn(arg); returns 1 and fills *f if it faulted (the call is abandoned). */
int probe_call(void (*fn)(void *), void *arg, struct fault *f);

#endif
