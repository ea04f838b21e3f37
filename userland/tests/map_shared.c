/* MAP_SHARED memory stays shared across fork in both directions (anonymous and
 * file-backed), while MAP_PRIVATE memory is copied. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define PAGE 4096

static int wait_status(pid_t pid)
{
	int st = -1;
	waitpid(pid, &st, 0);
	return st;
}

int main(void)
{
	volatile char *shared = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	volatile char *priv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int sync[2];
	if (shared == MAP_FAILED || priv == MAP_FAILED || pipe(sync) != 0) {
		fail("map_shared_setup", "mmap or pipe failed");
		return 1;
	}
	shared[0] = 'p';
	priv[0] = 'p';
	pid_t pid = fork();
	if (pid == 0) {
		shared[0] = 'c';        /* touched before fork */
		shared[3 * PAGE] = 'c'; /* first touched in the child */
		priv[0] = 'c';
		_exit(0);
	}
	int st = wait_status(pid);
	check(shared[0] == 'c' && shared[3 * PAGE] == 'c', "map_shared_child_to_parent",
	      "parent saw '%c' '%c'", shared[0], shared[3 * PAGE]);
	check(priv[0] == 'p', "map_private_isolated", "private page changed to '%c'", priv[0]);

	pid = fork();
	if (pid == 0) {
		char c;
		(void)!read(sync[0], &c, 1);
		_exit(shared[PAGE] == 'P' && shared[2 * PAGE] == 0 ? 0 : 1);
	}
	shared[PAGE] = 'P';
	(void)!write(sync[1], "g", 1);
	st = wait_status(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "map_shared_parent_to_child", "status 0x%x", st);

	/* A shared file mapping: the child's store reaches the file. */
	char path[] = "/tmp/vmalab-map-shared-XXXXXX";
	int fd = mkstemp(path);
	char zeros[PAGE] = {0};
	if (fd < 0 || write(fd, zeros, PAGE) != PAGE) {
		fail("map_shared_file_setup", "cannot create %s", path);
		return check_result();
	}
	volatile char *fm = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (fm == MAP_FAILED) {
		fail("map_shared_file_setup", "mmap of the file failed");
		return check_result();
	}
	pid = fork();
	if (pid == 0) {
		memcpy((char *)fm + 100, "written by child", 16);
		_exit(0);
	}
	wait_status(pid);
	char buf[32] = {0};
	int n = (int)pread(fd, buf, 16, 100);
	check(n == 16 && memcmp(buf, "written by child", 16) == 0 && memcmp((char *)fm + 100, buf, 16) == 0,
	      "map_shared_file", "file holds '%.16s'", buf);
	munmap((void *)fm, PAGE);
	close(fd);
	unlink(path);
	return check_result();
}
