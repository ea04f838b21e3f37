/* Segment selectors a program chooses are loaded by the kernel on its way back
 * to user mode, and a bad one must cost the program, never the kernel:
 * - set_thread_area takes only present 32-bit data segments (Linux tls_desc_okay);
 * - a TLS slot cleared while DS, ES, FS or GS holds it comes back as the null
 *   selector after the system call (Linux/i386: the exit path's fixups);
 * - sigreturn to an empty slot or a kernel selector gives the null selector;
 * - SS holding a slot that is cleared makes the return itself fail: the task gets
 *   SIGILL with ILL_BADSTK on i386 Linux and vmalab (SIGSEGV on x86_64 Linux).
 * Selectors are taken relative to the TLS slot musl holds in %gs, since i386 and
 * x86_64 kernels number their GDTs differently. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "check.h"

struct user_desc_raw {
	unsigned entry, base, limit, bits;
};
/* bits: seg_32bit 1, contents 2-1, read_exec_only 8, limit_in_pages 16, seg_not_present 32, useable 64 */
#define FLAT_DATA (1 | 16 | 64)
#define EMPTY (8 | 32)

static unsigned short gs_now(void)
{
	unsigned short v;
	__asm__ volatile("movw %%gs, %0" : "=r"(v));
	return v;
}

static long set_tls(unsigned entry, unsigned base, unsigned limit, unsigned bits)
{
	struct user_desc_raw d = {entry, base, limit, bits};
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(SYS_set_thread_area), "b"(&d) : "memory");
	return r;
}

/* Each clear_while_R loads sel into segment register R, clears TLS slot `entry` with
 * set_thread_area, reads R right after the system call returns and puts the old value
 * back before anything else can use it. Returns what R held after the call. */
static unsigned clear_while_fs(unsigned short sel, unsigned entry)
{
	struct user_desc_raw d = {entry, 0, 0, EMPTY};
	unsigned s = sel, a = SYS_set_thread_area;
	__asm__ volatile("movw %%fs, %%di\n\t"
			 "movw %%si, %%fs\n\t"
			 "int $0x80\n\t"
			 "movw %%fs, %%si\n\t"
			 "movw %%di, %%fs"
			 : "+S"(s), "+a"(a)
			 : "b"(&d)
			 : "edi", "memory");
	return s & 0xffff;
}

static unsigned clear_while_gs(unsigned short sel, unsigned entry)
{
	struct user_desc_raw d = {entry, 0, 0, EMPTY};
	unsigned s = sel, a = SYS_set_thread_area;
	__asm__ volatile("movw %%gs, %%di\n\t"
			 "movw %%si, %%gs\n\t"
			 "int $0x80\n\t"
			 "movw %%gs, %%si\n\t"
			 "movw %%di, %%gs"
			 : "+S"(s), "+a"(a)
			 : "b"(&d)
			 : "edi", "memory");
	return s & 0xffff;
}

static unsigned clear_while_es(unsigned short sel, unsigned entry)
{
	struct user_desc_raw d = {entry, 0, 0, EMPTY};
	unsigned s = sel, a = SYS_set_thread_area;
	__asm__ volatile("movw %%es, %%di\n\t"
			 "movw %%si, %%es\n\t"
			 "int $0x80\n\t"
			 "movw %%es, %%si\n\t"
			 "movw %%di, %%es"
			 : "+S"(s), "+a"(a)
			 : "b"(&d)
			 : "edi", "memory");
	return s & 0xffff;
}

/* DS: nothing may touch memory between the two moves, and b holds the descriptor's
 * address before DS changes. */
static unsigned clear_while_ds(unsigned short sel, unsigned entry)
{
	struct user_desc_raw d = {entry, 0, 0, EMPTY};
	unsigned s = sel, a = SYS_set_thread_area;
	__asm__ volatile("movw %%ds, %%di\n\t"
			 "movw %%si, %%ds\n\t"
			 "int $0x80\n\t"
			 "movw %%ds, %%si\n\t"
			 "movw %%di, %%ds"
			 : "+S"(s), "+a"(a)
			 : "b"(&d)
			 : "edi", "memory");
	return s & 0xffff;
}

static void descriptors(unsigned spare)
{
	check(set_tls(spare, 0, 0xfffff, 1 | 4 | 16) == -EINVAL, "tls_rejects_code", "");
	check(set_tls(spare, 0, 0xffff, 0) == -EINVAL, "tls_rejects_16bit", "");
	check(set_tls(spare, 0, 0xfffff, FLAT_DATA | 32) == -EINVAL, "tls_rejects_not_present", "");
	check(set_tls(spare, 0, 0xfffff, FLAT_DATA) == 0, "tls_accepts_data", "");
	check(set_tls(spare, 0, 0, 0) == 0, "tls_all_zero_clears", "");
	check(set_tls(spare, 0, 0, EMPTY) == 0, "tls_empty_clears", "");
	struct user_desc_raw d = {spare, 1, 1, 0};
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(SYS_get_thread_area), "b"(&d) : "memory");
	check(r == 0 && d.base == 0 && d.limit == 0 && (d.bits & EMPTY) == EMPTY, "tls_cleared_reads_empty", "r %ld bits 0x%x",
	      r, d.bits);
}

static void cleared_while_held(unsigned spare)
{
	unsigned short sel = spare * 8 + 3;
	static const char *names[] = {"ds", "es", "fs", "gs"};
	unsigned (*fns[])(unsigned short, unsigned) = {clear_while_ds, clear_while_es, clear_while_fs, clear_while_gs};
	for (int i = 0; i < 4; i++) {
		set_tls(spare, 0, 0xfffff, FLAT_DATA);
		unsigned after = fns[i](sel, spare);
		char name[40];
		strcpy(name, "cleared_slot_in_");
		strcat(name, names[i]);
		strcat(name, "_reads_null");
		check(after == 0, name, "0x%x", after);
	}
}

static volatile unsigned short wanted_gs;

static void set_gs_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)si;
	((ucontext_t *)ctx)->uc_mcontext.gregs[REG_GS] = wanted_gs;
}

/* sigreturn with GS = sel; returns GS after the return (GS restored before any libc call). */
static unsigned sigreturn_gs(unsigned short sel)
{
	wanted_gs = sel;
	unsigned s = 0, a = SYS_kill, keep = gs_now();
	__asm__ volatile("int $0x80\n\t"
			 "movw %%gs, %%si\n\t"
			 "movw %%di, %%gs"
			 : "+S"(s), "+a"(a)
			 : "b"(getpid()), "c"(SIGUSR1), "D"(keep)
			 : "memory");
	return s & 0xffff;
}

static void sigreturn_selectors(unsigned tls, unsigned spare)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = set_gs_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	set_tls(spare, 0, 0, EMPTY);
	unsigned short mine = tls * 8 + 3;
	check(sigreturn_gs(mine) == mine, "sigreturn_gs_own_slot", "");
	unsigned got = sigreturn_gs(spare * 8 + 3);
	check(got == 0, "sigreturn_gs_empty_slot_null", "0x%x", got);
	got = sigreturn_gs(0x1234);
	check(got == 0, "sigreturn_gs_beyond_gdt_null", "0x%x", got);
	got = sigreturn_gs(spare * 8 + 4 + 3); /* an LDT selector: no LDT */
	check(got == 0, "sigreturn_gs_ldt_null", "0x%x", got);
	signal(SIGUSR1, SIG_DFL);
}

static void bad_stack_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	_exit(sig == SIGILL && si->si_code == ILL_BADSTK ? 10 : sig == SIGSEGV ? 11 : 12);
}

/* SS holds a TLS data slot, which a system call clears: the return to user mode fails. */
static void stack_segment_cleared(unsigned spare)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = bad_stack_handler;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGILL, &sa, NULL);
		sigaction(SIGSEGV, &sa, NULL);
		set_tls(spare, 0, 0xfffff, FLAT_DATA);
		struct user_desc_raw d = {spare, 0, 0, EMPTY};
		unsigned sel = spare * 8 + 3;
		__asm__ volatile("movw %%ss, %%di\n\t"
				 "movw %%si, %%ss\n\t"
				 "int $0x80\n\t"
				 "movw %%di, %%ss"
				 :
				 : "S"(sel), "a"(SYS_set_thread_area), "b"(&d)
				 : "edi", "memory");
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (on_vmalab())
		check(code == 10, "cleared_ss_sigill_badstk", "status 0x%x", st);
	else
		check(code == 10 || code == 11, "cleared_ss_signal", "status 0x%x", st);
}

int main(void)
{
	unsigned tls = gs_now() >> 3;
	unsigned spare = tls + 1;
	if (!check(tls != 0 && set_tls(spare, 0, 0, EMPTY) == 0, "tls_slots", "gs 0x%x", gs_now()))
		return check_result();
	descriptors(spare);
	cleared_while_held(spare);
	sigreturn_selectors(tls, spare);
	stack_segment_cleared(spare);
	return check_result();
}
