/* Locking memory: mlock faults the range in and VmLck counts it; munlock,
 * mlockall(MCL_CURRENT|MCL_FUTURE), munlockall and mlock2(MLOCK_ONFAULT);
 * RLIMIT_MEMLOCK bounds a user (EPERM at 0, ENOMEM past it) but not root;
 * locks are not inherited by fork; mincore reports residency. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "procfs.h"

#define PAGES 8
#define LEN (PAGES * 4096)

/* Number of resident pages of [p, p+len) by mincore; -1 on error. */

/* kB of [vdso], [vvar], [vvar_vclock] and [vsyscall] in /proc/self/maps. */
static long special_kb(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	long kb = 0;
	while (f && fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 &&
		    (strstr(line, "[vdso]") || strstr(line, "[vvar") || strstr(line, "[vsyscall]")))
			kb += (long)((hi - lo) / 1024);
	}
	if (f)
		fclose(f);
	return kb;
}
static int resident(void *p, size_t len)
{
	unsigned char vec[64];
	if (mincore(p, len, vec) != 0)
		return -1;
	int n = 0;
	for (size_t i = 0; i < len / 4096; i++)
		n += vec[i] & 1;
	return n;
}

static void as_root(void)
{
	char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(resident(p, LEN) == 0, "mincore_untouched", "%d pages resident before any touch", resident(p, LEN));
	p[0] = 1;
	check(resident(p, LEN) == 1, "mincore_touched", "%d pages resident after one write", resident(p, LEN));
	long before = status_kb("VmLck");
	check(mlock(p + 4096, 2 * 4096) == 0, "mlock_ok", "errno %d", errno);
	check(status_kb("VmLck") == before + 8, "vmlck_counts", "VmLck %ld kB, want %ld", status_kb("VmLck"), before + 8);
	check(resident(p, LEN) == 3, "mlock_faults_in", "%d pages resident after mlock of two", resident(p, LEN));
	/* Locking again is idempotent; munlock gives it back. */
	check(mlock(p + 4096, 2 * 4096) == 0 && status_kb("VmLck") == before + 8, "mlock_twice", "VmLck %ld kB",
	      status_kb("VmLck"));
	/* A fork's child holds no locks. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(status_kb("VmLck") == 0 ? 0 : 1);
	int st = -1;
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "mlock_not_inherited", "child status %#x", st);
	check(munlock(p, LEN) == 0 && status_kb("VmLck") == before, "munlock", "VmLck %ld kB", status_kb("VmLck"));
	/* mlock2(MLOCK_ONFAULT) locks without faulting in. */
	char *q = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(syscall(SYS_mlock2, q, LEN, 1) == 0 && resident(q, LEN) == 0 && status_kb("VmLck") == before + PAGES * 4,
	      "mlock2_onfault", "resident %d, VmLck %ld kB", resident(q, LEN), status_kb("VmLck"));
	errno = 0;
	check(syscall(SYS_mlock2, q, LEN, 2) == -1 && errno == EINVAL, "mlock2_bad_flags", "errno %d", errno);
	munmap(q, LEN);
	check(status_kb("VmLck") == before, "munmap_unlocks", "VmLck %ld kB", status_kb("VmLck"));
	/* A range with a hole: ENOMEM. */
	munmap(p + 4 * 4096, 4096);
	errno = 0;
	check(mlock(p, LEN) == -1 && errno == ENOMEM, "mlock_hole_enomem", "errno %d", errno);
	errno = 0;
	unsigned char vec[PAGES];
	check(mincore(p, LEN, vec) == -1 && errno == ENOMEM, "mincore_hole_enomem", "errno %d", errno);
	errno = 0;
	check(mincore(p + 1, 4096, vec) == -1 && errno == EINVAL, "mincore_unaligned", "errno %d", errno);
	munmap(p, LEN);

	/* mlockall: current and future mappings are locked until munlockall, all
	 * but the kernel's special mappings (VM_SPECIAL: mlock_fixup leaves them). */
	pid = fork();
	if (pid == 0) {
		if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0)
			_exit(1);
		long special = special_kb(); /* first: its buffers then serve status_kb's */
		long all = status_kb("VmLck"), size = status_kb("VmSize");
		if (all != size - special)
			_exit(2);
		char *r = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (status_kb("VmLck") != all + PAGES * 4 || resident(r, LEN) != PAGES)
			_exit(3);
		if (munlockall() != 0 || status_kb("VmLck") != 0)
			_exit(4);
		errno = 0;
		if (mlockall(0) != -1 || errno != EINVAL)
			_exit(5);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "mlockall", "child status %#x", st);
}

static void as_user(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = {64 << 10, 64 << 10}; /* Linux's default */
		if (setrlimit(RLIMIT_MEMLOCK, &rl) != 0 || setuid(1000) != 0)
			_exit(10);
		char *p = mmap(NULL, 32 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		/* Within the limit: allowed; past it: ENOMEM. */
		if (mlock(p, 16 * 4096) != 0)
			_exit(1);
		errno = 0;
		if (mlock(p, 17 * 4096) != -1 || errno != ENOMEM)
			_exit(2);
		errno = 0;
		if (mmap(NULL, 4096 * 17, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0) != MAP_FAILED ||
		    errno != EAGAIN)
			_exit(3);
		munlock(p, 16 * 4096);
		rl.rlim_cur = 0;
		setrlimit(RLIMIT_MEMLOCK, &rl);
		errno = 0;
		if (mlock(p, 4096) != -1 || errno != EPERM)
			_exit(4);
		errno = 0;
		if (mlockall(MCL_CURRENT) != -1 || errno != EPERM)
			_exit(5);
		_exit(0);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "mlock_user_limits", "child status %#x", st);
}

int main(void)
{
	as_root();
	as_user();
	return check_result();
}
