/* Reading untouched anonymous memory maps the shared zero page: it reads as
 * zeros, costs no memory (RSS and MemFree stay), and writing a page gives it
 * a zeroed page of its own while the others keep reading zeros. Passing such
 * a buffer to write(2) reads it without allocating either. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "procfs.h"

#define LEN (32 << 20)

int main(void)
{
	volatile unsigned char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fail("mmap", "32 MiB anonymous mapping refused");
		return check_result();
	}
	long rss0 = status_kb("VmRSS"), free0 = meminfo_kb("MemFree");
	unsigned long sum = 0;
	for (size_t i = 0; i < LEN; i += 4096)
		sum += p[i] + p[i + 4095];
	check(sum == 0, "zero_page_reads_zero", "sum %lu", sum);
	long rss1 = status_kb("VmRSS");
	check(rss1 - rss0 < 256, "zero_page_no_rss", "VmRSS grew by %ld kB reading 32 MiB", rss1 - rss0);
	/* Page tables (32 KiB here) are all a read of 32 MiB may cost. */
	check_vmalab(free0 - meminfo_kb("MemFree") <= 64, "zero_page_no_frames", "MemFree fell by %ld kB",
		     free0 - meminfo_kb("MemFree"));
	/* A fork shares the zero page: the child reads zeros, and its writes stay its own. */
	pid_t pid = fork();
	if (pid == 0) {
		int ok = p[4096 * 3] == 0 && p[LEN - 1] == 0;
		p[4096 * 3] = 9;
		_exit(ok && p[4096 * 3] == 9 && p[4096 * 4] == 0 ? 0 : 1);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0 && p[4096 * 3] == 0, "zero_page_fork", "child status %#x, parent sees %d",
	      st, p[4096 * 3]);
	int null = open("/dev/null", O_WRONLY);
	check(write(null, (const void *)p, LEN) == LEN, "zero_page_write_out", "write of the buffer failed");
	close(null);
	int zero = 1;
	for (int i = 0; i < 16; i++)
		p[i * 4096 + 7] = (unsigned char)(i + 1);
	for (int i = 0; i < 16; i++)
		zero &= p[i * 4096 + 7] == i + 1 && p[i * 4096 + 8] == 0;
	for (size_t i = 16 * 4096; i < LEN; i += 4096)
		zero &= p[i + 7] == 0;
	check(zero, "zero_page_cow", "written pages lost data or the zero page changed");
	long rss2 = status_kb("VmRSS");
	check(rss2 - rss1 >= 64 && rss2 - rss1 < 64 + 64, "zero_page_write_allocates", "VmRSS grew by %ld kB for 16 pages",
	      rss2 - rss1);
	munmap((void *)p, LEN);
	return check_result();
}
