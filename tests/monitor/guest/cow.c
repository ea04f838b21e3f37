/* Monitor test guest: the child writes a data page after fork (COW copy), the parent
 * writes it after the child exited (COW reuse, the last sharer). Exit 0 on success. */
#include <unistd.h>
#include <sys/wait.h>
volatile int counter = 5;
int main(void) {
	pid_t p = fork();
	if (p == 0) {
		counter = 7;
		_exit(counter);
	}
	int st;
	wait(&st);
	counter = 9;
	return WEXITSTATUS(st) == 7 && counter == 9 ? 0 : 1;
}
