/* Where and how much may be mapped. Below vm.mmap_min_addr (65536) only a
 * process with CAP_SYS_RAWIO may map (a user's MAP_FIXED gets EPERM, a hint
 * is raised); a single private writable request larger than RAM plus swap is
 * refused by the overcommit heuristic unless MAP_NORESERVE; /proc/self/maps
 * reflects the address space at the time of the read, not of the open; msync
 * checks its arguments as Linux does. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "procfs.h"

/* vm.mmap_min_addr: 65536 on Debian and in vmalab, a sysctl elsewhere. */
static unsigned long mmap_min_addr(void)
{
	unsigned long v = 0x10000;
	FILE *f = fopen("/proc/sys/vm/mmap_min_addr", "r");
	if (f) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 0x10000;
		fclose(f);
	}
	return v;
}

static void min_addr(void)
{
	const unsigned long MIN_ADDR = mmap_min_addr();
	if (MIN_ADDR < 0x1000) {
		skip("mmap_min_addr_user", "vm.mmap_min_addr is %lu, nothing to test below it", MIN_ADDR);
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		if (setuid(1000) != 0)
			_exit(10);
		errno = 0;
		if (mmap((void *)0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED ||
		    errno != EPERM)
			_exit(1);
		errno = 0;
		if (mmap((void *)(MIN_ADDR - 4096), 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED ||
		    errno != EPERM)
			_exit(2);
		void *h = mmap((void *)0x1000, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (h == MAP_FAILED || (unsigned long)h < MIN_ADDR)
			_exit(3);
		if (mmap((void *)MIN_ADDR, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
		    (void *)MIN_ADDR)
			_exit(4);
		_exit(0);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "mmap_min_addr_user", "child status %#x", st);
	/* Root (CAP_SYS_RAWIO) may map page 0. */
	void *z = mmap((void *)0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	check(z == (void *)0, "mmap_min_addr_root", "mmap at 0 as root gave %p errno %d", z, errno);
	if (z == (void *)0)
		munmap(z, 4096);
}

static void overcommit(void)
{
	long total = meminfo_kb("MemTotal") + meminfo_kb("SwapTotal");
	size_t big = (size_t)(total + 4096) * 1024; /* more than RAM + swap */
	if (big >= 0xb0000000UL) {
		skip("overcommit_refused", "RAM + swap (%ld kB) leaves no room to ask for more in 3 GiB", total);
		return;
	}
	errno = 0;
	void *p = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(p == MAP_FAILED && errno == ENOMEM, "overcommit_refused", "%zu bytes granted (errno %d)", big, errno);
	if (p != MAP_FAILED)
		munmap(p, big);
	p = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	check(p != MAP_FAILED, "overcommit_noreserve", "MAP_NORESERVE refused (errno %d)", errno);
	if (p != MAP_FAILED)
		munmap(p, big);
	p = mmap(NULL, big, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(p != MAP_FAILED, "overcommit_readonly", "a read-only mapping commits nothing (errno %d)", errno);
	if (p != MAP_FAILED) {
		errno = 0;
		check(mprotect(p, big, PROT_READ | PROT_WRITE) == -1 && errno == ENOMEM, "overcommit_mprotect",
		      "making it writable should commit it (errno %d)", errno);
		munmap(p, big);
	}
	void *brk0 = sbrk(0);
	errno = 0;
	check(sbrk((intptr_t)big) == (void *)-1 && errno == ENOMEM && sbrk(0) == brk0, "overcommit_brk",
	      "brk grew by more than RAM + swap");
}

static void maps_at_read(void)
{
	int fd = open("/proc/self/maps", O_RDONLY);
	char *p = mmap(NULL, 3 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char want[32], buf[16384];
	snprintf(want, sizeof want, "%08lx-%08lx", (unsigned long)p, (unsigned long)p + 3 * 4096);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	check(strstr(buf, want) != NULL, "maps_at_read", "area %s mapped after open() is missing", want);
	munmap(p, 3 * 4096);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	check(strstr(buf, want) == NULL, "maps_reread", "area %s unmapped before the re-read is still shown", want);
	close(fd);
}

/* msync checks its arguments and the range (nothing to write back here, files live in RAM). */
static void msync_args(void)
{
	char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p + 4096, 4096);
	errno = 0;
	int bad_align = msync(p + 1, 4096, MS_SYNC) == -1 && errno == EINVAL;
	errno = 0;
	int bad_flags = msync(p, 4096, MS_SYNC | MS_ASYNC) == -1 && errno == EINVAL;
	errno = 0;
	int hole = msync(p, 3 * 4096, MS_SYNC) == -1 && errno == ENOMEM;
	int ok = msync(p, 4096, MS_SYNC) == 0 && msync(p + 2 * 4096, 4096, MS_ASYNC | MS_INVALIDATE) == 0;
	check(bad_align && bad_flags && ok, "msync_checks", "unaligned %d, both flags %d, ok %d", bad_align, bad_flags, ok);
	check(hole, "msync_hole_enomem", "a range with an unmapped page was accepted");
	munmap(p, 3 * 4096);
}

int main(void)
{
	msync_args();
	min_addr();
	overcommit();
	maps_at_read();
	return check_result();
}
