/* The layout of the /dev/vmstat counter page (kernel/drivers/vmstat-dev.ts):
 * a header, then name/value entries the kernel refreshes on every timer tick. */
#ifndef VMALAB_VMSTAT_PAGE_H
#define VMALAB_VMSTAT_PAGE_H

#include <stdint.h>
#include <string.h>

#define VMSTAT_MAGIC 0x54534d56u

struct vmstat_entry {
	char name[28];
	uint32_t value;
};

struct vmstat_page {
	uint32_t magic;
	uint32_t seq; /* bumped on every update */
	uint32_t count;
	uint32_t reserved;
	struct vmstat_entry e[];
};

/* The value of counter `name`, or (uint32_t)-1 if the page has no such counter. */
static inline uint32_t vmstat_get(const volatile struct vmstat_page *p, const char *name)
{
	for (uint32_t i = 0; i < p->count && i < 127; i++)
		if (strncmp((const char *)p->e[i].name, name, sizeof p->e[i].name) == 0)
			return p->e[i].value;
	return (uint32_t)-1;
}

#endif
