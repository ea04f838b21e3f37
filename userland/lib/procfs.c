#include "procfs.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

long read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t len = 0;
	ssize_t n;
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	return (long)len;
}

/* Value of the "key:" line of a /proc file of such lines; -1 if absent. */
static long key_value(const char *path, const char *key)
{
	static char buf[8192];
	if (read_text(path, buf, sizeof buf) < 0)
		return -1;
	size_t klen = strlen(key);
	for (char *line = buf; *line;) {
		char *nl = strchr(line, '\n');
		if (strncmp(line, key, klen) == 0 && line[klen] == ':')
			return strtol(line + klen + 1, NULL, 10);
		if (!nl)
			break;
		line = nl + 1;
	}
	return -1;
}

long status_kb(const char *key)
{
	return key_value("/proc/self/status", key);
}

long meminfo_kb(const char *key)
{
	return key_value("/proc/meminfo", key);
}

static char maps_buf[262144];

int maps_lines(unsigned long lo, unsigned long hi, char *out, size_t size)
{
	if (read_text("/proc/self/maps", maps_buf, sizeof maps_buf) < 0)
		return -1;
	int count = 0;
	size_t used = 0;
	out[0] = 0;
	for (char *line = maps_buf; *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		unsigned long start = strtoul(line, NULL, 16);
		if (start >= lo && start < hi) {
			while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
				len--;
			if (used + len + 2 > size)
				return -1;
			memcpy(out + used, line, len);
			used += len;
			out[used++] = '\n';
			out[used] = 0;
			count++;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	return count;
}

int maps_find(unsigned long addr, char *out, size_t size)
{
	if (read_text("/proc/self/maps", maps_buf, sizeof maps_buf) < 0)
		return -1;
	for (char *line = maps_buf; *line;) {
		char *nl = strchr(line, '\n');
		char *dash;
		unsigned long start = strtoul(line, &dash, 16);
		unsigned long end = strtoul(dash + 1, NULL, 16);
		if (addr >= start && addr < end) {
			size_t len = nl ? (size_t)(nl - line) : strlen(line);
			while (len && line[len - 1] == ' ')
				len--;
			if (len >= size)
				len = size - 1;
			memcpy(out, line, len);
			out[len] = 0;
			return 0;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	return -1;
}
