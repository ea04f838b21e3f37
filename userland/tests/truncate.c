/* Truncating a mapped file (Linux truncate_pagecache -> unmap_mapping_range with
 * even_cows): pages wholly past the new end leave every mapping, shared or
 * private, including private copy-on-write copies, so touching them raises
 * SIGBUS, in a child forked afterwards too; the partial last page stays mapped
 * with its tail zeroed; pages before the end and their private copies stay. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "fault.h"

#define PAGE 4096

int main(void)
{
	char path[64], page[PAGE];
	snprintf(path, sizeof path, "/tmp/vmalab-truncate-%d", (int)getpid());
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	for (int i = 0; i < 3; i++) {
		memset(page, 'a' + i, PAGE);
		(void)!write(fd, page, PAGE);
	}
	volatile char *s = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	volatile char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (!check(fd >= 0 && s != MAP_FAILED && p != MAP_FAILED, "truncate_setup", "fd %d", fd))
		return check_result();
	int seen = s[2 * PAGE] + p[2 * PAGE]; /* both map the cached page 2 */
	p[PAGE] = 'x';                        /* a private copy inside the new size */
	p[2 * PAGE + 1] = 'y';                /* a private copy past it */
	check(seen == 'c' + 'c', "truncate_mapped", "seen %d", seen);

	check(ftruncate(fd, PAGE + 100) == 0, "truncate_ftruncate", "");
	check(s[0] == 'a' && s[PAGE] == 'b' && s[PAGE + 99] == 'b', "truncate_keeps_inside", "s %c %c", s[0], s[PAGE]);
	check(s[PAGE + 100] == 0 && s[2 * PAGE - 1] == 0, "truncate_zeroes_tail", "s %d %d", s[PAGE + 100], s[2 * PAGE - 1]);
	check(p[PAGE] == 'x' && p[0] == 'a', "truncate_keeps_private_copy", "p %c %c", p[PAGE], p[0]);
	struct fault f;
	check(probe_read(s + 2 * PAGE, &f) && f.signo == SIGBUS && f.addr == (void *)(s + 2 * PAGE), "truncate_shared_sigbus",
	      "signal %d addr %p", f.signo, f.addr);
	check(probe_read(p + 2 * PAGE, &f) && f.signo == SIGBUS, "truncate_private_copy_gone", "signal %d value %d", f.signo,
	      f.value);

	pid_t pid = fork();
	if (pid == 0) {
		struct fault g;
		_exit(probe_read(s + 2 * PAGE, &g) && g.signo == SIGBUS && s[PAGE] == 'b' && p[PAGE] == 'x' ? 0 : 1);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "truncate_child_sigbus", "status 0x%x", st);

	/* Growing the file again brings back zeros, not the old contents. */
	check(ftruncate(fd, 3 * PAGE) == 0 && s[2 * PAGE] == 0 && p[2 * PAGE + 1] == 0, "truncate_regrow_zeros", "s %d p %d",
	      s[2 * PAGE], p[2 * PAGE + 1]);
	munmap((void *)s, 3 * PAGE);
	munmap((void *)p, 3 * PAGE);
	close(fd);
	unlink(path);
	return check_result();
}
