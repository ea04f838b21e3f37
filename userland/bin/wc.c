/* wc [-l] [-w] [-c] [file...]: count lines, words and bytes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct counts {
	unsigned long long lines, words, bytes;
};

static int want_lines, want_words, want_bytes;

static int count(int fd, const char *name, struct counts *c)
{
	static char buf[16384];
	int in_word = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "wc: %s: %s\n", name, strerror(errno));
			return 1;
		}
		c->bytes += n;
		for (ssize_t i = 0; i < n; i++) {
			char ch = buf[i];
			if (ch == '\n')
				c->lines++;
			int space = ch == ' ' || (ch >= '\t' && ch <= '\r');
			if (!space && !in_word)
				c->words++;
			in_word = !space;
		}
	}
}

static void print(const struct counts *c, const char *name, int width)
{
	const char *sep = "";
	if (want_lines) {
		printf("%*llu", width, c->lines);
		sep = " ";
	}
	if (want_words) {
		printf("%s%*llu", sep, width, c->words);
		sep = " ";
	}
	if (want_bytes)
		printf("%s%*llu", sep, width, c->bytes);
	if (name)
		printf(" %s", name);
	putchar('\n');
}

int main(int argc, char **argv)
{
	int i = 1, status = 0;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		for (const char *f = argv[i] + 1; *f; f++) {
			if (*f == 'l')
				want_lines = 1;
			else if (*f == 'w')
				want_words = 1;
			else if (*f == 'c')
				want_bytes = 1;
			else {
				fprintf(stderr, "wc: invalid option -- '%c'\n", *f);
				return 1;
			}
		}
	}
	if (!want_lines && !want_words && !want_bytes)
		want_lines = want_words = want_bytes = 1;
	int columns = want_lines + want_words + want_bytes;
	int files = argc - i;
	/* One number for one input prints bare; otherwise columns line up at width 7. */
	int width = (columns == 1 && files <= 1) ? 1 : 7;
	if (files == 0) {
		struct counts c = {0};
		status = count(0, "-", &c);
		print(&c, NULL, width);
		return status;
	}
	struct counts total = {0};
	for (; i < argc; i++) {
		struct counts c = {0};
		int fd = strcmp(argv[i], "-") == 0 ? 0 : open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		status |= count(fd, argv[i], &c);
		if (fd)
			close(fd);
		print(&c, argv[i], width);
		total.lines += c.lines;
		total.words += c.words;
		total.bytes += c.bytes;
	}
	if (files > 1)
		print(&total, "total", width);
	return status;
}
