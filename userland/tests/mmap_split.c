/* munmap and mprotect in the middle of a mapping split its vma: /proc/self/maps
 * shows exactly the remaining pieces, data survives, the hole faults. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "fault.h"
#include "procfs.h"

#define PAGE 4096UL

static void expect_maps(const char *name, unsigned long lo, unsigned long hi, const char *want)
{
	static char got[4096];
	int n = maps_lines(lo, hi, got, sizeof got);
	int ok = n >= 0 && strcmp(got, want) == 0;
	/* One-line detail: newlines shown as " | ". */
	static char detail[8192];
	size_t d = 0;
	for (const char *s = got; *s && d + 4 < sizeof detail; s++)
		d += *s == '\n' ? (size_t)snprintf(detail + d, sizeof detail - d, " | ") : (detail[d] = *s, 1);
	detail[d] = 0;
	check(ok, name, "got %s", detail);
}

int main(void)
{
	/* 7 pages: PROT_NONE guards at both ends keep the area from merging with neighbours. */
	char *a = mmap(NULL, 7 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *mid = mmap(a + PAGE, 5 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (a == MAP_FAILED || mid != a + PAGE) {
		fail("mmap_setup", "mmap failed");
		return 1;
	}
	unsigned long b = (unsigned long)a;
	for (int i = 1; i <= 5; i++)
		a[i * PAGE] = (char)i;
	char want[1024];
	snprintf(want, sizeof want,
		 "%08lx-%08lx ---p 00000000 00:00 0\n"
		 "%08lx-%08lx rw-p 00000000 00:00 0\n"
		 "%08lx-%08lx ---p 00000000 00:00 0\n",
		 b, b + PAGE, b + PAGE, b + 6 * PAGE, b + 6 * PAGE, b + 7 * PAGE);
	expect_maps("mmap_fixed_inside", b, b + 7 * PAGE, want);

	int r = munmap(a + 3 * PAGE, PAGE);
	check(r == 0, "munmap_middle", "munmap returned %d", r);
	snprintf(want, sizeof want,
		 "%08lx-%08lx ---p 00000000 00:00 0\n"
		 "%08lx-%08lx rw-p 00000000 00:00 0\n"
		 "%08lx-%08lx rw-p 00000000 00:00 0\n"
		 "%08lx-%08lx ---p 00000000 00:00 0\n",
		 b, b + PAGE, b + PAGE, b + 3 * PAGE, b + 4 * PAGE, b + 6 * PAGE, b + 6 * PAGE, b + 7 * PAGE);
	expect_maps("munmap_splits_vma", b, b + 7 * PAGE, want);
	check(a[PAGE] == 1 && a[2 * PAGE] == 2 && a[4 * PAGE] == 4 && a[5 * PAGE] == 5, "munmap_keeps_data",
	      "pages around the hole lost their data");
	struct fault f;
	int faulted = probe_read(a + 3 * PAGE + 100, &f);
	check(faulted && f.signo == 11 && f.code == SEGV_MAPERR && f.addr == a + 3 * PAGE + 100, "munmap_hole_faults",
	      "faulted %d signo %d code %d addr %p", faulted, f.signo, f.code, f.addr);

	r = mprotect(a + 4 * PAGE, PAGE, PROT_READ);
	/* Only the right piece [4,6) changes: it becomes r-- [4,5) and rw- [5,6). */
	snprintf(want, sizeof want,
		 "%08lx-%08lx r--p 00000000 00:00 0\n"
		 "%08lx-%08lx rw-p 00000000 00:00 0\n",
		 b + 4 * PAGE, b + 5 * PAGE, b + 5 * PAGE, b + 6 * PAGE);
	check(r == 0, "mprotect_middle", "mprotect returned %d", r);
	expect_maps("mprotect_splits_vma", b + 4 * PAGE, b + 6 * PAGE, want);

	r = mprotect(a + 4 * PAGE, PAGE, PROT_READ | PROT_WRITE);
	snprintf(want, sizeof want, "%08lx-%08lx rw-p 00000000 00:00 0\n", b + 4 * PAGE, b + 6 * PAGE);
	expect_maps("mprotect_merges_back", b + 4 * PAGE, b + 6 * PAGE, want);

	/* One munmap across the hole and into both neighbours. */
	r = munmap(a + 2 * PAGE, 3 * PAGE);
	snprintf(want, sizeof want,
		 "%08lx-%08lx ---p 00000000 00:00 0\n"
		 "%08lx-%08lx rw-p 00000000 00:00 0\n"
		 "%08lx-%08lx rw-p 00000000 00:00 0\n"
		 "%08lx-%08lx ---p 00000000 00:00 0\n",
		 b, b + PAGE, b + PAGE, b + 2 * PAGE, b + 5 * PAGE, b + 6 * PAGE, b + 6 * PAGE, b + 7 * PAGE);
	check(r == 0, "munmap_across_hole", "munmap returned %d", r);
	expect_maps("munmap_across_hole_maps", b, b + 7 * PAGE, want);
	check(a[PAGE] == 1 && a[5 * PAGE] == 5, "munmap_across_keeps_data", "data lost");
	munmap(a, 7 * PAGE);
	return check_result();
}
