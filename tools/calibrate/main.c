/* The calibration driver: builds the data structures, times each unit's function with
 * RDTSC (guest cycles on vmalab) at three work counts, and prints one line per point to
 * COM1: "<series> <n> <cycles> <div>\n" (the point's value is cycles/div). tools/calibrate.ts
 * turns the series into cycles per unit. Runs at CPL 0 with paging off. */
#include "mm.h"

#define NFRAMES 8192 /* 32 MiB of RAM */
#define PTE_FRAME0 2048 /* frames that the test PTEs map (8 MiB up; never touched) */

static mem_map_t mem_map_array[NFRAMES];
mem_map_t *mem_map = mem_map_array;
unsigned long high_memory = NFRAMES * PAGE_SIZE;
static struct mm_struct init_mm_s, child_mm_s;
static struct task_struct task0 = { &init_mm_s };
struct task_struct *current = &task0;

static pgd_t src_pgd[PTRS_PER_PGD] __attribute__((aligned(4096)));
static pgd_t dst_pgd[PTRS_PER_PGD] __attribute__((aligned(4096)));
#define NTABLES 4
static pte_t src_pte[NTABLES][PTRS_PER_PTE] __attribute__((aligned(4096)));
static pte_t dst_pte[NTABLES][PTRS_PER_PTE] __attribute__((aligned(4096)));
static unsigned char pages[8][PAGE_SIZE] __attribute__((aligned(4096)));

#define NVMAS 1023 /* a full AVL tree of depth 10 */
static struct vm_area_struct vmas[NVMAS];
static unsigned int buddy_map[NR_MEM_LISTS][NFRAMES / 32];

#define SLOT0 (1UL << PGDIR_SHIFT) /* the walks use PDE slots 1..NTABLES */

static inline unsigned long rdtsc32(void)
{
	unsigned long lo, hi;
	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return lo;
}

static inline void outb(unsigned char v, unsigned short port)
{
	__asm__ __volatile__("outb %0,%1" : : "a"(v), "Nd"(port));
}

static void puts_com1(const char *s)
{
	while (*s)
		outb(*s++, 0x3f8);
}

static void putu(unsigned long v)
{
	char buf[12];
	int i = 11;
	buf[i] = 0;
	do
		buf[--i] = '0' + v % 10;
	while (v /= 10);
	puts_com1(buf + i);
}

static void report(const char *series, unsigned long n, unsigned long cycles, unsigned long div)
{
	puts_com1(series);
	puts_com1(" ");
	putu(n);
	puts_com1(" ");
	putu(cycles);
	puts_com1(" ");
	putu(div);
	puts_com1("\n");
}

static int failures;

/* Reports a broken precondition or result: the harness rejects the run. */
static void check(int ok, const char *what)
{
	if (!ok) {
		puts_com1("error ");
		puts_com1(what);
		puts_com1("\n");
		failures++;
	}
}

static void zero(void *p, unsigned long bytes)
{
	unsigned long *w = p;
	for (bytes /= 4; bytes; bytes--)
		*(volatile unsigned long *)w++ = 0;
}

/* Page tables for the walks: slots 1..NTABLES present in both directories; the source
 * table of slot 1 maps `present` pages from its first entry, the rest none. */
static void setup_tables(int present, int count)
{
	int t, i;

	zero(src_pgd, sizeof src_pgd);
	zero(dst_pgd, sizeof dst_pgd);
	zero(src_pte, sizeof src_pte);
	zero(dst_pte, sizeof dst_pte);
	for (t = 0; t < NTABLES; t++) {
		src_pgd[1 + t] = (pgd_t)src_pte[t] | _PAGE_TABLE;
		dst_pgd[1 + t] = (pgd_t)dst_pte[t] | _PAGE_TABLE;
	}
	for (i = 0; i < present; i++) {
		src_pte[0][i] = ((PTE_FRAME0 + i) << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY;
		mem_map[PTE_FRAME0 + i].count = count;
	}
	init_mm_s.pgd = src_pgd;
	child_mm_s.pgd = dst_pgd;
	init_mm_s.rss = 100000;
}

static struct vm_area_struct walk_vma;

static unsigned long time_copy(unsigned long pages_)
{
	unsigned long t0, t1;
	walk_vma.vm_mm = &init_mm_s;
	walk_vma.vm_start = SLOT0;
	walk_vma.vm_end = SLOT0 + pages_ * PAGE_SIZE;
	walk_vma.vm_flags = VM_READ | VM_WRITE;
	t0 = rdtsc32();
	copy_page_range(&child_mm_s, &init_mm_s, &walk_vma);
	t1 = rdtsc32();
	return t1 - t0;
}

static unsigned long time_zap(unsigned long pages_)
{
	unsigned long t0, t1;
	t0 = rdtsc32();
	zap_page_range(&init_mm_s, SLOT0, pages_ * PAGE_SIZE);
	t1 = rdtsc32();
	return t1 - t0;
}

static const unsigned long pte_counts[3] = { 256, 512, 768 };
static const unsigned long slot_counts[3] = { 1, 2, 4 };

static void measure_walks(void)
{
	int k;

	for (k = 0; k < 3; k++) {
		setup_tables(0, 0);
		report("pte_scan_copy", pte_counts[k], time_copy(pte_counts[k]), 1);
		setup_tables(0, 0);
		report("pte_scan_zap", pte_counts[k], time_zap(pte_counts[k]), 1);
		setup_tables(pte_counts[k], 2);
		report("pte_present_copy", pte_counts[k], time_copy(pte_counts[k]), 1);
		check(dst_pte[0][pte_counts[k] - 1] == (src_pte[0][pte_counts[k] - 1] & ~_PAGE_ACCESSED) &&
			!(src_pte[0][0] & _PAGE_RW) && mem_map[PTE_FRAME0].count == 3, "copy_page_range did not copy");
		setup_tables(pte_counts[k], 2);
		report("pte_present_zap", pte_counts[k], time_zap(pte_counts[k]), 1);
		check(src_pte[0][pte_counts[k] - 1] == 0 && mem_map[PTE_FRAME0 + pte_counts[k] - 1].count == 1 &&
			init_mm_s.rss == 100000 - pte_counts[k], "zap_page_range did not zap");
		setup_tables(0, 0);
		report("pgd_slot_copy", slot_counts[k], time_copy(slot_counts[k] * PTRS_PER_PTE), 1);
		setup_tables(0, 0);
		report("pgd_slot_zap", slot_counts[k], time_zap(slot_counts[k] * PTRS_PER_PTE), 1);
	}
	for (k = 0; k < 3; k++) {
		unsigned long nr = 256 * (k + 1), t0, t1;
		setup_tables(0, 0);
		zero(src_pgd, sizeof src_pgd);
		zero(dst_pgd, sizeof dst_pgd);
		t0 = rdtsc32();
		copy_page_tables(dst_pgd, src_pgd, nr);
		t1 = rdtsc32();
		report("pgd_scan_copy", nr, t1 - t0, 1);
		t0 = rdtsc32();
		clear_page_tables(src_pgd, nr);
		t1 = rdtsc32();
		report("pgd_scan_clear", nr, t1 - t0, 1);
	}
}

/* Areas for the per-area loops: n empty areas (vm_start == vm_end) linked by vm_next. */
static void setup_area_list(int n)
{
	int i;
	zero(vmas, sizeof vmas);
	for (i = 0; i < n; i++) {
		vmas[i].vm_mm = &init_mm_s;
		vmas[i].vm_start = vmas[i].vm_end = SLOT0 + i * 0x10000;
		vmas[i].vm_flags = VM_READ | VM_WRITE;
		vmas[i].vm_next = i + 1 < n ? &vmas[i + 1] : 0;
	}
	init_mm_s.mmap = &vmas[0];
	init_mm_s.mmap_avl = 0;
}

/* A full AVL tree over vmas[0..NVMAS): node i (in order) covers [i*2 pages, i*2+1 pages). */
static struct vm_area_struct *build_avl(int lo, int hi, int depth)
{
	int mid;
	struct vm_area_struct *v;
	if (lo > hi)
		return avl_empty;
	mid = (lo + hi) / 2;
	v = &vmas[mid];
	v->vm_mm = &init_mm_s;
	v->vm_start = SLOT0 + mid * 2 * PAGE_SIZE;
	v->vm_end = v->vm_start + PAGE_SIZE;
	v->vm_flags = VM_READ | VM_WRITE;
	v->vm_next = mid + 1 < NVMAS ? &vmas[mid + 1] : 0;
	v->vm_avl_height = 11 - depth;
	v->vm_avl_left = build_avl(lo, mid - 1, depth + 1);
	v->vm_avl_right = build_avl(mid + 1, hi, depth + 1);
	return v;
}

static void measure_vmas(void)
{
	int k, d;

	for (k = 0; k < 3; k++) {
		int n = 8 << k;
		unsigned long t0, t1;
		setup_tables(0, 0);
		setup_area_list(n);
		t0 = rdtsc32();
		dup_mmap_areas(&child_mm_s, &init_mm_s);
		t1 = rdtsc32();
		report("vma_step_dup", n, t1 - t0, 1);
		t0 = rdtsc32();
		exit_mmap_areas(&init_mm_s);
		t1 = rdtsc32();
		report("vma_step_exit", n, t1 - t0, 1);
	}
	/* find_vma: every node at depth d (the in-order indices (2j+1) * 2^(10-d) - 1), each
	 * looked up by its vm_start; the value is the mean cycles per lookup. */
	zero(vmas, sizeof vmas);
	init_mm_s.mmap = &vmas[0];
	init_mm_s.mmap_avl = build_avl(0, NVMAS - 1, 1);
	for (d = 8; d <= 10; d++) {
		int step = 1 << (10 - d), nodes = 1 << (d - 1), j;
		unsigned long total = 0;
		for (j = 0; j < nodes; j++) {
			unsigned long addr = vmas[(2 * j + 1) * step - 1].vm_start, t0, t1;
			struct vm_area_struct *found;
			t0 = rdtsc32();
			found = find_vma(&init_mm_s, addr);
			t1 = rdtsc32();
			check(found == &vmas[(2 * j + 1) * step - 1], "find_vma found the wrong area");
			total += t1 - t0;
		}
		report("vma_find", d, total, nodes);
	}
}

#define REP4(s) s s s s
#define REP16(s) REP4(s) REP4(s) REP4(s) REP4(s)

static unsigned long got[64];

/* free_area[0] holds the even frames base, base+2, ... (each buddy in use), n of them. */
static void setup_free_list(int n)
{
	int i, o;
	unsigned long base = 4096;
	zero(buddy_map, sizeof buddy_map);
	for (o = 0; o < NR_MEM_LISTS; o++) {
		free_area[o].next = free_area[o].prev = (struct page *)&free_area[o];
		free_area[o].map = buddy_map[o];
	}
	for (i = n - 1; i >= 0; i--) {
		unsigned long nr = base + 2 * i;
		struct page *p = mem_map + nr, *next = free_area[0].next;
		p->map_nr = nr;
		p->count = 0;
		p->prev = (struct page *)&free_area[0];
		p->next = next;
		next->prev = p;
		free_area[0].next = p;
		change_bit(nr >> 1, buddy_map[0]);
		mem_map[nr + 1].count = 1;
	}
	nr_free_pages = n + 1000;
}

/* The 48 pages of got[] are distinct even frames from the free list, and the counter agrees. */
static void check_allocated(int n)
{
	int i, j;
	for (i = 0; i < n; i++) {
		check(got[i] >= 4096 * PAGE_SIZE && !(MAP_NR(got[i]) & 1) && mem_map[MAP_NR(got[i])].count == 1, "__get_free_pages failed");
		for (j = 0; j < i; j++)
			check(got[i] != got[j], "__get_free_pages returned a page twice");
	}
	check(nr_free_pages == 1000 + 48 - n, "nr_free_pages is off after allocating");
}

#define ALLOC_ONE *g++ = __get_free_pages(GFP_KERNEL, 0, 0);
#define FREE_ONE free_pages(*g++, 0);

static void set_counts(int count)
{
	int i;
	for (i = 0; i < 48; i++)
		mem_map[MAP_NR(got[i])].count = count;
}

static void measure_pages(void)
{
	unsigned long t0, t1, *g;
	int i;

	setup_free_list(48);
	for (i = 0; i < NFRAMES; i++)
		mem_map[i].map_nr = i;
	g = got; t0 = rdtsc32(); REP16(ALLOC_ONE) t1 = rdtsc32(); report("page_alloc", 16, t1 - t0, 1); check_allocated(16);
	g = got; t0 = rdtsc32(); REP16(FREE_ONE) t1 = rdtsc32(); report("page_free", 16, t1 - t0, 1); check(nr_free_pages == 1048, "free_pages did not free");
	g = got; t0 = rdtsc32(); REP16(ALLOC_ONE) REP16(ALLOC_ONE) t1 = rdtsc32(); report("page_alloc", 32, t1 - t0, 1); check_allocated(32);
	g = got; t0 = rdtsc32(); REP16(FREE_ONE) REP16(FREE_ONE) t1 = rdtsc32(); report("page_free", 32, t1 - t0, 1); check(nr_free_pages == 1048, "free_pages did not free");
	g = got; t0 = rdtsc32(); REP16(ALLOC_ONE) REP16(ALLOC_ONE) REP16(ALLOC_ONE) t1 = rdtsc32(); report("page_alloc", 48, t1 - t0, 1); check_allocated(48);
	/* A reference drop that does not free (the page is shared): the free path's baseline. */
	set_counts(2); g = got; t0 = rdtsc32(); REP16(FREE_ONE) t1 = rdtsc32(); report("page_put", 16, t1 - t0, 1);
	set_counts(2); g = got; t0 = rdtsc32(); REP16(FREE_ONE) REP16(FREE_ONE) t1 = rdtsc32(); report("page_put", 32, t1 - t0, 1);
	set_counts(2); g = got; t0 = rdtsc32(); REP16(FREE_ONE) REP16(FREE_ONE) REP16(FREE_ONE) t1 = rdtsc32(); report("page_put", 48, t1 - t0, 1); check(mem_map[MAP_NR(got[47])].count == 1 && nr_free_pages == 1000, "free_pages freed a shared page");
	set_counts(1); g = got; t0 = rdtsc32(); REP16(FREE_ONE) REP16(FREE_ONE) REP16(FREE_ONE) t1 = rdtsc32(); report("page_free", 48, t1 - t0, 1); check(nr_free_pages == 1048, "free_pages did not free");

#define CLEAR(i) clear_page((unsigned long)pages[i]);
#define COPY(i) copy_page((unsigned long)pages[i], (unsigned long)pages[7 - (i)]);
	t0 = rdtsc32(); CLEAR(0) CLEAR(1) t1 = rdtsc32(); report("page_clear", 2, t1 - t0, 1);
	t0 = rdtsc32(); CLEAR(0) CLEAR(1) CLEAR(2) CLEAR(3) t1 = rdtsc32(); report("page_clear", 4, t1 - t0, 1);
	t0 = rdtsc32(); CLEAR(0) CLEAR(1) CLEAR(2) CLEAR(3) CLEAR(4) CLEAR(5) t1 = rdtsc32(); report("page_clear", 6, t1 - t0, 1);
	t0 = rdtsc32(); COPY(0) COPY(1) t1 = rdtsc32(); report("page_copy", 2, t1 - t0, 1);
	t0 = rdtsc32(); COPY(0) COPY(1) COPY(2) COPY(3) t1 = rdtsc32(); report("page_copy", 4, t1 - t0, 1);
	t0 = rdtsc32(); COPY(0) COPY(1) COPY(2) COPY(3) COPY(4) COPY(5) t1 = rdtsc32(); report("page_copy", 6, t1 - t0, 1);
}

#define FLUSH_PAGE { flush_tlb_page(&walk_vma, a); a += PAGE_SIZE; }
#define FLUSH_ALL __flush_tlb();

static void measure_tlb(void)
{
	unsigned long t0, t1, a;

	walk_vma.vm_mm = current->mm;
	a = SLOT0; t0 = rdtsc32(); REP16(FLUSH_PAGE) t1 = rdtsc32(); report("tlb_flush_page", 16, t1 - t0, 1);
	a = SLOT0; t0 = rdtsc32(); REP16(FLUSH_PAGE) REP16(FLUSH_PAGE) t1 = rdtsc32(); report("tlb_flush_page", 32, t1 - t0, 1);
	a = SLOT0; t0 = rdtsc32(); REP16(FLUSH_PAGE) REP16(FLUSH_PAGE) REP16(FLUSH_PAGE) t1 = rdtsc32(); report("tlb_flush_page", 48, t1 - t0, 1);
	t0 = rdtsc32(); REP16(FLUSH_ALL) t1 = rdtsc32(); report("tlb_flush_all", 16, t1 - t0, 1);
	t0 = rdtsc32(); REP16(FLUSH_ALL) REP16(FLUSH_ALL) t1 = rdtsc32(); report("tlb_flush_all", 32, t1 - t0, 1);
	t0 = rdtsc32(); REP16(FLUSH_ALL) REP16(FLUSH_ALL) REP16(FLUSH_ALL) t1 = rdtsc32(); report("tlb_flush_all", 48, t1 - t0, 1);
}

/* Entered from start.S; prints every series, then "done". */
void calibrate_main(void)
{
	measure_walks();
	measure_vmas();
	measure_pages();
	measure_tlb();
	if (!failures)
		puts_com1("done\n");
}
