/* Hostile selectors and descriptors on every way back to user mode: a system
 * call's return, signal delivery, sigreturn and rt_sigreturn, a timer
 * interrupt's return, a page fault's return; set_thread_area/get_thread_area
 * with every bad descriptor, and modify_ldt. Each case runs in a forked child
 * and the parent checks what Linux/i386 gives: the selector a register holds
 * afterwards, the exit status, or the signal and si_code. The whole suite runs
 * as root, then again as uid 1000 (names end in _uid1000).
 * tests/selectors.c has the set_thread_area basics, a slot cleared while held
 * across a system call, and sigreturn of GS; these cases are the rest.
 *
 * Linux/i386 references (Linux 5.10): arch/x86/kernel/signal.c
 * restore_sigcontext takes DS ES FS GS as they are and CS|3, SS|3 from the
 * frame, keeps only FIX_EFLAGS; the exit path's exception fixups in
 * arch/x86/entry/entry_32.S load a null selector for a segment pop that
 * faults and turn a faulting IRET into SIGILL/ILL_BADSTK (traps.c iret_error);
 * a #GP in user mode is SIGSEGV with SI_KERNEL; arch/x86/kernel/tls.c
 * do_set_thread_area and tls_desc_okay; modify_ldt is ENOSYS without
 * CONFIG_MODIFY_LDT_SYSCALL. The IRET at CPL 0 returning to CPL 3 nulls DS ES
 * FS GS holding a segment of DPL 0 (Intel SDM vol. 2, IRET).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "check.h"

struct user_desc_raw {
	int entry;
	unsigned base, limit, bits;
};
/* user_desc flag bits (asm/ldt.h) */
#define D_SEG32 1
#define D_CONTENTS(c) ((c) << 1)
#define D_RO 8
#define D_PAGES 16
#define D_NP 32
#define D_USEABLE 64
#define D_LM 128
#define FLAT_DATA (D_SEG32 | D_PAGES | D_USEABLE)
#define EMPTY (D_RO | D_NP)

/* Linux/i386 GDT selectors (asm/segment.h), the same numbers under vmalab. */
#define KERNEL_CS 0x60
#define KERNEL_DS 0x68
#define USER_CS 0x73
#define USER_DS 0x7b

#define EFL_TF 0x100
#define EFL_DF 0x400
#define EFL_IOPL 0x3000
#define EFL_NT 0x4000
#define EFL_VM 0x20000
#define EFL_AC 0x40000

#ifndef TRAP_TRACE
#define TRAP_TRACE 2
#endif

/* What a case's child reports, in a page it shares with the parent. */
struct report {
	int sig, code;
	unsigned addr;
	unsigned val;  /* ESI: what the case's code read (also at a fault) */
	unsigned aux;  /* a handler's observation */
	unsigned aux2; /* EFLAGS at the fault handler's entry */
};
static volatile struct report *rep;

#define FAULTED 77 /* the child took a fault signal and the handler ended it */
#define VALUE 50   /* the child ended normally with rep->val set */

static unsigned short musl_gs;
static unsigned tls_slot, spare, spare2;
static const char *suffix = "";

static unsigned short sel_of(unsigned slot, unsigned rpl)
{
	return slot * 8 + rpl;
}

static long raw1(long nr, long a)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a) : "memory");
	return r;
}

static long raw3(long nr, long a, long b, long c)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

static long raw5(long nr, long a, long b, long c, long d, long e)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e) : "memory");
	return r;
}

static long set_tls(int entry, unsigned base, unsigned limit, unsigned bits)
{
	struct user_desc_raw d = {entry, base, limit, bits};
	return raw1(SYS_set_thread_area, (long)&d);
}

/* ---- the case runner ---- */

/* Any fault signal ends the child here: GS back to musl's first (the case may
 * have changed it), then EFLAGS at entry, the signal, and the ESI of the
 * interrupted code into the report. */
static void on_fault(int sig, siginfo_t *si, void *ctx)
{
	unsigned fl;
	__asm__ volatile("movw %1, %%gs\n\tpushfl\n\tpopl %0\n\tcld" : "=r"(fl) : "r"(musl_gs));
	ucontext_t *uc = ctx;
	rep->aux2 = fl;
	rep->sig = sig;
	rep->code = si->si_code;
	rep->addr = (unsigned)si->si_addr;
	rep->val = uc->uc_mcontext.gregs[REG_ESI];
	raw1(SYS_exit_group, FAULTED);
}

static void on_faults(void)
{
	static const int sigs[] = {SIGSEGV, SIGILL, SIGBUS, SIGTRAP, SIGFPE};
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

/* How a case must end. */
struct want {
	char kind; /* 'v': exited VALUE with rep->val == a; 's': fault signal a with si_code b; 'k': killed by signal a; 'e': exit status a */
	int a, b;
	int has_addr;
	unsigned addr;
};
#define VAL(v) ((struct want){'v', (int)(v), 0, 0, 0})
#define SIG(s, c) ((struct want){'s', s, c, 0, 0})
#define SIGAT(s, c, ad) ((struct want){'s', s, c, 1, ad})
#define KILLED(s) ((struct want){'k', s, 0, 0, 0})
#define EXIT(v) ((struct want){'e', v, 0, 0, 0})

/* Runs fn(arg) in a child with on_fault installed; 1 when it ended as w says. */
static int expect_case(const char *name, void (*fn)(unsigned), unsigned arg, struct want w)
{
	memset((void *)rep, 0, sizeof *rep);
	pid_t pid = fork();
	if (pid == 0) {
		on_faults();
		fn(arg);
		raw1(SYS_exit_group, 0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	char full[96];
	snprintf(full, sizeof full, "%s%s", name, suffix);
	const int exited = WIFEXITED(st), code = WEXITSTATUS(st);
	switch (w.kind) {
	case 'v':
		return check(exited && code == VALUE && rep->val == (unsigned)w.a, full,
			     "status 0x%x val 0x%x sig %d code %d, want val 0x%x", st, rep->val, rep->sig, rep->code, w.a);
	case 's':
		return check(exited && code == FAULTED && rep->sig == w.a && rep->code == w.b && (!w.has_addr || rep->addr == w.addr),
			     full, "status 0x%x sig %d code %d addr 0x%x val 0x%x, want sig %d code %d", st, rep->sig,
			     rep->code, rep->addr, rep->val, w.a, w.b);
	case 'k':
		return check(WIFSIGNALED(st) && WTERMSIG(st) == w.a, full, "status 0x%x, want killed by %d", st, w.a);
	default:
		return check(exited && code == w.a, full, "status 0x%x sig %d code %d, want exit %d", st, rep->sig, rep->code,
			     w.a);
	}
}

/* The child reports v as its value. */
static void value(unsigned v)
{
	rep->val = v;
	raw1(SYS_exit_group, VALUE);
}

/* ---- segment registers: one copy of each code path per register ---- */

enum { R_DS, R_ES, R_FS, R_GS, R_SS, R_CS, NREGS };
static const char *const reg_name[NREGS] = {"ds", "es", "fs", "gs", "ss", "cs"};
static const int reg_greg[NREGS] = {REG_DS, REG_ES, REG_FS, REG_GS, REG_SS, REG_CS};

/* through_R: loads sel into R, makes system call nr(b, c), reads R right after
 * it returns and restores R before anything else can use it. */
#define DEF_THROUGH(R)                                                                            \
	static unsigned through_##R(unsigned sel, unsigned nr, unsigned b, unsigned c)            \
	{                                                                                         \
		unsigned s = sel, a = nr;                                                         \
		__asm__ volatile("movw %%" #R ", %%di\n\t"                                        \
				 "movw %%si, %%" #R "\n\t"                                        \
				 "int $0x80\n\t"                                                  \
				 "movw %%" #R ", %%si\n\t"                                        \
				 "movw %%di, %%" #R                                               \
				 : "+S"(s), "+a"(a), "+b"(b), "+c"(c)                             \
				 :                                                                \
				 : "edi", "edx", "memory");                                       \
		return s & 0xffff;                                                                \
	}
/* spin_R: holds sel in R for n loop turns (timer interrupts arrive meanwhile). */
#define DEF_SPIN(R)                                                                               \
	static unsigned spin_##R(unsigned sel, unsigned n)                                        \
	{                                                                                         \
		unsigned s = sel;                                                                 \
		__asm__ volatile("movw %%" #R ", %%di\n\t"                                        \
				 "movw %%si, %%" #R "\n\t"                                        \
				 "1: decl %%ecx\n\t"                                              \
				 "jnz 1b\n\t"                                                     \
				 "movw %%" #R ", %%si\n\t"                                        \
				 "movw %%di, %%" #R                                               \
				 : "+S"(s), "+c"(n)                                               \
				 :                                                                \
				 : "edi", "memory", "cc");                                        \
		return s & 0xffff;                                                                \
	}
/* touch_R: holds sel in R while writing to p (a page fault the kernel resolves). */
#define DEF_TOUCH(R)                                                                              \
	static unsigned touch_##R(unsigned sel, unsigned *p)                                      \
	{                                                                                         \
		unsigned s = sel;                                                                 \
		__asm__ volatile("movw %%" #R ", %%di\n\t"                                        \
				 "movw %%si, %%" #R "\n\t"                                        \
				 "movl $1, (%%ebx)\n\t"                                           \
				 "movw %%" #R ", %%si\n\t"                                        \
				 "movw %%di, %%" #R                                               \
				 : "+S"(s)                                                        \
				 : "b"(p)                                                         \
				 : "edi", "memory");                                              \
		return s & 0xffff;                                                                \
	}
/* fault_R: holds sel in R and reads address 0; the SIGSEGV handler resumes at
 * resume_R, which reads R and restores it. */
#define DEF_FAULT(R)                                                                              \
	extern char resume_##R[];                                                                 \
	__attribute__((noinline)) static unsigned fault_##R(unsigned sel)                         \
	{                                                                                         \
		unsigned s = sel;                                                                 \
		__asm__ volatile("movw %%" #R ", %%di\n\t"                                        \
				 "movw %%si, %%" #R "\n\t"                                        \
				 "movl (%%ebx), %%eax\n\t"                                        \
				 ".globl resume_" #R "\n"                                         \
				 "resume_" #R ":\n\t"                                             \
				 "movw %%" #R ", %%si\n\t"                                        \
				 "movw %%di, %%" #R                                               \
				 : "+S"(s)                                                        \
				 : "b"(0)                                                         \
				 : "edi", "eax", "memory");                                       \
		return s & 0xffff;                                                                \
	}
#define DEF_ALL(R) DEF_THROUGH(R) DEF_SPIN(R) DEF_TOUCH(R) DEF_FAULT(R)
DEF_ALL(ds)
DEF_ALL(es)
DEF_ALL(fs)
DEF_ALL(gs)
DEF_ALL(ss)

/* CS cannot be loaded with MOV: only read back after a sigreturn. */
static unsigned through_cs(unsigned sel, unsigned nr, unsigned b, unsigned c)
{
	unsigned s, a = nr;
	(void)sel;
	__asm__ volatile("int $0x80\n\t"
			 "movw %%cs, %%si"
			 : "=S"(s), "+a"(a), "+b"(b), "+c"(c)
			 :
			 : "edi", "edx", "memory");
	return s & 0xffff;
}

typedef unsigned (*through_fn)(unsigned, unsigned, unsigned, unsigned);
static const through_fn through[NREGS] = {through_ds, through_es, through_fs, through_gs, through_ss, through_cs};
typedef unsigned (*spin_fn)(unsigned, unsigned);
static const spin_fn spin[R_CS] = {spin_ds, spin_es, spin_fs, spin_gs, spin_ss};
typedef unsigned (*touch_fn)(unsigned, unsigned *);
static const touch_fn touch[R_CS] = {touch_ds, touch_es, touch_fs, touch_gs, touch_ss};
typedef unsigned (*fault_fn)(unsigned);
static const fault_fn fault_with[R_CS] = {fault_ds, fault_es, fault_fs, fault_gs, fault_ss};
static char *const resume_at[R_CS] = {resume_ds, resume_es, resume_fs, resume_gs, resume_ss};

static unsigned current(int r)
{
	unsigned short v = 0;
	switch (r) {
	case R_DS: __asm__ volatile("movw %%ds, %0" : "=r"(v)); break;
	case R_ES: __asm__ volatile("movw %%es, %0" : "=r"(v)); break;
	case R_FS: __asm__ volatile("movw %%fs, %0" : "=r"(v)); break;
	case R_GS: __asm__ volatile("movw %%gs, %0" : "=r"(v)); break;
	case R_SS: __asm__ volatile("movw %%ss, %0" : "=r"(v)); break;
	default: __asm__ volatile("movw %%cs, %0" : "=r"(v)); break;
	}
	return v;
}

/* Every case's child starts with the spare slot a flat 32-bit data segment and
 * spare2 empty (selectors are relative to musl's slot in GS, as i386 and
 * x86_64 kernels number their GDTs differently). */
static void fresh_slots(void)
{
	set_tls(spare, 0, 0xfffff, FLAT_DATA);
	set_tls(spare2, 0, 0, EMPTY);
}

/* Selectors a program may try. */
enum {
	S_NULL, S_USER_DS, S_USER_DS_RPL0, S_USER_CS, S_USER_CS_RPL0, S_TLS, S_SPARE, S_SPARE_RPL0, S_EMPTY,
	S_KERNEL_CS, S_KERNEL_CS_RPL3, S_KERNEL_DS, S_KERNEL_DS_RPL3, S_GDT1, S_GDT2, S_LDT, S_LDT_RPL0, S_BEYOND,
	NSELS
};
static const char *const sel_name[NSELS] = {
	"null", "user_ds", "user_ds_rpl0", "user_cs", "user_cs_rpl0", "tls", "spare", "spare_rpl0", "empty",
	"kernel_cs", "kernel_cs_rpl3", "kernel_ds", "kernel_ds_rpl3", "gdt1", "gdt2", "ldt", "ldt_rpl0", "beyond_gdt",
};

static unsigned sel_value(int s)
{
	switch (s) {
	case S_NULL: return 0;
	case S_USER_DS: return USER_DS;
	case S_USER_DS_RPL0: return USER_DS & ~3;
	case S_USER_CS: return USER_CS;
	case S_USER_CS_RPL0: return USER_CS & ~3;
	case S_TLS: return sel_of(tls_slot, 3);
	case S_SPARE: return sel_of(spare, 3);
	case S_SPARE_RPL0: return sel_of(spare, 0);
	case S_EMPTY: return sel_of(spare2, 3);
	case S_KERNEL_CS: return KERNEL_CS;
	case S_KERNEL_CS_RPL3: return KERNEL_CS | 3;
	case S_KERNEL_DS: return KERNEL_DS;
	case S_KERNEL_DS_RPL3: return KERNEL_DS | 3;
	case S_GDT1: return 0x08;
	case S_GDT2: return 0x10;
	case S_LDT: return sel_of(spare, 3) | 4; /* TI: the LDT, and there is none */
	case S_LDT_RPL0: return sel_of(spare, 0) | 4;
	default: return 0xfff8 | 3; /* far beyond the GDT's limit */
	}
}

/* Whether a ring-3 MOV to a data segment register takes sel: a null selector, or a
 * present data or readable code segment with DPL >= max(3, RPL). */
static int data_loadable(int s)
{
	switch (s) {
	case S_NULL: case S_USER_DS: case S_USER_DS_RPL0: case S_USER_CS: case S_USER_CS_RPL0: case S_TLS:
	case S_SPARE: case S_SPARE_RPL0:
		return 1;
	}
	return 0;
}

/* MOV to SS takes only a writable data segment with RPL = DPL = 3. */
static int stack_loadable(int s)
{
	return s == S_USER_DS || s == S_TLS || s == S_SPARE;
}

static char name_buf[96];
static const char *nm(const char *path, int r, int s)
{
	snprintf(name_buf, sizeof name_buf, "%s_%s_%s", path, reg_name[r], sel_name[s]);
	return name_buf;
}

/* ---- system call return ---- */

static int case_reg, case_sel; /* the (register, selector) a case function works on */

static void do_syscall_hold(unsigned unused)
{
	fresh_slots();
	value(through[case_reg](sel_value(case_sel), SYS_getpid, 0, 0));
}

static void syscall_return(void)
{
	for (int r = R_DS; r <= R_SS; r++)
		for (int s = 0; s < NSELS; s++) {
			case_reg = r, case_sel = s;
			int ok = r == R_SS ? stack_loadable(s) : data_loadable(s);
			expect_case(nm("syscall", r, s), do_syscall_hold, 0, ok ? VAL(sel_value(s)) : SIGAT(SIGSEGV, SI_KERNEL, 0));
		}
}

/* ---- signal delivery: the selector is live when a handler is entered ---- */

static void record_regs(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	rep->aux = uc->uc_mcontext.gregs[reg_greg[case_reg]] & 0xffff;
	rep->aux2 = current(case_reg);
}

static void do_deliver(unsigned unused)
{
	fresh_slots();
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = record_regs;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	unsigned after = through[case_reg](sel_value(case_sel), SYS_kill, getpid(), SIGUSR1);
	/* the frame holds the selector; the handler runs with FS and GS kept, DS ES SS the user's flat ones */
	unsigned in_handler = case_reg == R_FS || case_reg == R_GS ? sel_value(case_sel) : USER_DS;
	value(rep->aux == sel_value(case_sel) && rep->aux2 == in_handler ? after : 0xbad0000 | rep->aux);
}

static void signal_delivery(void)
{
	static const int sels[] = {S_NULL, S_USER_DS, S_TLS, S_SPARE};
	for (int r = R_DS; r <= R_GS; r++)
		for (unsigned i = 0; i < sizeof sels / sizeof sels[0]; i++) {
			case_reg = r, case_sel = sels[i];
			expect_case(nm("deliver", r, sels[i]), do_deliver, 0, VAL(sel_value(sels[i])));
		}
	case_reg = R_SS;
	case_sel = S_SPARE;
	expect_case(nm("deliver", R_SS, S_SPARE), do_deliver, 0, VAL(sel_value(S_SPARE)));
}

/* ---- sigreturn: the handler rewrites the frame ---- */

#define MAX_POKES 3
static int npokes, poke_idx[MAX_POKES];
static unsigned poke_val[MAX_POKES], poke_or[MAX_POKES];

static void poke(unsigned *g)
{
	for (int i = 0; i < npokes; i++)
		g[poke_idx[i]] = poke_or[i] ? g[poke_idx[i]] | poke_val[i] : poke_val[i];
}

static void poke_rt(int sig, siginfo_t *si, void *ctx)
{
	poke((unsigned *)((ucontext_t *)ctx)->uc_mcontext.gregs);
}

/* The old-style handler gets no context pointer: its struct sigcontext follows
 * the signal number on the stack (struct sigframe), at 8(%esp) on entry. */
void poke_old_c(unsigned *sc);
void poke_old_c(unsigned *sc)
{
	poke(sc);
}
extern void poke_old(int);
__asm__(".text\n"
	".globl poke_old\n"
	"poke_old:\n\t"
	"leal 8(%esp), %eax\n\t"
	"pushl %eax\n\t"
	"call poke_old_c\n\t"
	"addl $4, %esp\n\t"
	"ret\n");

static int use_rt;

static void arm(int rt)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	if (rt) {
		sa.sa_sigaction = poke_rt;
		sa.sa_flags = SA_SIGINFO;
	} else {
		sa.sa_handler = poke_old;
	}
	sigaction(SIGUSR1, &sa, NULL);
}

static void set_poke(int i, int idx, unsigned v, int or_)
{
	poke_idx[i] = idx, poke_val[i] = v, poke_or[i] = or_;
	npokes = i + 1;
}

static void do_sigreturn_sel(unsigned unused)
{
	fresh_slots();
	arm(use_rt);
	set_poke(0, reg_greg[case_reg], sel_value(case_sel), 0);
	value(through[case_reg](current(case_reg), SYS_kill, getpid(), SIGUSR1));
}

/* What Linux leaves in DS ES FS GS after sigreturn to sel: the selector when the
 * exit path's POP and IRET keep it, which is exactly when a ring-3 MOV takes it
 * (data_loadable), else null: a POP that faults is fixed up to null, and IRET
 * nulls a DPL 0 data or code segment. */
static void sigreturn_selectors(int rt)
{
	const char *path = rt ? "rt_sigreturn" : "sigreturn";
	use_rt = rt;
	for (int r = R_DS; r <= R_GS; r++)
		for (int s = 0; s < NSELS; s++) {
			case_reg = r, case_sel = s;
			expect_case(nm(path, r, s), do_sigreturn_sel, 0, VAL(data_loadable(s) ? sel_value(s) : 0));
		}
	/* CS and SS come back with RPL 3 forced; IRET refuses a CS that is not USER_CS and
	 * an SS that is not a writable RPL-3 data segment: SIGILL, ILL_BADSTK. */
	for (int s = 0; s < NSELS; s++) {
		case_reg = R_CS, case_sel = s;
		int ok = s == S_USER_CS || s == S_USER_CS_RPL0;
		expect_case(nm(path, R_CS, s), do_sigreturn_sel, 0, ok ? VAL(USER_CS) : SIG(SIGILL, ILL_BADSTK));
	}
	for (int s = 0; s < NSELS; s++) {
		case_reg = R_SS, case_sel = s;
		int ok = s == S_USER_DS || s == S_USER_DS_RPL0 || s == S_TLS || s == S_SPARE || s == S_SPARE_RPL0;
		expect_case(nm(path, R_SS, s), do_sigreturn_sel, 0, ok ? VAL(sel_value(s) | 3) : SIG(SIGILL, ILL_BADSTK));
	}
}

/* ---- sigreturn: EFLAGS, EIP, ESP ---- */

/* kill(self, SIGUSR1), then ESI = EFLAGS right after the return; DF and AC cleared
 * before C code runs again. after_pushf labels the instruction after PUSHF. */
extern char after_pushf[];
__attribute__((noinline)) static unsigned kill_self_flags(void)
{
	unsigned s = 0, a = SYS_kill, b = getpid(), c = SIGUSR1;
	__asm__ volatile("int $0x80\n\t"
			 "pushfl\n\t"
			 ".globl after_pushf\n"
			 "after_pushf:\n\t"
			 "popl %%esi\n\t"
			 "cld\n\t"
			 "pushfl\n\t"
			 "andl $~0x40000, (%%esp)\n\t"
			 "popfl"
			 : "+S"(s), "+a"(a), "+b"(b), "+c"(c)
			 :
			 : "edi", "edx", "memory", "cc");
	return s;
}

/* Same, then CLI: with IOPL 0, a #GP. */
static void kill_self_flags_cli(void)
{
	unsigned s = 0, a = SYS_kill, b = getpid(), c = SIGUSR1;
	__asm__ volatile("int $0x80\n\t"
			 "pushfl\n\t"
			 "popl %%esi\n\t"
			 "cli\n\t"
			 : "+S"(s), "+a"(a), "+b"(b), "+c"(c)
			 :
			 : "edi", "edx", "memory", "cc");
}

/* Same, then UD2 (SIGILL, whose handler records EFLAGS at its entry). */
extern char at_ud2[];
__attribute__((noinline)) static void kill_self_ud2(void)
{
	unsigned a = SYS_kill, b = getpid(), c = SIGUSR1;
	__asm__ volatile("int $0x80\n\t"
			 ".globl at_ud2\n"
			 "at_ud2:\n\t"
			 "ud2"
			 : "+a"(a), "+b"(b), "+c"(c)
			 :
			 : "edi", "esi", "edx", "memory", "cc");
}

/* Code that exits with status 42 (43) without touching the stack (touching it first). */
extern char exit42[], push_exit43[];
__asm__(".text\n"
	".globl exit42\n"
	"exit42:\n\t"
	"movl $252, %eax\n\t"
	"movl $42, %ebx\n\t"
	"int $0x80\n"
	".globl push_exit43\n"
	"push_exit43:\n\t"
	"pushl %eax\n\t"
	"movl $252, %eax\n\t"
	"movl $43, %ebx\n\t"
	"int $0x80\n");

static int flags_case;
enum { F_ALL_BUT_TF, F_TF, F_IOPL, F_DF_HANDLER, F_EIP, F_ESP };
static unsigned case_eip, case_esp;

static void do_frame(unsigned unused)
{
	arm(use_rt);
	switch (flags_case) {
	case F_ALL_BUT_TF:
		set_poke(0, REG_EFL, ~(unsigned)EFL_TF, 0);
		value(kill_self_flags());
		break;
	case F_TF:
		set_poke(0, REG_EFL, EFL_TF, 1);
		value(kill_self_flags());
		break;
	case F_IOPL:
		set_poke(0, REG_EFL, EFL_IOPL | EFL_NT | EFL_VM, 1);
		kill_self_flags_cli();
		break;
	case F_DF_HANDLER:
		set_poke(0, REG_EFL, EFL_DF, 1);
		kill_self_ud2();
		break;
	case F_EIP:
		set_poke(0, REG_EIP, case_eip, 0);
		kill_self_flags();
		break;
	case F_ESP:
		set_poke(0, REG_EIP, case_eip, 0);
		set_poke(1, REG_ESP, case_esp, 0); /* sc.esp: Linux ignores esp_at_signal (REG_UESP) */
		kill_self_flags();
		break;
	}
	value(0xdead); /* the return went nowhere the case expected */
}

static void sigreturn_frames(int rt)
{
	char n[64];
	const char *path = rt ? "rt_sigreturn" : "sigreturn";
	use_rt = rt;
#define NAME(x) (snprintf(n, sizeof n, "%s_%s", path, x), n)
	/* Only FIX_EFLAGS come from the frame: AC OF DF TF SF ZF AF PF CF (and RF); IF stays
	 * set, IOPL NT VM stay clear. PUSHF never shows RF or VM. */
	flags_case = F_ALL_BUT_TF;
	expect_case(NAME("eflags_all_but_tf"), do_frame, 0, VAL(EFL_AC | 0xcd5 | 0x200 | 2));
	/* TF: a single-step trap after the first instruction (Linux: TRAP_TRACE at the next EIP) */
	flags_case = F_TF;
	expect_case(NAME("eflags_tf_traps"), do_frame, 0, SIGAT(SIGTRAP, TRAP_TRACE, (unsigned)after_pushf));
	/* IOPL 3, NT and VM are ignored: CLI still faults, and PUSHF shows none of them */
	flags_case = F_IOPL;
	if (expect_case(NAME("eflags_iopl_ignored_cli_faults"), do_frame, 0, SIGAT(SIGSEGV, SI_KERNEL, 0)))
		check((rep->val & (EFL_IOPL | EFL_NT | EFL_VM)) == 0, NAME("eflags_iopl_nt_vm_clear"), "eflags 0x%x", rep->val);
	/* a bad EIP: the fetch faults in user mode, at that address */
	static const unsigned eips[] = {0, 0xc0000000u, 0xfffffff0u};
	static const char *const eip_names[] = {"eip_null", "eip_kernel", "eip_top"};
	flags_case = F_EIP;
	for (int i = 0; i < 3; i++) {
		case_eip = eips[i];
		expect_case(NAME(eip_names[i]), do_frame, 0, SIGAT(SIGSEGV, SEGV_MAPERR, eips[i]));
	}
	/* a bad ESP costs nothing until the stack is used; then the SIGSEGV handler cannot
	 * be entered either and the task dies of SIGSEGV */
	static const unsigned esps[] = {0, 0xc0001000u, 4};
	static const char *const esp_names[] = {"esp_null", "esp_kernel", "esp_low"};
	flags_case = F_ESP;
	for (int i = 0; i < 3; i++) {
		case_esp = esps[i];
		case_eip = (unsigned)exit42;
		snprintf(n, sizeof n, "%s_%s_unused", path, esp_names[i]);
		expect_case(n, do_frame, 0, EXIT(42));
		case_eip = (unsigned)push_exit43;
		snprintf(n, sizeof n, "%s_%s_push_killed", path, esp_names[i]);
		expect_case(n, do_frame, 0, KILLED(SIGSEGV));
	}
#undef NAME
}

/* DF set by sigreturn, then UD2: the SIGILL handler is entered with DF clear, as the
 * ABI wants at function entry (Linux handle_signal clears DF, RF and TF). */
static void handler_df(int rt)
{
	char n[64];
	const char *path = rt ? "rt_sigreturn" : "sigreturn";
	use_rt = rt;
	flags_case = F_DF_HANDLER;
	snprintf(n, sizeof n, "%s_eflags_df_then_ud2", path);
	if (!expect_case(n, do_frame, 0, SIGAT(SIGILL, ILL_ILLOPN, (unsigned)at_ud2)))
		return;
	snprintf(n, sizeof n, "%s_next_handler_entered_df_clear%s", path, suffix);
	unsigned df = rep->aux2 & EFL_DF;
	check(df == 0, n, "eflags at entry 0x%x", rep->aux2);
}

/* ---- a signal that cannot be delivered: a bad stack ---- */

static void do_deliver_bad_esp(unsigned esp)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = record_regs;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	unsigned a = SYS_kill, b = getpid(), c = SIGUSR1, s = esp;
	__asm__ volatile("movl %%esp, %%edi\n\t"
			 "movl %%esi, %%esp\n\t"
			 "int $0x80\n\t"
			 "movl %%edi, %%esp"
			 : "+S"(s), "+a"(a), "+b"(b), "+c"(c)
			 :
			 : "edi", "edx", "memory");
	value(1);
}

static void bad_stack_delivery(void)
{
	unsigned char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	expect_case("deliver_esp_null_killed", do_deliver_bad_esp, 0, KILLED(SIGSEGV));
	expect_case("deliver_esp_kernel_killed", do_deliver_bad_esp, 0xc0001000u, KILLED(SIGSEGV));
	expect_case("deliver_esp_readonly_killed", do_deliver_bad_esp, (unsigned)ro + 4096, KILLED(SIGSEGV));
	munmap(ro, 4096);
}

/* ---- a failed IRET that cannot be handled ---- */

/* SS holds the spare slot, which the system call clears: the IRET back fails and
 * SIGILL is forced. Ignored or blocked, it is reset to its default and kills
 * (Linux force_sig_info_to_task); with ESP 0 its frame cannot be written, and the
 * task dies of SIGSEGV (force_sigsegv). */
enum { IRET_SIGILL_IGNORED, IRET_SIGILL_BLOCKED, IRET_BAD_ESP };

static void do_iret_fault(unsigned mode)
{
	set_tls(spare, 0, 0xfffff, FLAT_DATA);
	if (mode == IRET_SIGILL_IGNORED)
		signal(SIGILL, SIG_IGN);
	if (mode == IRET_SIGILL_BLOCKED) {
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGILL);
		sigprocmask(SIG_BLOCK, &set, NULL);
	}
	static struct user_desc_raw d;
	d = (struct user_desc_raw){(int)spare, 0, 0, EMPTY};
	unsigned esp = mode == IRET_BAD_ESP ? 0 : 1;
	__asm__ volatile("movw %%ss, %%di\n\t"
			 "testl %%ecx, %%ecx\n\t"
			 "movw %%si, %%ss\n\t"
			 "jnz 1f\n\t"
			 "xorl %%esp, %%esp\n"
			 "1: int $0x80\n\t"
			 "movw %%di, %%ss"
			 :
			 : "S"(sel_of(spare, 3)), "a"(SYS_set_thread_area), "b"(&d), "c"(esp)
			 : "edi", "memory", "cc");
	value(2);
}

static void iret_faults(void)
{
	expect_case("iret_fault_sigill_ignored_kills", do_iret_fault, IRET_SIGILL_IGNORED, KILLED(SIGILL));
	expect_case("iret_fault_sigill_blocked_kills", do_iret_fault, IRET_SIGILL_BLOCKED, KILLED(SIGILL));
	expect_case("iret_fault_no_stack_sigsegv", do_iret_fault, IRET_BAD_ESP, KILLED(SIGSEGV));
}

/* ---- timer interrupt return ---- */

#define SPIN_TURNS 1000000u

/* Guest monotonic time in ms. A spin that lasts two clock ticks (10 ms at HZ 100)
 * has been interrupted by the timer at least once: nothing else leaves it. */
static unsigned now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned)ts.tv_sec * 1000 + (unsigned)(ts.tv_nsec / 1000000);
}

static void do_spin(unsigned unused)
{
	fresh_slots();
	unsigned t0 = now_ms();
	unsigned v = spin[case_reg](sel_value(case_sel), SPIN_TURNS);
	unsigned ms = now_ms() - t0;
	value(ms >= 20 ? v : 0xbad0000 | ms);
}

/* A second process holds other descriptors in the same slots: spare2 flat data
 * with another base, spare empty. This one holds SS = spare and FS = spare2 with
 * its own base and reads through FS all the time; every switch back to it must
 * restore its slots before its selectors are reloaded. */
static volatile unsigned char mine = 0x5a, theirs = 0xa5;

static void do_spin_switch(unsigned unused)
{
	set_tls(spare, 0, 0xfffff, FLAT_DATA);
	pid_t other = fork();
	if (other == 0) {
		set_tls(spare, 0, 0, EMPTY);
		set_tls(spare2, (unsigned)&theirs, 0, D_SEG32);
		spin_gs(sel_of(tls_slot, 3), SPIN_TURNS);
		raw1(SYS_exit_group, 0);
	}
	set_tls(spare2, (unsigned)&mine, 0, D_SEG32);
	static unsigned short saved_fs, saved_ss;
	unsigned t0 = now_ms();
	unsigned bad = 0, fs = sel_of(spare2, 3), ss = sel_of(spare, 3), n = SPIN_TURNS;
	__asm__ volatile("movw %%fs, %[sf]\n\t"
			 "movw %%ss, %[sst]\n\t"
			 "movw %%si, %%fs\n\t"
			 "movw %%dx, %%ss\n\t"
			 "1: movb %%fs:0, %%al\n\t"
			 "cmpb $0x5a, %%al\n\t"
			 "je 2f\n\t"
			 "incl %%edi\n"
			 "2: decl %%ecx\n\t"
			 "jnz 1b\n\t"
			 "movw %%fs, %%si\n\t"
			 "movw %%ss, %%dx\n\t"
			 "movw %[sf], %%fs\n\t"
			 "movw %[sst], %%ss"
			 : "+S"(fs), "+d"(ss), "+c"(n), "+D"(bad), [sf] "=m"(saved_fs), [sst] "=m"(saved_ss)
			 :
			 : "eax", "memory", "cc");
	unsigned ms = now_ms() - t0;
	int st = 0;
	waitpid(other, &st, 0);
	value(bad == 0 && (fs & 0xffff) == sel_of(spare2, 3) && (ss & 0xffff) == sel_of(spare, 3) && ms >= 20 && st == 0
		      ? 1
		      : 0xbad0000 | bad);
}

static void interrupt_return(void)
{
	static const int data_sels[] = {S_NULL, S_USER_DS_RPL0, S_USER_CS, S_SPARE, S_SPARE_RPL0};
	for (int r = R_DS; r <= R_GS; r++)
		for (unsigned i = 0; i < sizeof data_sels / sizeof data_sels[0]; i++) {
			case_reg = r, case_sel = data_sels[i];
			expect_case(nm("interrupt", r, data_sels[i]), do_spin, 0, VAL(sel_value(data_sels[i])));
		}
	case_reg = R_SS, case_sel = S_SPARE;
	expect_case(nm("interrupt", R_SS, S_SPARE), do_spin, 0, VAL(sel_value(S_SPARE)));
	expect_case("interrupt_switch_keeps_own_slots", do_spin_switch, 0, VAL(1));
}

/* ---- page-fault return ---- */

static void do_touch(unsigned unused)
{
	fresh_slots();
	unsigned *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned v = touch[case_reg](sel_value(case_sel), p);
	value(*p == 1 ? v : 0xbad);
}

/* SIGSEGV with the spare slot live in a register: the handler clears the slot
 * (set_thread_area, as a raw system call: GS may be that slot) and resumes after
 * the faulting instruction; sigreturn then loads the cleared slot. */
static void clear_in_handler(int sig, siginfo_t *si, void *ctx)
{
	struct user_desc_raw d = {(int)spare, 0, 0, EMPTY};
	long r = raw1(SYS_set_thread_area, (long)&d);
	rep->aux = (unsigned)r;
	rep->aux2 = current(case_reg); /* FS, GS: Linux refreshes a register holding the slot it changed */
	((ucontext_t *)ctx)->uc_mcontext.gregs[REG_EIP] = (unsigned)resume_at[case_reg];
}

static void do_fault_clear(unsigned unused)
{
	fresh_slots();
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = clear_in_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	unsigned v = fault_with[case_reg](sel_of(spare, 3));
	unsigned in_handler = case_reg == R_FS || case_reg == R_GS ? 0 : USER_DS;
	value(rep->aux == 0 && rep->aux2 == in_handler ? v : 0xbad0000 | rep->aux2);
}

static void page_fault_return(void)
{
	for (int r = R_DS; r <= R_SS; r++) {
		static const int sels[] = {S_NULL, S_USER_DS, S_SPARE};
		for (unsigned i = 0; i < 3; i++) {
			if (r == R_SS && sels[i] == S_NULL)
				continue;
			if (r == R_DS && sels[i] == S_NULL)
				continue; /* the write itself goes through DS */
			case_reg = r, case_sel = sels[i];
			expect_case(nm("page_fault", r, sels[i]), do_touch, 0, VAL(sel_value(sels[i])));
		}
		case_reg = r, case_sel = S_SPARE;
		char n[64];
		snprintf(n, sizeof n, "fault_clear_slot_in_handler_%s", reg_name[r]);
		/* DS ES FS GS: the cleared slot comes back null. SS: IRET to it fails */
		if (r == R_SS)
			expect_case(n, do_fault_clear, 0, SIG(SIGILL, ILL_BADSTK));
		else
			expect_case(n, do_fault_clear, 0, VAL(0));
	}
}

/* ---- modify_ldt ---- */

static void do_modify_ldt(unsigned func)
{
	static unsigned char buf[64];
	struct user_desc_raw d = {0, 0, 0xfffff, FLAT_DATA};
	void *p = func == 1 || func == 0x11 ? (void *)&d : (void *)buf;
	value((unsigned)-raw3(SYS_modify_ldt, func, (long)p, func == 1 || func == 0x11 ? sizeof d : sizeof buf));
}

/* vmalab is built as Linux without CONFIG_MODIFY_LDT_SYSCALL: every function is ENOSYS. */
static void modify_ldt_calls(void)
{
	static const unsigned funcs[] = {0, 1, 2, 0x11, 3, 0xffffffffu};
	static const char *const names[] = {"read", "write_old", "read_default", "write", "func3", "func_minus1"};
	for (int i = 0; i < 6; i++) {
		char n[48];
		snprintf(n, sizeof n, "modify_ldt_%s_enosys", names[i]);
		expect_case(n, do_modify_ldt, funcs[i], VAL(ENOSYS));
	}
}

/* ---- set_thread_area / get_thread_area ---- */

struct desc_case {
	const char *name;
	int entry; /* -100: spare, -101: spare2 */
	unsigned base, limit, bits;
	int result; /* 0 or -errno */
};

static int entry_of(int e)
{
	return e == -100 ? (int)spare : e == -101 ? (int)spare2 : e;
}

static const struct desc_case set_cases[] = {
	{"set_code", -100, 0, 0xfffff, FLAT_DATA | D_CONTENTS(2), -EINVAL},
	{"set_code_conforming", -100, 0, 0xfffff, FLAT_DATA | D_CONTENTS(3), -EINVAL},
	{"set_code_execute_only", -100, 0, 0xfffff, FLAT_DATA | D_CONTENTS(2) | D_RO, -EINVAL},
	{"set_16bit_data", -100, 0, 0xfffff, D_PAGES, -EINVAL},
	{"set_16bit_small", -100, 0x1000, 0x10, 0, -EINVAL},
	{"set_16bit_expand_down", -100, 0, 0xfff, D_CONTENTS(1), -EINVAL},
	{"set_not_present", -100, 0, 0xfffff, FLAT_DATA | D_NP, -EINVAL},
	{"set_not_present_readonly", -100, 0, 0, D_SEG32 | D_RO | D_NP, -EINVAL},
	{"set_empty_but_base", -100, 1, 0, EMPTY, -EINVAL},
	{"set_empty_but_limit", -100, 0, 1, EMPTY, -EINVAL},
	{"set_zero_but_useable", -100, 0, 0, D_USEABLE, -EINVAL},
	{"set_expand_down", -100, 0, 0xfff, D_SEG32 | D_CONTENTS(1), 0},
	{"set_readonly", -100, 0, 0xfffff, FLAT_DATA | D_RO, 0},
	{"set_limit_beyond_20_bits", -100, 0, 0xffffffffu, D_SEG32 | D_PAGES, 0},
	{"set_lm_bit_ignored", -100, 0, 0xfffff, FLAT_DATA | D_LM, 0},
	{"set_base_kernel", -100, 0xc0000000u, 0xfffff, FLAT_DATA, 0},
	{"set_entry_5", 5, 0, 0xfffff, FLAT_DATA, -EINVAL},
	{"set_entry_9", 9, 0, 0xfffff, FLAT_DATA, -EINVAL},
	{"set_entry_0", 0, 0, 0xfffff, FLAT_DATA, -EINVAL},
	{"set_entry_kernel_cs", KERNEL_CS >> 3, 0, 0xfffff, FLAT_DATA | D_CONTENTS(2), -EINVAL},
	{"set_entry_user_ds", USER_DS >> 3, 0, 0xfffff, FLAT_DATA, -EINVAL},
	{"set_entry_huge", 0x7fffffff, 0, 0xfffff, FLAT_DATA, -EINVAL},
	{"set_entry_minus2", -2, 0, 0xfffff, FLAT_DATA, -EINVAL},
	{"set_entry_5_bad_desc", 5, 0, 0xfffff, FLAT_DATA | D_NP, -EINVAL},
};

static void do_set(unsigned i)
{
	const struct desc_case *c = &set_cases[i];
	value((unsigned)set_tls(entry_of(c->entry), c->base, c->limit, c->bits));
}

/* entry_number -1: the first empty slot is taken and written back before the
 * descriptor is checked (Linux do_set_thread_area); none free is ESRCH. */
static int alloc_mode;
static void do_alloc(unsigned bits)
{
	set_tls(spare, 0, 0, EMPTY);
	set_tls(spare2, 0, 0, EMPTY);
	if (alloc_mode == 1) { /* no slot free */
		set_tls(spare, 0, 0xfffff, FLAT_DATA);
		set_tls(spare2, 0, 0xfffff, FLAT_DATA);
	}
	struct user_desc_raw d = {-1, 0, 0xfffff, bits};
	long r = raw1(SYS_set_thread_area, (long)&d);
	value((unsigned)r == 0 ? (unsigned)d.entry : (unsigned)r ^ ((unsigned)d.entry << 16));
}

/* clone(CLONE_SETTLS) with entry_number -1: no slot may be allocated there (Linux
 * passes can_allocate 0): EINVAL, and no child. A plain fork's flags otherwise. */
static void do_clone_settls_alloc(unsigned unused)
{
	struct user_desc_raw d = {-1, 0, 0xfffff, FLAT_DATA};
	long r = raw5(SYS_clone, 0x00080000 /* CLONE_SETTLS */ | SIGCHLD, 0, 0, (long)&d, 0);
	if (r == 0)
		raw1(SYS_exit_group, 0);
	value((unsigned)r);
}

/* A user_desc the kernel cannot read or write. */
static void do_set_at(unsigned addr)
{
	value((unsigned)raw1(SYS_set_thread_area, addr));
}

static void do_get_at(unsigned addr)
{
	value((unsigned)raw1(SYS_get_thread_area, addr));
}

static void do_get_entry(unsigned entry)
{
	struct user_desc_raw d = {(int)entry, 0, 0, 0};
	value((unsigned)raw1(SYS_get_thread_area, (long)&d));
}

/* set, then get: the fields come back as they went in (limit to 20 bits, no lm on i386) */
static const struct desc_case round_trips[] = {
	{"roundtrip_flat", -100, 0, 0xfffff, FLAT_DATA, 0},
	{"roundtrip_fields", -100, 0x12345678, 0xabcde, D_SEG32 | D_CONTENTS(1) | D_RO | D_PAGES | D_USEABLE, 0},
	{"roundtrip_limit_masked", -100, 0xfedcba98u, 0xfffffu, D_SEG32, 0},
	{"roundtrip_zero_is_empty", -100, 0, 0, 0, 0},
};

static void do_round_trip(unsigned i)
{
	const struct desc_case *c = &round_trips[i];
	set_tls(spare, c->base, c->limit | (i == 2 ? 0xfff00000u : 0), c->bits | (i == 0 ? D_LM : 0));
	struct user_desc_raw d = {(int)spare, 1, 1, 1};
	long r = raw1(SYS_get_thread_area, (long)&d);
	unsigned want_bits = c->bits == 0 ? EMPTY : c->bits;
	value(r == 0 && d.entry == (int)spare && d.base == c->base && d.limit == c->limit && d.bits == want_bits
		      ? 1
		      : 0xbad0000 | d.bits);
}

/* Descriptors that set_thread_area takes, used: the CPU enforces what they say. */
static volatile unsigned char cookie[16] = {0x11, 0x22, 0x33, 0x44};
enum { U_EXPAND_DOWN_LOW, U_EXPAND_DOWN_HIGH, U_READONLY_WRITE, U_READONLY_READ, U_READONLY_SS, U_ONE_BYTE,
       U_ONE_BYTE_PAST, U_ONE_BYTE_DWORD, U_BASE_WRAPS, U_BASE_KERNEL, U_EXPAND_DOWN_SS };

static void do_use(unsigned u)
{
	unsigned sel = sel_of(spare, 3), v = 0, off = 0;
	switch (u) {
	case U_EXPAND_DOWN_LOW: case U_EXPAND_DOWN_HIGH: /* valid offsets 0x1000..0xffffffff */
		set_tls(spare, (unsigned)cookie - 0x2000, 0xfff, D_SEG32 | D_CONTENTS(1));
		off = u == U_EXPAND_DOWN_LOW ? 0 : 0x2000;
		break;
	case U_READONLY_WRITE: case U_READONLY_READ: case U_READONLY_SS:
		set_tls(spare, (unsigned)cookie, 0, D_SEG32 | D_RO | D_PAGES);
		break;
	case U_ONE_BYTE: case U_ONE_BYTE_PAST: case U_ONE_BYTE_DWORD:
		set_tls(spare, (unsigned)cookie, 0, D_SEG32);
		off = u == U_ONE_BYTE_PAST ? 1 : 0;
		break;
	case U_BASE_WRAPS: /* base + offset wraps around 4 GiB to address 0 */
		set_tls(spare, 0xfffff000u, 0xfffff, FLAT_DATA);
		off = 0x1000;
		break;
	case U_BASE_KERNEL:
		set_tls(spare, 0xc0000000u, 0xfffff, FLAT_DATA);
		break;
	case U_EXPAND_DOWN_SS:
		set_tls(spare, 0, 0xfff, D_SEG32 | D_CONTENTS(1));
		break;
	}
	if (u == U_READONLY_SS || u == U_EXPAND_DOWN_SS) {
		value(spin_ss(sel, 1));
	} else if (u == U_READONLY_WRITE) {
		__asm__ volatile("movw %%fs, %%di\n\tmovw %%si, %%fs\n\tmovb $1, %%fs:0\n\tmovw %%di, %%fs" : : "S"(sel) : "edi", "memory");
	} else if (u == U_ONE_BYTE_DWORD || u == U_BASE_WRAPS || u == U_BASE_KERNEL) {
		__asm__ volatile("movw %%fs, %%di\n\tmovw %%si, %%fs\n\tmovl %%fs:(%%ebx), %%eax\n\tmovw %%di, %%fs"
				 : "=a"(v)
				 : "S"(sel), "b"(off)
				 : "edi", "memory");
	} else {
		__asm__ volatile("movw %%fs, %%di\n\tmovw %%si, %%fs\n\tmovzbl %%fs:(%%ebx), %%eax\n\tmovw %%di, %%fs"
				 : "=a"(v)
				 : "S"(sel), "b"(off)
				 : "edi", "memory");
	}
	value(v);
}

static void thread_area_calls(void)
{
	char n[64];
	for (unsigned i = 0; i < sizeof set_cases / sizeof set_cases[0]; i++)
		expect_case(set_cases[i].name, do_set, i, VAL(set_cases[i].result));
	alloc_mode = 0;
	expect_case("set_alloc_takes_first_free", do_alloc, FLAT_DATA, VAL(spare));
	/* the slot number is written back even when the descriptor is then refused */
	expect_case("set_alloc_bad_desc_writes_entry", do_alloc, FLAT_DATA | D_NP, VAL((unsigned)-EINVAL ^ (spare << 16)));
	alloc_mode = 1;
	expect_case("set_alloc_none_free_esrch", do_alloc, FLAT_DATA, VAL((unsigned)-ESRCH ^ 0xffff0000u));
	expect_case("clone_settls_alloc_einval", do_clone_settls_alloc, 0, VAL(-EINVAL));
	expect_case("set_alloc_none_free_bad_desc_esrch", do_alloc, FLAT_DATA | D_CONTENTS(2), VAL((unsigned)-ESRCH ^ 0xffff0000u));
	/* page 0: {-1, flat} read-only; page 1: {spare} read-only; page 2: a hole */
	unsigned char *page = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	*(struct user_desc_raw *)page = (struct user_desc_raw){-1, 0, 0xfffff, FLAT_DATA};
	*(struct user_desc_raw *)(page + 4096) = (struct user_desc_raw){(int)spare, 0, 0, 0};
	mprotect(page, 2 * 4096, PROT_READ);
	munmap(page + 2 * 4096, 4096);
	expect_case("set_null_efault", do_set_at, 0, VAL(-EFAULT));
	expect_case("set_kernel_efault", do_set_at, 0xc0000000u, VAL(-EFAULT));
	expect_case("set_straddles_hole_efault", do_set_at, (unsigned)page + 2 * 4096 - 8, VAL(-EFAULT));
	/* entry -1 in a read-only page: the slot number cannot be written back */
	expect_case("set_alloc_readonly_efault", do_set_at, (unsigned)page, VAL(-EFAULT));
	expect_case("get_null_efault", do_get_at, 0, VAL(-EFAULT));
	expect_case("get_kernel_efault", do_get_at, 0xc0000000u, VAL(-EFAULT));
	expect_case("get_readonly_efault", do_get_at, (unsigned)page + 4096, VAL(-EFAULT));
	munmap(page, 2 * 4096);
	static const int bad_entries[] = {5, 9, 0, -1, 0x7fffffff};
	for (unsigned i = 0; i < 5; i++) {
		snprintf(n, sizeof n, "get_entry_%d_einval", bad_entries[i]);
		expect_case(n, do_get_entry, (unsigned)bad_entries[i], VAL(-EINVAL));
	}
	for (unsigned i = 0; i < sizeof round_trips / sizeof round_trips[0]; i++)
		expect_case(round_trips[i].name, do_round_trip, i, VAL(1));
	/* a #GP at the limit or on a read-only segment is SIGSEGV with SI_KERNEL; a page
	 * fault through a segment base is reported at the linear address */
	expect_case("use_expand_down_below_limit_gp", do_use, U_EXPAND_DOWN_LOW, SIGAT(SIGSEGV, SI_KERNEL, 0));
	expect_case("use_expand_down_above_limit", do_use, U_EXPAND_DOWN_HIGH, VAL(0x11));
	expect_case("use_readonly_write_gp", do_use, U_READONLY_WRITE, SIGAT(SIGSEGV, SI_KERNEL, 0));
	expect_case("use_readonly_read", do_use, U_READONLY_READ, VAL(0x11));
	expect_case("use_readonly_as_ss_gp", do_use, U_READONLY_SS, SIGAT(SIGSEGV, SI_KERNEL, 0));
	expect_case("use_expand_down_as_ss", do_use, U_EXPAND_DOWN_SS, VAL(sel_of(spare, 3)));
	expect_case("use_one_byte", do_use, U_ONE_BYTE, VAL(0x11));
	expect_case("use_one_byte_past_limit_gp", do_use, U_ONE_BYTE_PAST, SIGAT(SIGSEGV, SI_KERNEL, 0));
	expect_case("use_one_byte_dword_gp", do_use, U_ONE_BYTE_DWORD, SIGAT(SIGSEGV, SI_KERNEL, 0));
	expect_case("use_base_wraps_to_null", do_use, U_BASE_WRAPS, SIGAT(SIGSEGV, SEGV_MAPERR, 0));
	expect_case("use_base_kernel_faults", do_use, U_BASE_KERNEL, SIGAT(SIGSEGV, SEGV_MAPERR, 0xc0000000u));
}

/* ---- the suite ---- */

static void suite(void)
{
	syscall_return();
	signal_delivery();
	sigreturn_selectors(0);
	sigreturn_selectors(1);
	sigreturn_frames(0);
	sigreturn_frames(1);
	handler_df(0);
	handler_df(1);
	bad_stack_delivery();
	iret_faults();
	interrupt_return();
	page_fault_return();
	modify_ldt_calls();
	thread_area_calls();
}

int main(void)
{
	if (current(R_CS) != USER_CS) {
		/* x86_64 kernels (IA32 emulation) and qemu-user number their GDTs another way and
		 * return to user mode another way: none of these expectations apply there */
		skip("hostile", "the cases are Linux/i386's (user CS 0x73), and here user CS is 0x%x", current(R_CS));
		return check_result();
	}
	musl_gs = current(R_GS);
	tls_slot = musl_gs >> 3;
	spare = tls_slot + 1;
	spare2 = tls_slot + 2;
	rep = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!check(rep != MAP_FAILED && tls_slot != 0 && set_tls(spare, 0, 0, EMPTY) == 0, "hostile_setup", "gs 0x%x", musl_gs))
		return check_result();
	suite();
	pid_t pid = fork();
	if (pid == 0) {
		if (setuid(1000) != 0)
			_exit(3);
		suffix = "_uid1000";
		suite();
		_exit(check_result());
	}
	int st = 0;
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "hostile_as_uid1000", "status 0x%x", st);
	return check_result();
}
