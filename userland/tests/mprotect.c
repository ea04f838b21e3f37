/* mprotect: a read-only page faults on write (SEGV_ACCERR at the exact address),
 * PROT_NONE faults on read, restoring PROT_READ|PROT_WRITE brings the data back. */
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>

#include "check.h"
#include "fault.h"

#define PAGE 4096

int main(void)
{
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fail("mprotect_setup", "mmap failed");
		return 1;
	}
	for (int i = 0; i < 4; i++)
		p[i * PAGE] = (char)(10 + i);
	struct fault f;

	check(mprotect(p + PAGE, PAGE, PROT_READ) == 0, "mprotect_readonly", "mprotect failed");
	int faulted = probe_write(p + PAGE + 123, 1, &f);
	check(faulted && f.signo == SIGSEGV && f.code == SEGV_ACCERR && f.addr == p + PAGE + 123,
	      "mprotect_write_faults", "faulted %d signo %d code %d addr %p (want %p)", faulted, f.signo, f.code,
	      f.addr, (void *)(p + PAGE + 123));
	faulted = probe_read(p + PAGE, &f);
	check(!faulted && f.value == 11, "mprotect_read_allowed", "faulted %d value %d", faulted, f.value);
	check(!probe_write(p + 2 * PAGE, 7, &f), "mprotect_neighbour_writable", "next page faulted");

	check(mprotect(p + 2 * PAGE, PAGE, PROT_NONE) == 0, "mprotect_none", "mprotect failed");
	faulted = probe_read(p + 2 * PAGE + 5, &f);
	check(faulted && f.signo == SIGSEGV && f.code == SEGV_ACCERR && f.addr == p + 2 * PAGE + 5,
	      "prot_none_read_faults", "faulted %d signo %d code %d addr %p", faulted, f.signo, f.code, f.addr);
	faulted = probe_write(p + 2 * PAGE + 6, 1, &f);
	check(faulted && f.addr == p + 2 * PAGE + 6, "prot_none_write_faults", "faulted %d addr %p", faulted, f.addr);

	check(mprotect(p, 4 * PAGE, PROT_READ | PROT_WRITE) == 0, "mprotect_restore", "mprotect failed");
	int ok = !probe_write(p + PAGE, 21, &f) && !probe_write(p + 2 * PAGE + 1, 22, &f);
	ok &= p[0] == 10 && p[PAGE] == 21 && p[2 * PAGE] == 7 && p[2 * PAGE + 1] == 22 && p[3 * PAGE] == 13;
	check(ok, "mprotect_restore_keeps_data", "data lost across protection changes");

	/* Never-touched PROT_NONE memory made readable reads as zero. */
	char *q = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	faulted = probe_read(q, &f);
	mprotect(q, PAGE, PROT_READ);
	check(faulted && !probe_read(q + 100, &f) && f.value == 0, "prot_none_then_read_zero",
	      "faulted %d value %d", faulted, f.value);
	return check_result();
}
