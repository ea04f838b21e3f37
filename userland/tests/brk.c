/* brk grows and shrinks the heap: new pages read as zero and are writable,
 * pages above a lowered break fault with SIGSEGV, regrown pages are zero again. */
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "fault.h"

#define PAGE 4096
#define GROW (64 * PAGE)

static uintptr_t sys_brk(uintptr_t addr)
{
	return (uintptr_t)syscall(SYS_brk, addr);
}

int main(void)
{
	uintptr_t start = sys_brk(0);
	check(start != 0 && start != (uintptr_t)-1, "brk_query", "brk(0) = %#lx", (unsigned long)start);
	uintptr_t base = (start + PAGE - 1) & ~(uintptr_t)(PAGE - 1);

	uintptr_t top = sys_brk(base + GROW);
	check(top == base + GROW, "brk_grow", "brk(%#lx) = %#lx", (unsigned long)(base + GROW), (unsigned long)top);
	volatile char *heap = (volatile char *)base;
	int zero = 1;
	for (int i = 0; i < GROW; i += PAGE)
		zero &= heap[i] == 0 && heap[i + PAGE - 1] == 0;
	check(zero, "brk_new_pages_zero", "grown heap is not zero-filled");
	for (int i = 0; i < GROW; i += PAGE)
		heap[i] = (char)(i / PAGE + 1);
	int kept = 1;
	for (int i = 0; i < GROW; i += PAGE)
		kept &= heap[i] == (char)(i / PAGE + 1);
	check(kept, "brk_pages_writable", "heap did not keep written values");

	top = sys_brk(base + PAGE);
	check(top == base + PAGE, "brk_shrink", "brk shrink returned %#lx", (unsigned long)top);
	struct fault f;
	int faulted = probe_write(heap + 8 * PAGE, 1, &f);
	check(faulted && f.signo == 11 && f.addr == (void *)(heap + 8 * PAGE), "brk_shrunk_page_faults",
	      "faulted %d signo %d addr %p", faulted, f.signo, f.addr);
	check(!probe_read(heap, &f) && f.value == 1, "brk_shrink_keeps_low_page", "first page lost");

	top = sys_brk(base + GROW);
	zero = top == base + GROW;
	for (int i = PAGE; zero && i < GROW; i += PAGE)
		zero &= heap[i] == 0;
	check(zero, "brk_regrow_zero", "pages above the old break kept data after shrink and regrow");

	uintptr_t huge = sys_brk(0xfffff000u);
	check(huge == base + GROW, "brk_too_large_unchanged", "brk(huge) = %#lx", (unsigned long)huge);
	sys_brk(start);
	return check_result();
}
