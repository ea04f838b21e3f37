/* The vm_area walkers of Linux 2.0: find_vma over the AVL tree (mmap_avl.c) and the
 * per-area loops of fork and exit (dup_mmap, exit_mmap). */
#include "mm.h"

struct inode {
	int i_count;
	int i_writecount;
};

struct vm_operations_struct {
	void (*open)(struct vm_area_struct *area);
	void (*close)(struct vm_area_struct *area);
	void (*unmap)(struct vm_area_struct *area, unsigned long, unsigned long);
};

/* 2.0 find_vma (AVL tree keyed by vm_end): the first area with addr < vm_end, or NULL. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *result = 0;
	struct vm_area_struct *tree;

	if (!mm->mmap_avl) {
		for (result = mm->mmap; result && result->vm_end <= addr; result = result->vm_next)
			;
		return result;
	}
	for (tree = mm->mmap_avl;;) {
		if (tree == avl_empty)
			return result;
		if (tree->vm_end > addr) {
			if (tree->vm_start <= addr)
				return tree;
			result = tree;
			tree = tree->vm_avl_left;
		} else
			tree = tree->vm_avl_right;
	}
}

/* 2.0 dup_mmap's area loop (fork): for each parent area, the flag tests and the call to
 * copy_page_range; the vma duplication itself (kmalloc, struct copy, linking) is left out. */
int dup_mmap_areas(struct mm_struct *mm, struct mm_struct *oldmm)
{
	struct vm_area_struct *mpnt;

	for (mpnt = oldmm->mmap; mpnt; mpnt = mpnt->vm_next) {
		if (mpnt->vm_flags & VM_DENYWRITE)
			mpnt->vm_inode->i_writecount--;
		if (mpnt->vm_inode)
			mpnt->vm_inode->i_count++;
		if (mpnt->vm_ops && mpnt->vm_ops->open)
			mpnt->vm_ops->open(mpnt);
		if (copy_page_range(mm, oldmm, mpnt))
			return -1;
	}
	return 0;
}

/* 2.0 exit_mmap's area loop: for each area, the vm_ops tests and zap_page_range over it;
 * unlinking and freeing the vma are left out. */
void exit_mmap_areas(struct mm_struct *mm)
{
	struct vm_area_struct *mpnt = mm->mmap;

	while (mpnt) {
		struct vm_area_struct *next = mpnt->vm_next;
		if (mpnt->vm_ops) {
			if (mpnt->vm_ops->unmap)
				mpnt->vm_ops->unmap(mpnt, mpnt->vm_start, mpnt->vm_end - mpnt->vm_start);
			if (mpnt->vm_ops->close)
				mpnt->vm_ops->close(mpnt);
		}
		zap_page_range(mm, mpnt->vm_start, mpnt->vm_end - mpnt->vm_start);
		mpnt = next;
	}
}
