/* The buddy page allocator of Linux 2.0 (page_alloc.c) and the i386 page clear/copy. */
#include "mm.h"

struct free_area_struct free_area[NR_MEM_LISTS];
int nr_free_pages;
int min_free_pages = 20;

#define PAGE_INITIAL_AGE 3
#define memory_head(x) ((struct page *)(x))
#define ADDRESS(nr) ((nr) << PAGE_SHIFT)
#define MARK_USED(index, order, area) change_bit((index) >> (1 + (order)), (area)->map)

static inline void add_mem_queue(struct free_area_struct *head, struct page *entry)
{
	struct page *next = head->next;

	entry->prev = memory_head(head);
	entry->next = next;
	next->prev = entry;
	head->next = entry;
}

static inline void remove_mem_queue(struct page *entry)
{
	struct page *next = entry->next;
	struct page *prev = entry->prev;

	next->prev = prev;
	prev->next = next;
}

/* 2.0 free_pages_ok: put a block back, merging with its buddy while the buddy's bitmap
 * bit says it is free too. */
static inline void free_pages_ok(unsigned long map_nr, unsigned long order)
{
	struct free_area_struct *area = free_area + order;
	unsigned long index = map_nr >> (1 + order);
	unsigned long mask = (~0UL) << order;
	unsigned long flags;

	save_flags(flags);
	cli();
	map_nr &= mask;
	nr_free_pages -= mask;
	while (mask + (1 << (NR_MEM_LISTS - 1))) {
		if (!change_bit(index, area->map))
			break;
		remove_mem_queue(mem_map + (map_nr ^ -mask));
		mask <<= 1;
		area++;
		index >>= 1;
		map_nr &= mask;
	}
	add_mem_queue(area, mem_map + map_nr);
	restore_flags(flags);
}

/* 2.0 free_pages: drop one reference; the last one returns the block to the buddy lists. */
void free_pages(unsigned long addr, unsigned long order)
{
	unsigned long map_nr = MAP_NR(addr);

	if (map_nr < MAP_NR(high_memory)) {
		mem_map_t *map = mem_map + map_nr;
		if (PageReserved(map))
			return;
		if (!--map->count) {
			if (PageSwapCache(map))
				map->flags &= ~(1U << PG_swap_cache);
			free_pages_ok(map_nr, order);
			return;
		}
	}
}

/* 2.0 RMQUEUE/EXPAND: the first block of the smallest non-empty list of order >= `order`,
 * split down to `order` with the halves put on the lower lists. */
#define RMQUEUE(order, dma) \
do { struct free_area_struct *area = free_area + order; \
	unsigned long new_order = order; \
	do { struct page *prev = memory_head(area), *ret; \
		while (memory_head(area) != (ret = prev->next)) { \
			if (!(dma)) { \
				unsigned long map_nr = ret->map_nr; \
				(prev->next = ret->next)->prev = prev; \
				MARK_USED(map_nr, new_order, area); \
				nr_free_pages -= 1 << order; \
				EXPAND(ret, map_nr, order, new_order, area); \
				restore_flags(flags); \
				return ADDRESS(map_nr); \
			} \
			prev = ret; \
		} \
		new_order++; area++; \
	} while (new_order < NR_MEM_LISTS); \
} while (0)

#define EXPAND(map, index, low, high, area) \
do { unsigned long size = 1 << high; \
	while (high > low) { \
		area--; high--; size >>= 1; \
		add_mem_queue(area, map); \
		MARK_USED(index, high, area); \
		index += size; \
		map += size; \
	} \
	map->count = 1; \
	map->age = PAGE_INITIAL_AGE; \
} while (0)

/* 2.0 __get_free_pages: a block of 2^order pages, or 0 (no reclaim attempted here). */
unsigned long __get_free_pages(int priority, unsigned long order, int dma)
{
	unsigned long flags;
	int reserved_pages;

	if (order >= NR_MEM_LISTS)
		return 0;
	reserved_pages = min_free_pages;
	save_flags(flags);
	cli();
	if ((priority == GFP_ATOMIC) || nr_free_pages > reserved_pages) {
		RMQUEUE(order, dma);
		restore_flags(flags);
		return 0;
	}
	restore_flags(flags);
	return 0;
}

/* 2.0 i386 clear_page: memset of a page, which the constant-size memset makes rep stosl. */
void clear_page(unsigned long page)
{
	int d0, d1;
	__asm__ __volatile__("rep ; stosl" : "=&c"(d0), "=&D"(d1) : "a"(0), "0"(PAGE_SIZE / 4), "1"(page) : "memory");
}

/* 2.0 i386 copy_page: memcpy of a page, which the constant-size memcpy makes rep movsl. */
void copy_page(unsigned long to, unsigned long from)
{
	int d0, d1, d2;
	__asm__ __volatile__("rep ; movsl" : "=&c"(d0), "=&D"(d1), "=&S"(d2) : "0"(PAGE_SIZE / 4), "1"(to), "2"(from) : "memory");
}
