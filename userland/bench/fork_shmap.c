/* fork_shmap [-n N] [MB [DIR]]: write a file of MB MiB (default 100) in DIR
 * (default /tmp), map it MAP_SHARED, read one byte of every page so that every
 * page is mapped, then time N fork + exit + wait. The case of Linux 2.6.14's
 * lazy page-table copy at fork (23 ms -> ~1 ms for 100 MB of shared file
 * mappings) and of the shared page-table patches. The file is unlinked as soon
 * as it is mapped, so nothing is left behind even when the program fails. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

#define CHUNK 65536

int main(int argc, char **argv)
{
	static char buf[CHUNK];
	struct bench_args a;
	bench_parse(argc, argv, 100, 0, 0, "fork_shmap [-n N] [MB [DIR]]", &a);
	long mb = a.nrest > 0 ? atol(a.rest[0]) : 100;
	const char *dir = a.nrest > 1 ? a.rest[1] : "/tmp";
	char param[32], extra[48], path[4096];
	snprintf(param, sizeof param, "mb=%ld", mb);
	if (mb <= 0 || mb > 2048 || a.nrest > 2)
		bench_fail("fork_shmap", param, "bad-size");
	size_t size = (size_t)mb << 20;
	snprintf(path, sizeof path, "%s/fork_shmap.%ld", dir, (long)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		bench_fail("fork_shmap", param, "open");
	memset(buf, 0x5a, sizeof buf);
	for (size_t off = 0; off < size; off += CHUNK)
		if (write(fd, buf, CHUNK) != CHUNK) {
			unlink(path);
			bench_fail("fork_shmap", param, "write");
		}
	char *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	unlink(path);
	close(fd);
	if (m == MAP_FAILED)
		bench_fail("fork_shmap", param, "mmap");
	unsigned sum = 0;
	for (size_t off = 0; off < size; off += 4096)
		sum += ((volatile char *)m)[off];
	if (sum != (unsigned)(size / 4096) * 0x5a)
		bench_fail("fork_shmap", param, "content");
	long long t0 = now_ns();
	for (long n = 0; n < a.n; n++)
		if (fork_exit_wait() != 0)
			bench_fail("fork_shmap", param, "fork");
	snprintf(extra, sizeof extra, " pages=%ld", (long)(size / 4096));
	bench_report("fork_shmap", param, a.n, now_ns() - t0, extra);
	munmap(m, size);
	return 0;
}
