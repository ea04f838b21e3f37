/* fork gives the child a copy-on-write copy: writes on either side after fork are
 * invisible to the other, in data, bss, heap, stack and anonymous mmap pages. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define PAGES 8
static int data_var = 1;
static char bss_buf[PAGES * 4096];

struct areas {
	volatile int *data;
	volatile char *bss, *heap, *stack, *anon;
};

static void fill(struct areas *a, char v)
{
	*a->data = v;
	for (int i = 0; i < PAGES * 4096; i += 512) {
		a->bss[i] = v;
		a->heap[i] = v;
		a->anon[i] = v;
	}
	for (int i = 0; i < 4096; i += 512)
		a->stack[i] = v;
}

/* Returns the name of the first area that does not hold v everywhere, or NULL. */
static const char *verify(struct areas *a, char v)
{
	if (*a->data != v)
		return "data";
	for (int i = 0; i < PAGES * 4096; i += 512) {
		if (a->bss[i] != v)
			return "bss";
		if (a->heap[i] != v)
			return "heap";
		if (a->anon[i] != v)
			return "mmap";
	}
	for (int i = 0; i < 4096; i += 512)
		if (a->stack[i] != v)
			return "stack";
	return NULL;
}

static void direction(struct areas *a, int child_writes, const char *name)
{
	int to_child[2], to_parent[2];
	fill(a, 'A');
	if (pipe(to_child) || pipe(to_parent)) {
		fail(name, "pipe failed");
		return;
	}
	pid_t pid = fork();
	if (pid < 0) {
		fail(name, "fork failed");
		return;
	}
	char c = 0;
	if (pid == 0) {
		if (child_writes) {
			fill(a, 'C');
			const char *bad = verify(a, 'C');
			(void)!write(to_parent[1], bad ? "x" : "w", 1);
			(void)!read(to_child[0], &c, 1);
			_exit(bad ? 2 : 0);
		}
		(void)!read(to_child[0], &c, 1); /* parent has written */
		const char *bad = verify(a, 'A');
		_exit(bad ? 3 : 0);
	}
	int st;
	if (child_writes) {
		(void)!read(to_parent[0], &c, 1);
		const char *bad = verify(a, 'A');
		(void)!write(to_child[1], "g", 1);
		waitpid(pid, &st, 0);
		if (bad)
			fail(name, "parent saw the child's write in %s", bad);
		else
			check(c == 'w' && WIFEXITED(st) && WEXITSTATUS(st) == 0, name,
			      "child could not read back its own writes (status 0x%x)", st);
	} else {
		fill(a, 'P');
		const char *bad = verify(a, 'P');
		(void)!write(to_child[1], "g", 1);
		waitpid(pid, &st, 0);
		if (bad)
			fail(name, "parent lost its own write in %s", bad);
		else
			check(WIFEXITED(st) && WEXITSTATUS(st) == 0, name,
			      "child saw the parent's write after fork (status 0x%x)", st);
	}
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

int main(void)
{
	char stack_buf[4096];
	struct areas a = {
		.data = &data_var,
		.bss = bss_buf,
		.heap = malloc(PAGES * 4096),
		.stack = stack_buf,
		.anon = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
	};
	if (!a.heap || a.anon == MAP_FAILED) {
		fail("fork_cow_setup", "allocation failed");
		return 1;
	}
	direction(&a, 1, "fork_cow_child_writes");
	direction(&a, 0, "fork_cow_parent_writes");

	/* Many forks of the same pages, each child writing: the parent's copy stays intact. */
	fill(&a, 'Z');
	int ok = 1;
	for (int i = 0; i < 8; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			fill(&a, (char)('a' + i));
			_exit(verify(&a, (char)('a' + i)) ? 1 : 0);
		}
		int st;
		waitpid(pid, &st, 0);
		ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	check(ok && !verify(&a, 'Z'), "fork_cow_repeated", "a child's write leaked or failed");
	return check_result();
}
