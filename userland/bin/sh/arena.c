/* Arena allocator: command-line memory is released all at once after it ran. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sh.h"

struct chunk {
	struct chunk *next;
	size_t used, size;
	max_align_t data[];
};

static struct chunk *chunks;

void *salloc(size_t n)
{
	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!chunks || chunks->size - chunks->used < n) {
		size_t size = n > 16384 ? n : 16384;
		struct chunk *c = malloc(sizeof *c + size);
		if (!c) {
			fputs("sh: out of memory\n", stderr);
			exit(2);
		}
		c->next = chunks;
		c->used = 0;
		c->size = size;
		chunks = c;
	}
	void *p = (char *)chunks->data + chunks->used;
	chunks->used += n;
	return p;
}

char *sdup(const char *s, size_t n)
{
	char *p = salloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

void arena_reset(void)
{
	while (chunks) {
		struct chunk *next = chunks->next;
		free(chunks);
		chunks = next;
	}
}
