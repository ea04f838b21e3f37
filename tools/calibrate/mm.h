/* The memory-manager data structures of Linux/i386 as of 1.3.x/2.0 (1995-96), written
 * afresh for calibration: two-level page tables of u32, mem_map[] of struct page indexed
 * by frame number, vm_area_struct lists with an AVL tree, buddy free_area lists with
 * bitmaps. The kernel segment is identity-mapped here (as 2.0's PAGE_OFFSET 0 with a
 * 0xC0000000 segment base: a table's contents are usable as pointers). */
#ifndef CALIBRATE_MM_H
#define CALIBRATE_MM_H

typedef unsigned long pte_t;
typedef unsigned long pmd_t;
typedef unsigned long pgd_t;

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PGDIR_SHIFT 22
#define PGDIR_SIZE (1UL << PGDIR_SHIFT)
#define PGDIR_MASK (~(PGDIR_SIZE - 1))
#define PMD_SHIFT PGDIR_SHIFT
#define PMD_SIZE PGDIR_SIZE
#define PMD_MASK PGDIR_MASK
#define PTRS_PER_PTE 1024
#define PTRS_PER_PGD 1024
#define USER_PTRS_PER_PGD 768

#define _PAGE_PRESENT 0x001
#define _PAGE_RW 0x002
#define _PAGE_USER 0x004
#define _PAGE_ACCESSED 0x020
#define _PAGE_DIRTY 0x040
#define _PAGE_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)

#define pte_none(x) (!(x))
#define pte_present(x) ((x) & _PAGE_PRESENT)
#define pte_page(x) ((x) & PAGE_MASK)
#define pte_wrprotect(x) ((x) & ~_PAGE_RW)
#define pte_mkold(x) ((x) & ~_PAGE_ACCESSED)
#define pte_clear(p) (*(p) = 0)
#define pmd_none(x) (!(x))
#define pmd_bad(x) (((x) & ~PAGE_MASK) != _PAGE_TABLE)
#define pmd_page(x) ((x) & PAGE_MASK)
#define pgd_none(x) (!(x))
#define pgd_bad(x) (((x) & ~PAGE_MASK) != _PAGE_TABLE)
#define pgd_page(x) ((x) & PAGE_MASK)

#define MAP_NR(addr) ((unsigned long)(addr) >> PAGE_SHIFT)

/* struct page of 2.0 (mem_map_t), 52 bytes; next/prev first, as the free lists treat a
 * free_area_struct as a list head of pages. */
struct inode;
typedef struct page {
	struct page *next;
	struct page *prev;
	struct inode *inode;
	unsigned long offset;
	struct page *next_hash;
	int count;
	unsigned flags;
	unsigned dirty:16, age:8;
	void *wait;
	struct page *prev_hash;
	void *buffers;
	unsigned long swap_unlock_entry;
	unsigned long map_nr;
} mem_map_t;

#define PG_reserved 31
#define PG_swap_cache 8
#define PageReserved(p) ((p)->flags & (1U << PG_reserved))
#define PageSwapCache(p) ((p)->flags & (1U << PG_swap_cache))

extern mem_map_t *mem_map;
extern unsigned long high_memory;

struct vm_area_struct;
struct mm_struct {
	int count;
	pgd_t *pgd;
	unsigned long start_code, end_code, start_data, end_data;
	unsigned long start_brk, brk, start_stack, start_mmap;
	unsigned long arg_start, arg_end, env_start, env_end;
	unsigned long rss, total_vm, locked_vm;
	unsigned long def_flags;
	struct vm_area_struct *mmap;
	struct vm_area_struct *mmap_avl;
};

struct vm_operations_struct;
struct vm_area_struct {
	struct mm_struct *vm_mm;
	unsigned long vm_start;
	unsigned long vm_end;
	unsigned long vm_page_prot;
	unsigned short vm_flags;
	short vm_avl_height;
	struct vm_area_struct *vm_avl_left;
	struct vm_area_struct *vm_avl_right;
	struct vm_area_struct *vm_next;
	struct vm_area_struct *vm_next_share;
	struct vm_area_struct *vm_prev_share;
	struct vm_operations_struct *vm_ops;
	unsigned long vm_offset;
	struct inode *vm_inode;
	unsigned long vm_pte;
};

#define VM_READ 0x0001
#define VM_WRITE 0x0002
#define VM_EXEC 0x0004
#define VM_SHARED 0x0008
#define VM_DENYWRITE 0x0800

#define avl_empty ((struct vm_area_struct *)0)

struct task_struct {
	struct mm_struct *mm;
};
extern struct task_struct *current;

#define pgd_offset(mm, address) ((mm)->pgd + ((address) >> PGDIR_SHIFT))
#define pmd_offset(dir, address) ((pmd_t *)(dir))
#define pte_offset(pmd, address) ((pte_t *)pmd_page(*(pmd)) + (((address) >> PAGE_SHIFT) & (PTRS_PER_PTE - 1)))

/* Buddy allocator (2.0 page_alloc.c). */
#define NR_MEM_LISTS 6
struct free_area_struct {
	struct page *next;
	struct page *prev;
	unsigned int *map;
};
extern struct free_area_struct free_area[NR_MEM_LISTS];
extern int nr_free_pages;
extern int min_free_pages;
#define GFP_KERNEL 0x03
#define GFP_ATOMIC 0x01

#define save_flags(x) __asm__ __volatile__("pushfl ; popl %0" : "=g"(x) : : "memory")
#define restore_flags(x) __asm__ __volatile__("pushl %0 ; popfl" : : "g"(x) : "memory")
#define cli() __asm__ __volatile__("cli" : : : "memory")

/* The 2.0 i386 bitops: locked bit-test-and-complement on a word array. */
static inline int change_bit(int nr, void *addr)
{
	int oldbit;
	__asm__ __volatile__("lock ; btcl %2,%1\n\tsbbl %0,%0" : "=r"(oldbit), "+m"(*(volatile long *)addr) : "Ir"(nr) : "memory");
	return oldbit;
}

/* Functions measured (one translation unit each, so calls stay calls). */
int copy_page_range(struct mm_struct *dst, struct mm_struct *src, struct vm_area_struct *vma);
int zap_page_range(struct mm_struct *mm, unsigned long address, unsigned long size);
int copy_page_tables(pgd_t *new_pgd, pgd_t *old_pgd, int nr);
void clear_page_tables(pgd_t *page_dir, int nr);
void free_pages(unsigned long addr, unsigned long order);
unsigned long __get_free_pages(int priority, unsigned long order, int dma);
void clear_page(unsigned long page);
void copy_page(unsigned long to, unsigned long from);
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
int dup_mmap_areas(struct mm_struct *mm, struct mm_struct *oldmm);
void exit_mmap_areas(struct mm_struct *mm);
void flush_tlb_page(struct vm_area_struct *vma, unsigned long addr);

#define __flush_tlb() \
	do { unsigned long tmpreg; __asm__ __volatile__("movl %%cr3,%0\n\tmovl %0,%%cr3" : "=r"(tmpreg) : : "memory"); } while (0)

#endif
