/* Page-table walkers: the whole-directory loops of Linux 1.2/1.3 before the memory.c
 * rewrite, and the range-driven walkers of 2.0 (copy_page_range, zap_page_range). */
#include "mm.h"

/* Linux 1.3 copy_one_pgd/copy_page_tables (fork, pre-rewrite): scan every user PDE; a
 * present one gets a fresh table and its PTEs copied (not exercised: the unit is the
 * empty PDE). `nr` is USER_PTRS_PER_PGD in the kernel; a parameter here for the slope. */
int copy_page_tables(pgd_t *new_pgd, pgd_t *old_pgd, int nr)
{
	int i;

	for (i = 0; i < nr; i++, old_pgd++, new_pgd++) {
		pgd_t old = *old_pgd;
		pte_t *old_pte, *new_pte;
		int j;

		if (pgd_none(old))
			continue;
		if (pgd_bad(old)) {
			*old_pgd = 0;
			continue;
		}
		if (PageReserved(mem_map + MAP_NR(pgd_page(old)))) {
			*new_pgd = old;
			continue;
		}
		new_pte = (pte_t *)__get_free_pages(GFP_KERNEL, 0, 0);
		if (!new_pte)
			return -1;
		*new_pgd = (pgd_t)new_pte | _PAGE_TABLE;
		old_pte = (pte_t *)pgd_page(old);
		for (j = 0; j < PTRS_PER_PTE; j++, old_pte++, new_pte++) {
			pte_t pte = *old_pte;
			if (pte_none(pte))
				continue;
			if (pte_present(pte)) {
				mem_map_t *map = mem_map + MAP_NR(pte_page(pte));
				if (!PageReserved(map)) {
					pte = pte_mkold(pte_wrprotect(pte));
					*old_pte = pte;
					map->count++;
				}
			}
			*new_pte = pte;
		}
	}
	return 0;
}

/* Linux 1.3 clear_page_tables/free_one_pgd (exec/exit, pre-rewrite): scan every user PDE,
 * free the table of a present one. `nr` as in copy_page_tables. */
void clear_page_tables(pgd_t *page_dir, int nr)
{
	int i;

	for (i = 0; i < nr; i++, page_dir++) {
		pgd_t pgd = *page_dir;
		pte_t *pte;
		int j;

		if (pgd_none(pgd))
			continue;
		if (pgd_bad(pgd)) {
			*page_dir = 0;
			continue;
		}
		*page_dir = 0;
		pte = (pte_t *)pgd_page(pgd);
		for (j = 0; j < PTRS_PER_PTE; j++, pte++) {
			pte_t page = *pte;
			if (pte_none(page))
				continue;
			*pte = 0;
			if (pte_present(page))
				free_pages(pte_page(page), 0);
		}
		free_pages(pgd_page(pgd), 0);
	}
}

/* 2.0 copy_one_pte: share a present private page with the child (COW write-protects the
 * parent's PTE), taking a reference on its struct page. Swap entries are not exercised. */
static inline void copy_one_pte(pte_t *old_pte, pte_t *new_pte, int cow)
{
	pte_t pte = *old_pte;
	unsigned long page_nr;

	if (pte_none(pte))
		return;
	if (!pte_present(pte)) {
		*new_pte = pte;
		return;
	}
	page_nr = MAP_NR(pte_page(pte));
	if (page_nr >= MAP_NR(high_memory) || PageReserved(mem_map + page_nr)) {
		*new_pte = pte;
		return;
	}
	if (cow)
		pte = pte_wrprotect(pte);
	*new_pte = pte_mkold(pte);
	*old_pte = pte;
	mem_map[page_nr].count++;
}

/* 2.0 copy_pte_range: the PTEs of one table that fall in [address, address+size). */
static inline int copy_pte_range(pmd_t *dst_pmd, pmd_t *src_pmd, unsigned long address, unsigned long size, int cow)
{
	pte_t *src_pte, *dst_pte;
	unsigned long end;

	if (pmd_none(*src_pmd))
		return 0;
	if (pmd_bad(*src_pmd)) {
		*src_pmd = 0;
		return 0;
	}
	src_pte = pte_offset(src_pmd, address);
	if (pmd_none(*dst_pmd)) {
		pte_t *page = (pte_t *)__get_free_pages(GFP_KERNEL, 0, 0);
		if (!page)
			return -1;
		clear_page((unsigned long)page);
		*dst_pmd = (pmd_t)page | _PAGE_TABLE;
	}
	dst_pte = pte_offset(dst_pmd, address);
	address &= ~PMD_MASK;
	end = address + size;
	if (end >= PMD_SIZE)
		end = PMD_SIZE;
	do {
		copy_one_pte(src_pte++, dst_pte++, cow);
		address += PAGE_SIZE;
	} while (address < end);
	return 0;
}

/* 2.0 copy_pmd_range: the pmd level, folded into the pgd on i386 (one pmd per pgd). */
static inline int copy_pmd_range(pgd_t *dst_pgd, pgd_t *src_pgd, unsigned long address, unsigned long size, int cow)
{
	pmd_t *src_pmd, *dst_pmd;
	unsigned long end;
	int error = 0;

	if (pgd_none(*src_pgd))
		return 0;
	src_pmd = pmd_offset(src_pgd, address);
	dst_pmd = pmd_offset(dst_pgd, address);
	address &= ~PGDIR_MASK;
	end = address + size;
	if (end > PGDIR_SIZE)
		end = PGDIR_SIZE;
	do {
		error = copy_pte_range(dst_pmd++, src_pmd++, address, end - address, cow);
		if (error)
			break;
		address = (address + PMD_SIZE) & PMD_MASK;
	} while (address < end);
	return error;
}

/* 2.0 copy_page_range (fork, after the rewrite): copy the page tables of one vma, one
 * PDE slot at a time. The TLB flush of the original is charged as its own unit. */
int copy_page_range(struct mm_struct *dst, struct mm_struct *src, struct vm_area_struct *vma)
{
	pgd_t *src_pgd, *dst_pgd;
	unsigned long address = vma->vm_start;
	unsigned long end = vma->vm_end;
	int error = 0, cow;

	cow = (vma->vm_flags & (VM_SHARED | VM_WRITE)) == VM_WRITE;
	src_pgd = pgd_offset(src, address);
	dst_pgd = pgd_offset(dst, address);
	while (address < end) {
		error = copy_pmd_range(dst_pgd++, src_pgd++, address, end - address, cow);
		if (error)
			break;
		address = (address + PGDIR_SIZE) & PGDIR_MASK;
	}
	return error;
}

/* 2.0 free_pte: drop the mapping's reference on a present page (free_pages frees it at
 * zero) and count it out of rss. */
static inline void free_pte(pte_t page)
{
	if (pte_present(page)) {
		unsigned long addr = pte_page(page);
		if (MAP_NR(addr) >= MAP_NR(high_memory) || PageReserved(mem_map + MAP_NR(addr)))
			return;
		free_pages(addr, 0);
		if (current->mm->rss <= 0)
			return;
		current->mm->rss--;
		return;
	}
}

/* 2.0 zap_pte_range: clear the PTEs of one table in [address, address+size). */
static inline void zap_pte_range(pmd_t *pmd, unsigned long address, unsigned long size)
{
	pte_t *pte;

	if (pmd_none(*pmd))
		return;
	if (pmd_bad(*pmd)) {
		*pmd = 0;
		return;
	}
	pte = pte_offset(pmd, address);
	address &= ~PMD_MASK;
	if (address + size > PMD_SIZE)
		size = PMD_SIZE - address;
	size >>= PAGE_SHIFT;
	for (;;) {
		pte_t page;
		if (!size)
			break;
		page = *pte;
		pte++;
		size--;
		if (pte_none(page))
			continue;
		pte_clear(pte - 1);
		free_pte(page);
	}
}

/* 2.0 zap_pmd_range: the folded pmd level of zap_page_range. */
static inline void zap_pmd_range(pgd_t *dir, unsigned long address, unsigned long size)
{
	pmd_t *pmd;
	unsigned long end;

	if (pgd_none(*dir))
		return;
	if (pgd_bad(*dir)) {
		*dir = 0;
		return;
	}
	pmd = pmd_offset(dir, address);
	address &= ~PGDIR_MASK;
	end = address + size;
	if (end > PGDIR_SIZE)
		end = PGDIR_SIZE;
	do {
		zap_pte_range(pmd, address, end - address);
		address = (address + PMD_SIZE) & PMD_MASK;
		pmd++;
	} while (address < end);
}

/* 2.0 zap_page_range (munmap, exit, exec after the rewrite): unmap [address, address+size)
 * one PDE slot at a time. The TLB flush is charged as its own unit. */
int zap_page_range(struct mm_struct *mm, unsigned long address, unsigned long size)
{
	pgd_t *dir;
	unsigned long end = address + size;

	dir = pgd_offset(mm, address);
	while (address < end) {
		zap_pmd_range(dir, address, end - address);
		address = (address + PGDIR_SIZE) & PGDIR_MASK;
		dir++;
	}
	return 0;
}
