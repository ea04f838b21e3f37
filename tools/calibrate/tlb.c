/* TLB flushes of Linux 2.0 on i486: one page by INVLPG, everything by reloading CR3. */
#include "mm.h"

/* 2.0 i386 flush_tlb_page (486+: __flush_tlb_one = invlpg), out of line so the call counts. */
void flush_tlb_page(struct vm_area_struct *vma, unsigned long addr)
{
	if (vma->vm_mm == current->mm)
		__asm__ __volatile__("invlpg %0" : : "m"(*(char *)addr) : "memory");
}
