/* A fork tree for the anonmm reverse map (Hugh Dickins's anonmm, 2.6.6-mm, 2004): a parent's anonymous
 * pages are shared copy-on-write by children and grandchildren, some written
 * (copied) on the way; one child exits early, so pages faulted into its mm
 * live on only in its children (its anonmm outlives it). Every process checks
 * that it sees its own and its ancestors' writes. With -w the tree waits after
 * "READY" for a line on stdin, so a test can inspect the reverse map. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define PAGE 4096
#define NPAGES 64

static volatile char *mem;
static char expect[NPAGES];
static int hold[2], result[2];

static void write_range(int from, int to, char tag)
{
	for (int i = from; i < to; i++) {
		mem[i * PAGE] = tag;
		expect[i] = tag;
	}
}

/* A leaf or a waiting inner process: wait for the parent to let go, check, report. */
static void settle(void)
{
	char c;
	close(hold[1]);
	(void)!read(hold[0], &c, 1);
	int ok = 1;
	for (int i = 0; i < NPAGES; i++)
		ok &= mem[i * PAGE] == expect[i];
	(void)!write(result[1], ok ? "k" : "f", 1);
	_exit(0);
}

int main(int argc, char **argv)
{
	int wait_mode = argc > 1 && strcmp(argv[1], "-w") == 0;
	mem = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || pipe(hold) || pipe(result))
		return 1;
	write_range(0, NPAGES, 'r');
	int reporters = 0;

	if (fork() == 0) { /* A: writes 0-15, forks two children, exits at once */
		write_range(0, 16, 'A');
		if (fork() == 0) {
			write_range(16, 20, '1');
			settle();
		}
		if (fork() == 0) {
			write_range(20, 24, '2');
			settle();
		}
		_exit(0);
	}
	reporters += 2;
	wait(NULL); /* A is gone: its pages 0-15 live on in its two children */

	if (fork() == 0) { /* B: writes 32-40, forks G3 who writes 33, both wait */
		write_range(32, 40, 'B');
		if (fork() == 0) {
			write_range(33, 34, '3');
			settle();
		}
		settle();
	}
	reporters += 2;
	write_range(48, 50, 'R'); /* the root copies two pages its children share no more */

	if (wait_mode) {
		say("READY");
		char line[8];
		(void)!read(0, line, sizeof line);
	}
	close(hold[1]);
	int good = 0;
	for (int i = 0; i < reporters; i++) {
		char c = 0;
		if (read(result[0], &c, 1) == 1 && c == 'k')
			good++;
	}
	while (wait(NULL) > 0)
		;
	check(good == reporters, "rmap_tree_contents", "%d of %d processes saw their pages", good, reporters);
	int ok = 1;
	for (int i = 0; i < NPAGES; i++)
		ok &= mem[i * PAGE] == expect[i];
	check(ok, "rmap_tree_root_contents", "the root's pages changed");
	return check_result();
}
