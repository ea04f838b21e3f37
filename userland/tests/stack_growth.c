/* The stack vma grows down on demand: deep recursion with large frames touches
 * pages far below the initial stack, and /proc/self/maps shows [stack] grown.
 * Growth stops at RLIMIT_STACK (8 MiB by default, inherited from init): the
 * recursion that would pass it dies of SIGSEGV. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "procfs.h"

#define FRAME 16384
#define DEPTH 128 /* 2 MiB in total, below the usual 8 MiB limit */

static unsigned long stack_start(void)
{
	char line[256];
	char here;
	if (maps_find((unsigned long)&here, line, sizeof line) != 0 || !strstr(line, "[stack]"))
		return 0;
	return strtoul(line, NULL, 16);
}

static unsigned long deepest, grown_start;

static unsigned long recurse(int depth)
{
	volatile char frame[FRAME];
	/* Touch every page of the frame from its top downwards. */
	for (int i = FRAME - 1; i >= 0; i -= 1024)
		frame[i] = (char)depth;
	unsigned long sum = (unsigned long)frame[FRAME - 1];
	if (depth > 0) {
		sum += recurse(depth - 1);
	} else {
		deepest = (unsigned long)frame;
		grown_start = stack_start();
	}
	for (int i = FRAME - 1; i >= 0; i -= 1024)
		if (frame[i] != (char)depth)
			return 1UL << 30;
	return sum;
}

static volatile unsigned long *reached; /* bytes of frames the runaway child touched */

static void runaway(unsigned long depth)
{
	volatile char frame[FRAME];
	for (int i = FRAME - 1; i >= 0; i -= 1024)
		frame[i] = 1;
	*reached = (depth + 1) * FRAME;
	if (depth < 1UL << 20) /* 16 GiB: never reached */
		runaway(depth + 1);
	frame[0] = 0; /* not a tail call */
}

/* A child recursing without bound is stopped by the default RLIMIT_STACK. */
static void stack_rlimit(void)
{
	struct rlimit rl;
	check(getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur == 8UL << 20, "stack_rlimit_default",
	      "RLIMIT_STACK soft limit %lu, want 8 MiB", (unsigned long)rl.rlim_cur);
	reached = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (reached == MAP_FAILED) {
		check(0, "stack_rlimit_segv", "mmap failed");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		runaway(0);
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "stack_rlimit_segv",
	      "runaway recursion ended with status %#x, want SIGSEGV", status);
	unsigned long got = *reached;
	check(got > (8UL << 20) - (256UL << 10) && got <= 8UL << 20, "stack_rlimit_depth",
	      "runaway recursion touched %lu KiB of frames, want just under 8192", got >> 10);
	munmap((void *)reached, 4096);
}

int main(void)
{
	unsigned long before = stack_start();
	check(before != 0, "stack_vma_present", "no [stack] line contains a local variable");
	unsigned long sum = recurse(DEPTH);
	unsigned long want = 0;
	for (int d = 0; d <= DEPTH; d++)
		want += (unsigned long)(char)d;
	check(sum == want, "stack_growth_data", "frames lost their contents (sum %lu, want %lu)", sum, want);
	check(grown_start != 0 && grown_start <= deepest && grown_start < before &&
	      before - grown_start >= (unsigned long)DEPTH * FRAME / 2,
	      "stack_vma_grew", "[stack] start %#lx before, %#lx at depth (deepest frame %#lx)", before,
	      grown_start, deepest);
	stack_rlimit();
	return check_result();
}
