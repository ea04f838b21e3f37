/* free: memory usage in KiB from /proc/meminfo, in the layout of procps free -k. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const keys[] = {
	"MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached",
	"SReclaimable", "Shmem", "SwapTotal", "SwapFree",
};
enum { TOTAL, FREE, AVAIL, BUFFERS, CACHED, SRECLAIM, SHMEM, SWTOTAL, SWFREE, NKEYS };

int main(void)
{
	char buf[8192];
	int fd = open("/proc/meminfo", O_RDONLY);
	if (fd < 0) {
		perror("free: /proc/meminfo");
		return 1;
	}
	ssize_t len = 0, n;
	while (len < (ssize_t)sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;

	unsigned long long v[NKEYS] = {0};
	int have_avail = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = 0;
		for (int k = 0; k < NKEYS; k++) {
			if (strcmp(line, keys[k]) == 0) {
				sscanf(colon + 1, "%llu", &v[k]);
				if (k == AVAIL)
					have_avail = 1;
			}
		}
	}
	if (!have_avail)
		v[AVAIL] = v[FREE];
	unsigned long long cache = v[BUFFERS] + v[CACHED] + v[SRECLAIM];
	/* "used" as procps 4 computes it: what is not available. */
	unsigned long long used = v[TOTAL] > v[AVAIL] ? v[TOTAL] - v[AVAIL] : 0;
	printf("%-8s%12s%12s%12s%12s%12s%12s\n", "", "total", "used", "free", "shared", "buff/cache",
	       "available");
	printf("%-8s%12llu%12llu%12llu%12llu%12llu%12llu\n", "Mem:", v[TOTAL], used, v[FREE], v[SHMEM], cache,
	       v[AVAIL]);
	printf("%-8s%12llu%12llu%12llu\n", "Swap:", v[SWTOTAL], v[SWTOTAL] - v[SWFREE], v[SWFREE]);
	return 0;
}
