/* Threads: CLONE_VM clones share one address space. musl pthreads (clone with
 * CLONE_VM|CLONE_THREAD|CLONE_SETTLS..., futex join) and a raw clone(CLONE_VM). */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define THREADS 4
#define ROUNDS 10000

static volatile int counters[THREADS];
static volatile int shared_value;
static int *heap_block;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long total;

static void *worker(void *arg)
{
	int id = (int)(long)arg;
	for (int i = 0; i < ROUNDS; i++) {
		counters[id]++;
		pthread_mutex_lock(&lock);
		total++;
		pthread_mutex_unlock(&lock);
	}
	heap_block[id] = id * 100; /* the thread writes the creator's heap */
	return (void *)(long)(id + 1000);
}

static int clone_child(void *arg)
{
	shared_value = 1234;
	int *p = arg;
	*p = 5678;
	return 9;
}

static int clone_exec_child(void *arg)
{
	char **argv = arg;
	execv(argv[0], argv);
	return 99;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--exit") == 0)
		return 3;

	heap_block = calloc(THREADS, sizeof *heap_block);
	pthread_t t[THREADS];
	int ok = 1;
	for (long i = 0; i < THREADS; i++)
		ok &= pthread_create(&t[i], NULL, worker, (void *)i) == 0;
	for (int i = 0; i < THREADS; i++) {
		void *ret = NULL;
		ok &= pthread_join(t[i], &ret) == 0 && ret == (void *)(long)(i + 1000);
	}
	check(ok, "pthread_create_join", "create or join failed");
	int shared = total == THREADS * ROUNDS;
	for (int i = 0; i < THREADS; i++)
		shared &= counters[i] == ROUNDS && heap_block[i] == i * 100;
	check(shared, "pthread_shared_memory", "total %ld, expected %d", total, THREADS * ROUNDS);

	/* Raw clone(CLONE_VM): the child writes globals and heap; the parent sees it. */
	size_t stack_size = 64 * 1024;
	char *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int *cell = malloc(sizeof *cell);
	*cell = 0;
	shared_value = 0;
	pid_t pid = clone(clone_child, stack + stack_size, CLONE_VM | SIGCHLD, cell);
	int st = 0;
	waitpid(pid, &st, 0);
	check(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 9, "clone_vm_exit", "status 0x%x", st);
	check(shared_value == 1234 && *cell == 5678, "clone_vm_shares_memory",
	      "parent saw %d and %d", shared_value, *cell);

	/* A CLONE_VM child that execs leaves the shared mm; the parent's memory survives. */
	char *args[] = {argv[0], "--exit", NULL};
	memset(heap_block, 0x5a, THREADS * sizeof *heap_block);
	pid = clone(clone_exec_child, stack + stack_size, CLONE_VM | SIGCHLD, args);
	waitpid(pid, &st, 0);
	int intact = 1;
	for (size_t i = 0; i < THREADS * sizeof *heap_block; i++)
		intact &= ((unsigned char *)heap_block)[i] == 0x5a;
	check(WIFEXITED(st) && WEXITSTATUS(st) == 3 && intact, "clone_vm_exec",
	      "status 0x%x, parent memory %s", st, intact ? "intact" : "damaged");
	return check_result();
}
