/* The stack vma grows down on demand: deep recursion with large frames touches
 * pages far below the initial stack, and /proc/self/maps shows [stack] grown. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	return check_result();
}
