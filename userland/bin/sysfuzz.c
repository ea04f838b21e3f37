/* sysfuzz: random system calls against the kernel, in the style of trinity.
 *   sysfuzz [-s SEED] [-n COUNT] [-c CHILDREN] [-u UID] [-x]
 * Forks CHILDREN workers one after another; each redirects fds 0-2 to /dev/null,
 * arms alarm(1) as a watchdog and issues COUNT/CHILDREN system calls with numbers
 * in 0..449 and arguments drawn from classes a kernel must survive (NULL, -1,
 * kernel and wild pointers, addresses in and at the edge of its own buffer, its
 * fds, boundary sizes, random flags). Everything follows from SEED (xorshift32).
 * The parent waits for each worker (killing one that outlives a 3 s backstop
 * or stops) and prints one line: how many exited and which signals killed the
 * rest. Refuses to run except under vmalab: the calls are random and real.
 * A worker touches nothing outside itself: paths are built under /tmp/fz (its
 * cwd; the parent empties it between workers), signals and rlimit/priority
 * changes go to itself, SysV segments are its own (the parent removes them),
 * no device nodes, no exec/clone/vfork/ptrace/reboot/mount, no host name or
 * clock changes; fork is allowed twice and the grandchild exits at once.
 * -x adds what a hostile program does to the kernel's ways back to user mode:
 * a quarter of the calls are made with a random selector in DS, ES, FS, GS or
 * (rarely) SS, often a TLS slot the same call redefines; set_thread_area,
 * get_thread_area and modify_ldt get random user_desc structures; sigreturn
 * and rt_sigreturn get random signal frames (selectors, CS and SS, EFLAGS with
 * IOPL VM NT AC TF, fpstate pointers, bad ESP and EIP); and a SIGUSR2 handler
 * scrambles the frame it returns through. A second line counts them.
 * -u UID: the parent takes that user and group id first (as root), so the
 * workers run unprivileged. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "check.h"
#include "signames.h"

#define PAGE 4096
#define NR_MAX 450
#define BUF_PAGES 16
#define PATH_SLOT 8192
#define WORKDIR "/tmp/fz"
#define MAX_FDS 16
#define MAX_FORKS 2

static unsigned rng;

static unsigned rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static unsigned below(unsigned n)
{
	return rnd() % n;
}

/* Worker state: its buffer (followed by a PROT_NONE guard page), two path slots, its fds. */
static unsigned char *buf, *paths;
static int fds[MAX_FDS], nfds;
static int forks;
/* Shared with the parent: ids of the segments the worker created, which the
 * parent removes after it (the worker may die before it could). */
#define SHMLOG_MAX 1000
static int *shmlog;
static int last_shm = -1;

/* Numbers worth hitting more often than the ENOSYS bulk (all implemented by vmalab). */
static const unsigned short common[] = {
	SYS_fork, SYS_read, SYS_write, SYS_open, SYS_close, SYS_waitpid, SYS_creat, SYS_link, SYS_unlink, SYS_chdir,
	SYS_time, SYS_mknod, SYS_chmod, SYS_lseek, SYS_getpid, SYS_setuid, SYS_getuid, SYS_alarm, SYS_pause,
	SYS_access, SYS_sync, SYS_kill, SYS_rename, SYS_mkdir, SYS_rmdir, SYS_dup, SYS_pipe, SYS_times, SYS_brk,
	SYS_setgid, SYS_signal, SYS_ioctl, SYS_fcntl, SYS_setpgid, SYS_umask, SYS_chroot, SYS_dup2, SYS_getppid,
	SYS_getpgrp, SYS_setsid, SYS_sigaction, SYS_sigsuspend, SYS_sigpending, SYS_setrlimit, SYS_getrlimit,
	SYS_getrusage, SYS_gettimeofday_time32, SYS_getgroups, SYS_setgroups, SYS_symlink, SYS_readlink, SYS_mmap,
	SYS_munmap, SYS_truncate, SYS_ftruncate, SYS_fchmod, SYS_getpriority, SYS_setpriority, SYS_setitimer,
	SYS_getitimer, SYS_stat, SYS_lstat, SYS_fstat, SYS_wait4, SYS_sysinfo, SYS_ipc, SYS_fsync, SYS_sigreturn,
	SYS_uname, SYS_mprotect, SYS_sigprocmask, SYS_getpgid, SYS_fchdir, SYS__llseek, SYS_getdents, SYS__newselect,
	SYS_msync, SYS_readv, SYS_writev, SYS_getsid, SYS_fdatasync, SYS_sched_yield, SYS_nanosleep, SYS_mremap,
	SYS_poll, SYS_rt_sigreturn, SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigpending, SYS_rt_sigsuspend,
	SYS_pread64, SYS_pwrite64, SYS_getcwd, SYS_sigaltstack, SYS_ugetrlimit, SYS_mmap2, SYS_truncate64,
	SYS_ftruncate64, SYS_stat64, SYS_lstat64, SYS_fstat64, SYS_lchown32, SYS_fchown32, SYS_chown32, SYS_setuid32,
	SYS_madvise, SYS_getdents64, SYS_fcntl64, SYS_gettid, SYS_tkill, SYS_futex, SYS_sched_getaffinity,
	SYS_set_thread_area, SYS_get_thread_area, SYS_set_tid_address, SYS_clock_gettime32, SYS_clock_getres_time32,
	SYS_clock_nanosleep_time32, SYS_tgkill, SYS_openat, SYS_mkdirat, SYS_mknodat, SYS_fchownat, SYS_fstatat64,
	SYS_unlinkat, SYS_renameat, SYS_linkat, SYS_symlinkat, SYS_readlinkat, SYS_fchmodat, SYS_faccessat,
	SYS_pselect6, SYS_ppoll, SYS_dup3, SYS_pipe2, SYS_prlimit64, SYS_getrandom, SYS_shmget, SYS_shmctl, SYS_shmat,
	SYS_shmdt, SYS_clock_gettime64, SYS_clock_getres_time64, SYS_clock_nanosleep_time64, SYS_pselect6_time64,
	SYS_ppoll_time64,
};

/* Bit i set: argument i is a path name (built under WORKDIR only). */
static unsigned path_args(unsigned nr)
{
	switch (nr) {
	case SYS_open: case SYS_creat: case SYS_unlink: case SYS_chdir: case SYS_mknod: case SYS_chmod:
	case SYS_access: case SYS_mkdir: case SYS_rmdir: case SYS_chroot: case SYS_readlink: case SYS_truncate:
	case SYS_stat: case SYS_lstat: case SYS_truncate64: case SYS_stat64: case SYS_lstat64: case SYS_lchown32:
	case SYS_chown32:
		return 1;
	case SYS_link: case SYS_rename: case SYS_symlink:
		return 3;
	case SYS_openat: case SYS_mkdirat: case SYS_mknodat: case SYS_fchownat: case SYS_fstatat64: case SYS_unlinkat:
	case SYS_readlinkat: case SYS_fchmodat: case SYS_faccessat:
		return 2;
	case SYS_renameat: case SYS_linkat:
		return 10;
	case SYS_symlinkat:
		return 5;
	}
	return 0;
}

/* Calls never made: the natural end (exit), new programs, clones sharing memory,
 * and global state that outlives the worker (host name, the clock). */
static int excluded(unsigned nr)
{
	switch (nr) {
	case SYS_exit: case SYS_exit_group: /* the worker ends by itself */
	case SYS_execve: case SYS_execveat:
	case SYS_clone: case SYS_vfork: case SYS_clone3:
	case SYS_ptrace: case SYS_reboot:
	case SYS_mount: case SYS_umount: case SYS_umount2:
	case SYS_sethostname: case SYS_setdomainname: /* the whole guest's */
	case SYS_settimeofday_time32: case SYS_clock_settime32: case SYS_clock_settime64: /* the whole guest's clock */
	case SYS_process_vm_readv: case SYS_process_vm_writev: /* other processes' memory */
		return 1;
	}
	return 0;
}

/* Calls that almost always end the worker (sigreturn with a junk frame, waits
 * only the watchdog ends, a junk TLS descriptor): made 1 time in 16. */
static int rare(unsigned nr)
{
	switch (nr) {
	case SYS_sigreturn: case SYS_rt_sigreturn: case SYS_pause: case SYS_sigsuspend: case SYS_rt_sigsuspend:
	case SYS_set_thread_area:
		return 1;
	}
	return 0;
}

/* Writes a path under WORKDIR (or a relative junk name, or an overlong one) at p. */
static unsigned long make_path(unsigned char *p)
{
	static const char *const names[] = {
		WORKDIR "/a", WORKDIR "/b", WORKDIR "/a/b", WORKDIR "/b/a", WORKDIR "/a/b/c", WORKDIR "/c",
		"a", "b", "a/b", "",
	};
	unsigned k = below(16);
	if (k < 10) {
		strcpy((char *)p, names[k]);
	} else if (k < 13) {
		unsigned n = 1 + below(k == 12 ? 300 : 12); /* junk: no '/', no '.', so it stays in cwd */
		for (unsigned i = 0; i < n; i++) {
			unsigned char c = 1 + below(255);
			p[i] = c == '/' || c == '.' ? 'x' : c;
		}
		p[n] = 0;
	} else if (k == 13) {
		unsigned n = strlen(WORKDIR "/");
		memcpy(p, WORKDIR "/", n);
		memset(p + n, 'a', 4200 - n); /* longer than PATH_MAX */
		p[4200] = 0;
	} else if (k == 14) {
		return below(2) ? 0 : 0xC0000000u + below(0x40000000u);
	} else {
		memset(buf + BUF_PAGES * PAGE - 64, 'a', 64); /* runs into the guard page */
		return (unsigned long)(buf + BUF_PAGES * PAGE - 64);
	}
	return (unsigned long)p;
}

static unsigned long make_arg(void)
{
	static const unsigned long sizes[] = { 0, 1, 2, 8, 16, 64, 4095, 4096, 4097, 65536, 0x7fffffff, 0x80000000u,
		0xffffffffu, 0x10000000 };
	switch (below(13)) {
	case 0: return below(17);
	case 1: return (unsigned long)-1;
	case 2: return 0;
	case 3: return (unsigned long)(buf + below(BUF_PAGES) * PAGE);
	case 4: return (unsigned long)(buf + below(BUF_PAGES * PAGE));
	case 5: return (unsigned long)(buf + BUF_PAGES * PAGE - 1 - below(16));
	case 6: return 0xC0000000u + below(0x40000000u);
	case 7: return 0xFFFFF000u + below(PAGE);
	case 8: return rnd();
	case 9: return nfds ? (unsigned long)fds[below(nfds)] : below(4);
	case 10: return sizes[below(sizeof sizes / sizeof sizes[0])];
	case 11: return rnd() & rnd();
	default: return 1u << below(32);
	}
}

/* Half the time, memory-management calls get arguments that mostly pass the
 * first checks: page-aligned addresses in the buffer, a few pages, real
 * protections and flags, the worker's fds, page offsets. */
static void sane_mm(unsigned nr, unsigned long *a)
{
	static const unsigned long mapflags[] = { MAP_PRIVATE, MAP_SHARED, MAP_PRIVATE | MAP_ANONYMOUS,
		MAP_SHARED | MAP_ANONYMOUS };
	unsigned long addr = (unsigned long)(buf + below(BUF_PAGES) * PAGE);
	unsigned long len = (1 + below(4)) * PAGE - (below(4) ? 0 : below(PAGE));
	switch (nr) {
	case SYS_mmap2:
		a[0] = below(2) ? addr : 0;
		a[1] = len;
		a[2] = below(2) ? PROT_READ | PROT_WRITE : below(8); /* often the buffer's own: areas may merge */
		a[3] = mapflags[below(4)] | (below(2) ? MAP_FIXED : 0) | (below(4) ? 0 : MAP_POPULATE);
		a[4] = nfds ? (unsigned long)fds[below(nfds)] : (unsigned long)-1;
		a[5] = below(4);
		break;
	case SYS_munmap: case SYS_mprotect: case SYS_msync: case SYS_madvise:
		a[0] = addr;
		a[1] = len;
		a[2] = nr == SYS_madvise ? below(16) : nr == SYS_msync ? 1u << below(3) : below(8);
		break;
	case SYS_shmget:
		a[0] = below(2) ? IPC_PRIVATE : 0x5f000 + below(4);
		a[1] = len;
		a[2] = IPC_CREAT | 0600 | (below(4) ? 0 : IPC_EXCL);
		break;
	case SYS_shmctl:
		a[0] = last_shm;
		a[1] = below(16) | (below(2) ? 0x100 : 0);
		break;
	case SYS_shmat:
		a[1] = below(2) ? addr : 0;
		a[2] &= 0x7000;
		break;
	case SYS_shmdt:
		a[0] = addr;
		break;
	case SYS_brk:
		a[0] = (unsigned long)sbrk(0) + (int)(below(8 * PAGE) - 4 * PAGE);
		break;
	}
}

/* Rewrites arguments that would reach outside the worker (other pids, other
 * processes' segments, the watchdog). */
static void tame(unsigned nr, unsigned long *a)
{
	long self = syscall(SYS_getpid);
	switch (nr) {
	case SYS_kill: case SYS_rt_sigqueueinfo: case SYS_pidfd_open: a[0] = self; break;
	case SYS_tkill: a[0] = self; break;
	case SYS_tgkill: case SYS_rt_tgsigqueueinfo: a[0] = a[1] = self; break;
	case SYS_setpgid: case SYS_prlimit64: case SYS_setpriority: a[nr == SYS_setpriority ? 1 : 0] = 0; break; /* self */
	case SYS_alarm: a[0] = 1; break; /* keep the watchdog */
	case SYS_signal: case SYS_sigaction: case SYS_rt_sigaction: if ((int)a[0] == SIGALRM) a[0] = SIGUSR1; break;
	case SYS_setitimer: if (a[0] == 0) a[0] = 1; break; /* not ITIMER_REAL */
	case SYS_setrlimit: if (a[0] == RLIMIT_AS) a[0] = RLIMIT_CORE; break;
	case SYS_mknod: a[1] &= ~(unsigned long)S_IFMT; break; /* no device nodes */
	case SYS_mknodat: a[2] &= ~(unsigned long)S_IFMT; break;
	case SYS_getrandom: /* not into the buffer */
		a[0] = (unsigned long)paths;
		a[1] %= PATH_SLOT;
		break;
	}
	/* System V segments: only the worker's own may be attached, changed or removed. */
	if (nr == SYS_shmat || (nr == SYS_shmctl && ((a[1] & 0xff) == IPC_RMID || (a[1] & 0xff) == IPC_SET)))
		a[0] = last_shm;
	if (nr == SYS_ipc && ((a[0] & 0xffff) == 21 || ((a[0] & 0xffff) == 24 && (a[2] & 0xff) <= IPC_SET)))
		a[1] = last_shm;
	if (nr == SYS_prlimit64 && a[1] == RLIMIT_AS)
		a[1] = RLIMIT_CORE;
	if (nr == SYS_kill || nr == SYS_tkill || nr == SYS_tgkill) { /* mostly signals that do not end the worker */
		static const unsigned char mild[] = { 0, SIGCHLD, SIGURG, SIGWINCH, SIGCONT };
		unsigned long *sig = &a[nr == SYS_tgkill ? 2 : 1];
		if (below(4))
			*sig = mild[below(sizeof mild)];
	}
}

static void remember_fd(long r)
{
	if (r >= 0 && r < 1024) {
		if (nfds < MAX_FDS)
			fds[nfds++] = (int)r;
		else
			fds[below(MAX_FDS)] = (int)r;
	}
}

/* Buffer pages a call may have unmapped or protected: not refilled again. */
static unsigned char unsafe[BUF_PAGES];

static void mark_unsafe(unsigned long addr, unsigned long len)
{
	unsigned long start = (unsigned long)buf, end = start + BUF_PAGES * PAGE;
	if (addr >= end || len == 0 || addr + len <= start || addr + len < addr)
		return;
	for (unsigned long a = addr < start ? start : addr & ~(PAGE - 1ul); a < end && a < addr + len; a += PAGE)
		unsafe[(a - start) / PAGE] = 1;
}

/* ---- -x: selectors, descriptors and signal frames ---- */

static int hostile;
/* Counters the parent prints, in the shared page after the segment log: every
 * system call made, and those of each hostile kind. */
enum { CNT_CALLS = SHMLOG_MAX + 1, CNT_SELECTORS, CNT_FRAMES, CNT_DESCRIPTORS, CNT_SCRAMBLES };

static unsigned short user_cs, user_ds, musl_gs;

/* A selector worth loading: mostly ones a MOV takes (null, the flat user
 * segments with either RPL, musl's TLS slot, the two spare TLS slots), one time
 * in 32 one it refuses (kernel, LDT, beyond the GDT, random), which ends the
 * worker when it is loaded rather than put in a frame. */
static unsigned short rnd_selector(void)
{
	unsigned slot = (musl_gs >> 3) + 1 + below(2);
	switch (below(below(8) ? 12 : 16)) {
	case 0: return 0;
	case 1: return below(4);
	case 2: case 3: return user_ds;
	case 4: return user_ds & ~3;
	case 5: return user_cs;
	case 6: return musl_gs;
	case 7: case 8: case 9: case 10: case 11: return slot * 8 + (below(4) ? 3 : below(3));
	case 12: return slot * 8 + 4 + below(4); /* TI: an LDT, and there is none */
	case 13: return 0x60 + below(16);        /* kernel code and data */
	case 14: return 0xf8 + below(0xff00);    /* beyond the GDT */
	default: return rnd();
	}
}

/* struct user_desc (asm/ldt.h) */
struct fz_desc {
	int entry;
	unsigned base, limit, bits;
};

/* A user_desc: mostly a spare TLS slot (musl's own one time in 32: a broken GS
 * ends the worker at its next libc call), sometimes -1 or junk; with valid set,
 * a present 32-bit data segment; else any flag bits. */
static void rnd_desc(struct fz_desc *d, int valid)
{
	unsigned k = below(32);
	d->entry = k < 24 ? (int)(musl_gs >> 3) + 1 + (int)below(2) : k < 28 ? -1 : k < 29 ? musl_gs >> 3 : (int)make_arg();
	k = below(4);
	d->base = k == 0 ? 0 : k == 1 ? (unsigned)(buf + below(BUF_PAGES * PAGE)) : k == 2 ? 0xc0000000u + below(PAGE) : rnd();
	k = below(4);
	d->limit = k == 0 ? 0xfffff : k == 1 ? below(0x2000) : k == 2 ? 0 : rnd();
	if (valid)
		d->bits = 1 | (below(2) << 1) | (below(4) ? 0 : 8) | (below(2) << 4) | (below(2) << 6);
	else
		d->bits = below(4) ? rnd() & 0xff : rnd();
}

/* The call segcall_R makes, with R = fz_sel; R comes back from fz_saved through CS
 * (a readable code segment), so nothing depends on DS or SS surviving the call. */
unsigned long fz_args[6], fz_nr;
long fz_ret;
unsigned short fz_sel, fz_saved;
#define DEF_SEGCALL(R)                                                              \
	static void segcall_##R(void)                                               \
	{                                                                           \
		__asm__ volatile("pushl %%ebp\n\t"                                  \
				 "movw %%" #R ", fz_saved\n\t"                      \
				 "movl fz_args, %%ebx\n\t"                          \
				 "movl fz_args+4, %%ecx\n\t"                        \
				 "movl fz_args+8, %%edx\n\t"                        \
				 "movl fz_args+12, %%esi\n\t"                       \
				 "movl fz_args+16, %%edi\n\t"                       \
				 "movl fz_args+20, %%ebp\n\t"                       \
				 "movl fz_nr, %%eax\n\t"                            \
				 "movw fz_sel, %%" #R "\n\t"                        \
				 "int $0x80\n\t"                                    \
				 "movw %%cs:fz_saved, %%" #R "\n\t"                 \
				 "popl %%ebp\n\t"                                   \
				 "cld\n\t"                                          \
				 "movl %%eax, fz_ret"                               \
				 :                                                  \
				 :                                                  \
				 : "eax", "ebx", "ecx", "edx", "esi", "edi", "memory", "cc"); \
	}
DEF_SEGCALL(ds)
DEF_SEGCALL(es)
DEF_SEGCALL(fs)
DEF_SEGCALL(gs)
DEF_SEGCALL(ss)

/* sigreturn through a frame the worker wrote at fz_frame_esp: fz_frame saves every
 * register and segment, makes the call, and fz_land (where most frames point EIP)
 * puts them all back through CS and returns to the caller. */
unsigned long fz_frame_esp, fz_saved_esp;
unsigned short fz_saved_seg[5];
void fz_frame(void);
extern char fz_land[];
__asm__(".text\n"
	".globl fz_frame\n"
	"fz_frame:\n\t"
	"pushal\n\t"
	"movl %esp, fz_saved_esp\n\t"
	"movw %ds, fz_saved_seg\n\t"
	"movw %es, fz_saved_seg+2\n\t"
	"movw %fs, fz_saved_seg+4\n\t"
	"movw %gs, fz_saved_seg+6\n\t"
	"movw %ss, fz_saved_seg+8\n\t"
	"movl fz_nr, %eax\n\t"
	"movl fz_frame_esp, %esp\n\t"
	"int $0x80\n"
	".globl fz_land\n"
	"fz_land:\n\t"
	"movw %cs:fz_saved_seg+8, %ss\n\t"
	"movl %cs:fz_saved_esp, %esp\n\t"
	"movw %cs:fz_saved_seg, %ds\n\t"
	"movw %cs:fz_saved_seg+2, %es\n\t"
	"movw %cs:fz_saved_seg+4, %fs\n\t"
	"movw %cs:fz_saved_seg+6, %gs\n\t"
	"pushfl\n\t"
	"andl $~0x40500, (%esp)\n\t" /* AC DF TF */
	"popfl\n\t"
	"popal\n\t"
	"ret\n");

/* EFLAGS for a frame: any bits (IOPL, VM, NT, AC, RF, ID...), TF one time in 32
 * (it ends the worker with SIGTRAP right after the return). */
static unsigned rnd_eflags(void)
{
	return (rnd() & ~0x100u) | (below(32) ? 0 : 0x100);
}

/* A struct sigcontext (22 words, asm/sigcontext.h order) with random contents. */
static void rnd_sigcontext(unsigned *sc)
{
	for (int i = 0; i < 4; i++)
		sc[i] = below(4) ? rnd_selector() : rnd(); /* gs fs es ds */
	for (int i = 4; i < 12; i++)
		sc[i] = below(2) ? rnd() : make_arg(); /* edi esi ebp esp ebx edx ecx eax */
	sc[12] = rnd(), sc[13] = rnd();            /* trapno err */
	sc[14] = below(16) ? (unsigned)fz_land : make_arg();
	sc[15] = below(4) ? user_cs : rnd_selector();
	sc[16] = rnd_eflags();
	sc[17] = make_arg();
	sc[18] = below(4) ? user_ds : rnd_selector();
	sc[19] = below(2) ? 0 : make_arg();         /* fpstate */
	sc[20] = below(2) ? 0 : rnd() & ~(1u << (SIGALRM - 1)); /* oldmask: keep the watchdog */
	sc[21] = rnd();                             /* cr2 */
}

/* A random frame in the buffer (sometimes running into the guard page), then
 * sigreturn (119) or rt_sigreturn (173) on it. */
static void frame_call(void)
{
	int rt = below(2);
	unsigned size = rt ? 128 + 16 + 20 + 88 + 8 + 8 : 8 + 88 + 4 + 8;
	unsigned long at = below(8) ? (unsigned long)(buf + below(BUF_PAGES * PAGE - size)) & ~3ul
				    : (unsigned long)(buf + BUF_PAGES * PAGE - below(size));
	unsigned long off = at - (unsigned long)buf;
	if (unsafe[off / PAGE] || (off + size < BUF_PAGES * PAGE && unsafe[(off + size) / PAGE]))
		return;
	unsigned words[128];
	for (unsigned i = 0; i < size / 4; i++)
		words[i] = below(2) ? rnd() : make_arg();
	unsigned *sc = words + (rt ? (16 + 128 + 20) / 4 : 2);
	rnd_sigcontext(sc);
	if (rt) {
		words[(16 + 128 + 20 + 88) / 4] = sc[20];      /* uc_sigmask */
		words[(16 + 128 + 20 + 88) / 4 + 1] = rnd();
		words[(16 + 128 + 8) / 4] = below(2) ? 0 : rnd(); /* uc_stack: ss_sp */
		words[(16 + 128 + 12) / 4] = below(2) ? 2 : rnd(); /* ss_flags: SS_DISABLE */
	}
	unsigned long room = (unsigned long)buf + BUF_PAGES * PAGE - at;
	memcpy((void *)at, words, room < size ? room : size);
	/* sigreturn reads its frame at ESP - 8, rt_sigreturn at ESP - 4 (the handler's RET popped pretcode) */
	fz_frame_esp = at + (rt ? 4 : 8);
	fz_nr = rt ? SYS_rt_sigreturn : SYS_sigreturn;
	shmlog[CNT_CALLS]++;
	shmlog[CNT_FRAMES]++;
	fz_frame();
}

/* SIGUSR2 with a random selector live: the handler rewrites the selector's slot in its
 * frame, EFLAGS and fpstate, and now and then CS or SS, before returning through it. */
static int fz_reg;
static void scramble(int sig, siginfo_t *si, void *ctx)
{
	static const int greg[] = {REG_DS, REG_ES, REG_FS, REG_GS, REG_SS};
	ucontext_t *uc = ctx;
	uc->uc_mcontext.gregs[greg[fz_reg]] = rnd_selector();
	uc->uc_mcontext.gregs[REG_EFL] = rnd_eflags();
	if (below(2))
		uc->uc_mcontext.fpregs = (void *)make_arg();
	if (!below(8))
		uc->uc_mcontext.gregs[below(2) ? REG_CS : REG_SS] = rnd_selector();
	shmlog[CNT_SCRAMBLES]++;
}

/* A system call with a random selector in one segment register; half the time the
 * call redefines the TLS slot that selector names (set_thread_area, descriptor
 * random), or is a SIGUSR2 to itself. Returns the call made (in fz_ret, its result). */
static unsigned selector_call(unsigned nr, unsigned long *a)
{
	static void (*const call[])(void) = {segcall_ds, segcall_es, segcall_fs, segcall_gs, segcall_ss};
	fz_reg = below(16) ? below(4) : 4;
	fz_sel = rnd_selector();
	unsigned slot = fz_sel >> 3, spare = (musl_gs >> 3) + 1;
	if ((slot == spare || slot == spare + 1) && below(16)) { /* usually a slot that a MOV takes */
		struct fz_desc d;
		rnd_desc(&d, 1);
		d.entry = slot;
		syscall(SYS_set_thread_area, &d);
	}
	unsigned k = below(4);
	if (k < 2) {
		struct fz_desc *d = (struct fz_desc *)(buf + below(BUF_PAGES) * PAGE);
		if (unsafe[((unsigned char *)d - buf) / PAGE])
			return nr;
		rnd_desc(d, below(2));
		if (k == 0)
			d->entry = slot;
		nr = SYS_set_thread_area;
		a[0] = (unsigned long)d;
	} else if (k == 2) {
		nr = SYS_kill;
		a[0] = syscall(SYS_getpid);
		a[1] = SIGUSR2;
	}
	memcpy(fz_args, a, sizeof fz_args);
	fz_nr = nr;
	shmlog[CNT_SELECTORS]++;
	call[fz_reg]();
	return nr;
}

/* set_thread_area, get_thread_area and modify_ldt read a user_desc: give them one. */
static void descriptor_args(unsigned nr, unsigned long *a)
{
	unsigned i = nr == SYS_modify_ldt ? 1 : 0;
	unsigned char *p = buf + below(BUF_PAGES) * PAGE + below(PAGE - 16);
	if (unsafe[(p - buf) / PAGE] || unsafe[(p + 15 - buf) / PAGE])
		return;
	rnd_desc((struct fz_desc *)p, below(2));
	a[i] = (unsigned long)p;
	if (nr == SYS_modify_ldt) {
		static const unsigned long funcs[] = {0, 1, 2, 0x11};
		a[0] = below(4) ? funcs[below(4)] : rnd();
		a[2] = below(2) ? 16 : make_arg();
	}
	shmlog[CNT_DESCRIPTORS]++;
}

static void one_call(void)
{
	unsigned nr = below(4) ? common[below(sizeof common / sizeof common[0])] : below(NR_MAX);
	if (hostile && below(16) == 0) { /* -x: the calls that take a user_desc, more often */
		static const unsigned short desc_calls[] = {SYS_set_thread_area, SYS_get_thread_area, SYS_modify_ldt};
		nr = desc_calls[below(3)];
	}
	if (excluded(nr))
		return;
	if (nr == SYS_fork && forks >= MAX_FORKS)
		return;
	if (rare(nr) && below(16) && !(hostile && nr == SYS_set_thread_area))
		return;
	if (hostile && below(16) == 0) {
		frame_call();
		return;
	}
	unsigned long a[6];
	for (int i = 0; i < 6; i++)
		a[i] = make_arg();
	unsigned pa = path_args(nr);
	for (int i = 0, slot = 0; i < 6; i++)
		if (pa & (1u << i))
			a[i] = make_path(paths + PATH_SLOT * slot++);
	if (below(2))
		sane_mm(nr, a);
	tame(nr, a);
	/* Structures the call may read come from the seed, not from what earlier
	 * calls stored there (times, inode numbers: they differ from run to run). */
	for (int i = 0; i < 6; i++) {
		unsigned long off = a[i] - (unsigned long)buf;
		if (off < BUF_PAGES * PAGE - 64 && !unsafe[off / PAGE] && !unsafe[(off + 63) / PAGE])
			for (unsigned *w = (unsigned *)(a[i] & ~3ul), j = 0; j < 16; j++)
				w[j] = below(2) ? rnd() : make_arg();
	}
	switch (nr) {
	case SYS_brk: case SYS_munmap: case SYS_mprotect: case SYS_msync: case SYS_mmap2: case SYS_madvise:
	case SYS_shmat: case SYS_shmdt:
		mark_unsafe(a[nr == SYS_shmat ? 1 : 0], nr == SYS_shmat || nr == SYS_shmdt ? (unsigned long)-1 : a[1]);
		break;
	case SYS_mmap: /* old mmap: the area comes from the structure */
		if (a[0] - (unsigned long)buf < BUF_PAGES * PAGE - 8 && !unsafe[(a[0] - (unsigned long)buf) / PAGE])
			mark_unsafe(((unsigned long *)a[0])[0], ((unsigned long *)a[0])[1]);
		break;
	}
	if (hostile && (nr == SYS_set_thread_area || nr == SYS_get_thread_area || nr == SYS_modify_ldt))
		descriptor_args(nr, a);
	shmlog[CNT_CALLS]++;
	long r;
	if (hostile && nr != SYS_fork && below(4) == 0) {
		nr = selector_call(nr, a);
		r = fz_ret;
	} else {
		r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	if (nr == SYS_fork) {
		if (r == 0)
			syscall(SYS_exit, 0); /* the grandchild leaves at once */
		forks++;
		if (r > 0)
			syscall(SYS_waitpid, r, 0, 0);
	}
	if (r >= 0 && (nr == SYS_shmget || (nr == SYS_ipc && (a[0] & 0xffff) == 23))) {
		last_shm = (int)r;
		if (shmlog[0] < SHMLOG_MAX)
			shmlog[1 + shmlog[0]++] = (int)r;
	}
	if (nr == SYS_open || nr == SYS_creat || nr == SYS_dup || nr == SYS_dup2 || nr == SYS_openat || nr == SYS_dup3 ||
	    (nr == SYS_fcntl && a[1] == F_DUPFD))
		remember_fd(r);
	if ((nr == SYS_pipe || nr == SYS_pipe2) && r == 0 && a[0] >= (unsigned long)buf &&
	    a[0] + 8 <= (unsigned long)buf + BUF_PAGES * PAGE) {
		int *p = (int *)a[0];
		remember_fd(p[0]);
		remember_fd(p[1]);
	}
}

/* The worker's own descriptors of each kind: a device, a pipe, a file with
 * data, a directory, procfs files about itself. Never the console; nothing
 * whose content changes from run to run (/dev/urandom, pids, free memory),
 * since what the worker reads feeds its later arguments. */
static void open_fds(void)
{
	static const char *const files[] = { "/dev/zero", "/proc/self/maps", "/proc/self/cmdline", WORKDIR };
	int p[2];
	for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++)
		remember_fd(open(files[i], O_RDONLY));
	if (pipe(p) == 0) {
		remember_fd(p[0]);
		remember_fd(p[1]);
	}
	int f = open(WORKDIR "/f", O_RDWR | O_CREAT, 0644);
	if (f >= 0) {
		for (unsigned i = 0; i < 3 * PAGE; i += PAGE)
			(void)!write(f, buf + i, PAGE);
		remember_fd(f);
	}
}

static void worker(unsigned seed, long calls)
{
	signal(SIGALRM, SIG_DFL);
	int null = open("/dev/null", O_RDWR);
	for (int fd = 0; fd < 3; fd++)
		if (dup2(null, fd) != fd)
			_exit(102); /* never fuzz with the console as fd 0-2 */
	for (int fd = 3; fd < 64; fd++)
		close(fd);
	if (chdir(WORKDIR) != 0)
		_exit(100);
	struct rlimit as = { 32 << 20, 32 << 20 };
	setrlimit(RLIMIT_AS, &as);
	buf = mmap(NULL, (BUF_PAGES + 1) * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	paths = mmap(NULL, 2 * PATH_SLOT, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || paths == MAP_FAILED)
		_exit(101);
	mprotect(buf + BUF_PAGES * PAGE, PAGE, PROT_NONE);
	rng = seed;
	if (hostile) {
		__asm__ volatile("movw %%cs, %0\n\tmovw %%ds, %1\n\tmovw %%gs, %2" : "=r"(user_cs), "=r"(user_ds), "=r"(musl_gs));
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = scramble;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGUSR2, &sa, NULL);
	}
	fds[0] = 0, fds[1] = 1, fds[2] = 2, nfds = 3;
	open_fds();
	/* Half the words are argument-like (small, pointers into the buffer, fds,
	 * sizes), so structures the kernel reads (iovecs, timespecs, sigactions) are
	 * sometimes nearly valid. */
	for (unsigned i = 0; i < BUF_PAGES * PAGE / 4; i++)
		((unsigned *)buf)[i] = below(2) ? rnd() : make_arg();
	alarm(1);
	for (long i = 0; i < calls; i++)
		one_call();
	_exit(0);
}

/* Removes path and everything under it; the parent runs it between workers.
 * A bounded number of passes, so an entry that cannot go cannot hang it. */
static void rmtree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	chmod(path, 0700);
	char sub[PATH_MAX];
	for (int pass = 0; pass < 4; pass++) {
		DIR *d = opendir(path);
		if (!d)
			break;
		int any = 0;
		struct dirent *e;
		while ((e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			any = 1;
			if (snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) < (int)sizeof sub)
				rmtree(sub);
		}
		closedir(d);
		if (!any)
			break;
	}
	rmdir(path);
}

/* Removes the shared memory segments worker pid created (checked by creator
 * pid: the log lives in the worker's memory, which it may have scribbled on). */
static void remove_segments(pid_t pid)
{
	int n = shmlog[0] < 0 || shmlog[0] > SHMLOG_MAX ? SHMLOG_MAX : shmlog[0];
	for (int i = 0; i < n; i++) {
		struct shmid_ds ds;
		if (shmctl(shmlog[1 + i], IPC_STAT, &ds) == 0 && ds.shm_cpid == pid)
			shmctl(shmlog[1 + i], IPC_RMID, NULL);
	}
}

static void on_alarm(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	unsigned seed = 1;
	long count = 4000, children = 8;
	int opt;
	long uid = -1;
	while ((opt = getopt(argc, argv, "s:n:c:u:x")) != -1) {
		if (opt == 'x')
			hostile = 1;
		else if (opt == 'u')
			uid = atol(optarg);
		else if (opt == 's')
			seed = strtoul(optarg, NULL, 0);
		else if (opt == 'n')
			count = atol(optarg);
		else if (opt == 'c')
			children = atol(optarg);
		else {
			fprintf(stderr, "usage: sysfuzz [-s SEED] [-n COUNT] [-c CHILDREN] [-u UID] [-x]\n");
			return 2;
		}
	}
	if (!on_vmalab()) {
		fprintf(stderr, "sysfuzz: refusing to run: it issues random system calls, and this is not vmalab\n");
		return 1;
	}
	if (children < 1 || count < 0) {
		fprintf(stderr, "sysfuzz: need CHILDREN >= 1 and COUNT >= 0\n");
		return 2;
	}
	if (uid >= 0 && (setgid(uid) != 0 || setuid(uid) != 0)) {
		perror("sysfuzz: setuid");
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm; /* no SA_RESTART: the backstop interrupts waitpid */
	sigaction(SIGALRM, &sa, NULL);
	shmlog = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shmlog == MAP_FAILED) {
		perror("sysfuzz: mmap");
		return 1;
	}
	int bysig[128] = { 0 };
	long exited = 0, signalled = 0;
	for (long c = 0; c < children; c++) {
		rmtree(WORKDIR);
		mkdir(WORKDIR, 0777);
		shmlog[0] = 0;
		rng = seed ^ (0x9e3779b9u * (unsigned)(c + 1));
		unsigned child_seed = rnd() | 1;
		pid_t pid = fork();
		if (pid < 0) {
			perror("sysfuzz: fork");
			return 1;
		}
		if (pid == 0)
			worker(child_seed, count / children + (c < count % children));
		int st;
		alarm(3);
		for (;;) {
			pid_t w = waitpid(pid, &st, WUNTRACED);
			if (w == pid && !WIFSTOPPED(st))
				break;
			if (w == pid || (w < 0 && errno == EINTR))
				kill(pid, SIGKILL); /* stopped, or outlived the backstop */
			else if (w < 0) {
				perror("sysfuzz: waitpid");
				return 1;
			}
		}
		alarm(0);
		remove_segments(pid);
		if (WIFEXITED(st))
			exited++;
		else if (WIFSIGNALED(st)) {
			signalled++;
			bysig[WTERMSIG(st)]++;
		}
	}
	rmtree(WORKDIR);
	char line[1024];
	int n = snprintf(line, sizeof line, "sysfuzz: seed %u children %ld calls %ld exited %ld signalled %ld", seed,
			 children, count, exited, signalled);
	const char *sep = " (";
	for (int s = 1; s < 128; s++) {
		if (!bysig[s])
			continue;
		const char *name = signal_name(s);
		if (name)
			n += snprintf(line + n, sizeof line - n, "%sSIG%s %d", sep, name, bysig[s]);
		else
			n += snprintf(line + n, sizeof line - n, "%sSIG%d %d", sep, s, bysig[s]);
		sep = ", ";
	}
	if (*sep == ',')
		n += snprintf(line + n, sizeof line - n, ")");
	say("%s\n", line);
	if (hostile)
		say("sysfuzz: made %d calls: %d with a random selector, %d random signal frames, %d random descriptors, %d "
		    "scrambled frames\n",
		    shmlog[CNT_CALLS], shmlog[CNT_SELECTORS], shmlog[CNT_FRAMES], shmlog[CNT_DESCRIPTORS], shmlog[CNT_SCRAMBLES]);
	return 0;
}
