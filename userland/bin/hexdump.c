/* hexdump [-C] [file...]: canonical hex+ASCII dump (the -C format is always used). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static unsigned char line[16], prev[16];
static unsigned long long offset;
static int fill, have_prev, starred;

static void emit(void)
{
	if (have_prev && fill == 16 && memcmp(line, prev, 16) == 0) {
		if (!starred)
			puts("*");
		starred = 1;
	} else {
		starred = 0;
		printf("%08llx ", offset);
		for (int i = 0; i < 16; i++) {
			if (i == 8)
				putchar(' ');
			if (i < fill)
				printf(" %02x", line[i]);
			else
				fputs("   ", stdout);
		}
		fputs("  |", stdout);
		for (int i = 0; i < fill; i++)
			putchar(line[i] >= 0x20 && line[i] < 0x7f ? line[i] : '.');
		puts("|");
	}
	memcpy(prev, line, 16);
	have_prev = fill == 16;
	offset += fill;
	fill = 0;
}

static int dump(int fd, const char *name)
{
	unsigned char buf[4096];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "hexdump: %s: %s\n", name, strerror(errno));
			return 1;
		}
		for (ssize_t i = 0; i < n; i++) {
			line[fill++] = buf[i];
			if (fill == 16)
				emit();
		}
	}
}

int main(int argc, char **argv)
{
	int i = 1, status = 0;
	if (i < argc && strcmp(argv[i], "-C") == 0)
		i++;
	if (i == argc)
		status = dump(0, "-");
	for (; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "hexdump: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		status |= dump(fd, argv[i]);
		close(fd);
	}
	if (fill)
		emit();
	if (offset)
		printf("%08llx\n", offset);
	return status;
}
