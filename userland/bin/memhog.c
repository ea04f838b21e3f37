/* memhog: uses memory, to exercise reclaim, swap and the OOM killer.
 *   memhog MIB          touch MIB MiB of anonymous memory, fork a child that checks
 *                       and rewrites it (swap entries are shared copy-on-write),
 *                       check it again, print "memhog: N pages ok"
 *   memhog -o BIG SMALL keep BIG MiB while a child touches SMALL MiB more; when
 *                       memory runs out the OOM killer should pick the parent (the
 *                       largest), and the child says "memhog: child survived" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096

static unsigned *touch(long pages, unsigned seed)
{
	unsigned *m = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		perror("memhog: mmap");
		exit(1);
	}
	for (long i = 0; i < pages; i++) {
		m[i * (PAGE / 4)] = seed + (unsigned)i;
		m[i * (PAGE / 4) + 1023] = ~(seed + (unsigned)i);
	}
	return m;
}

static long verify(const unsigned *m, long pages, unsigned seed)
{
	long bad = 0;
	for (long i = 0; i < pages; i++)
		if (m[i * (PAGE / 4)] != seed + (unsigned)i || m[i * (PAGE / 4) + 1023] != ~(seed + (unsigned)i))
			bad++;
	return bad;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "-o") == 0) {
		long big = atol(argv[2]) * 256, small = atol(argv[3]) * 256;
		pid_t pid = fork();
		if (pid == 0) {
			sleep(1); /* the parent grabs its BIG MiB meanwhile */
			unsigned *m = touch(small, 7);
			printf("memhog: child survived, %ld bad pages\n", verify(m, small, 7));
			return 0;
		}
		touch(big, 1);
		int st;
		waitpid(pid, &st, 0);
		printf("memhog: parent not killed\n");
		return 1;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: memhog MIB | memhog -o BIG SMALL\n");
		return 2;
	}
	long pages = atol(argv[1]) * 256;
	unsigned *m = touch(pages, 3);
	long bad = verify(m, pages, 3);
	pid_t pid = fork();
	if (pid == 0) {
		long cbad = verify(m, pages, 3);
		for (long i = 0; i < pages; i += 2)
			m[i * (PAGE / 4)] = 0; /* the child's own copies */
		_exit(cbad == 0 ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	bad += verify(m, pages, 3);
	printf("memhog: %ld pages %s, child %s\n", pages, bad ? "CORRUPT" : "ok",
	       WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "ok" : "failed");
	return bad || !WIFEXITED(st) || WEXITSTATUS(st) ? 1 : 0;
}
