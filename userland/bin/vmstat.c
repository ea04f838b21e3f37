/* vmstat: the kernel's memory counters, read from the /dev/vmstat page that
 * the kernel maps into this process (no system call per sample).
 *   vmstat             every counter, "name value" per line
 *   vmstat NAME...     only the named counters
 *   vmstat -n N NAME   N samples of the named counters, one line each, a tick apart */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmstat_page.h"

int main(int argc, char **argv)
{
	int samples = 1;
	int first = 1;
	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		samples = atoi(argv[2]);
		first = 3;
	}
	int fd = open("/dev/vmstat", O_RDONLY);
	if (fd < 0) {
		perror("vmstat: /dev/vmstat");
		return 1;
	}
	const volatile struct vmstat_page *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED || p->magic != VMSTAT_MAGIC) {
		fprintf(stderr, "vmstat: cannot map the counter page\n");
		return 1;
	}
	if (first >= argc) {
		for (uint32_t i = 0; i < p->count && i < 127; i++)
			printf("%-28.28s %u\n", (const char *)p->e[i].name, (unsigned)p->e[i].value);
		return 0;
	}
	for (int s = 0; s < samples; s++) {
		uint32_t seq = p->seq;
		for (int i = first; i < argc; i++) {
			uint32_t v = vmstat_get(p, argv[i]);
			if (v == (uint32_t)-1)
				printf("%s%s=?", i > first ? " " : "", argv[i]);
			else
				printf("%s%s=%u", i > first ? " " : "", argv[i], (unsigned)v);
		}
		printf("\n");
		fflush(stdout);
		if (s + 1 < samples)
			while (p->seq == seq)
				usleep(1000);
	}
	return 0;
}
