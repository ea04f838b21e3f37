/* System calls reject bad arguments with Linux's errno values: EFAULT for bad
 * pointers, EBADF, EINVAL, ENOMEM, ENOENT, EEXIST, ENOTDIR, ESPIPE, ECHILD, ESRCH.
 * Raw syscalls are used where musl would answer before reaching the kernel. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static void expect(const char *name, long ret, int want)
{
	int e = errno;
	check(ret == -1 && e == want, name, "returned %ld errno %d, expected errno %d", ret, e, want);
}

#define BAD_PTR ((void *)0x10)

int main(void)
{
	int p[2];
	pipe(p);
	(void)!write(p[1], "abcd", 4);
	errno = 0;
	expect("efault_read", syscall(SYS_read, p[0], BAD_PTR, 4), EFAULT);
	errno = 0;
	expect("efault_write", syscall(SYS_write, p[1], BAD_PTR, 4), EFAULT);
	errno = 0;
	expect("efault_read_into_text", syscall(SYS_read, p[0], (void *)main, 4), EFAULT);
	errno = 0;
	expect("efault_open_path", syscall(SYS_open, BAD_PTR, O_RDONLY), EFAULT);
	errno = 0;
	expect("efault_stat_buf", syscall(SYS_stat64, "/", BAD_PTR), EFAULT);
	errno = 0;
	expect("efault_pipe", syscall(SYS_pipe, BAD_PTR), EFAULT);

	errno = 0;
	expect("ebadf_read", syscall(SYS_read, -1, p, 1), EBADF);
	errno = 0;
	expect("ebadf_close", syscall(SYS_close, 4000), EBADF);
	errno = 0;
	expect("ebadf_write_readonly_end", syscall(SYS_write, p[0], "x", 1), EBADF);
	errno = 0;
	expect("ebadf_dup2", syscall(SYS_dup2, 4000, 5), EBADF);

	errno = 0;
	expect("einval_mmap_zero_len", syscall(SYS_mmap2, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	errno = 0;
	expect("einval_mmap_no_type", syscall(SYS_mmap2, 0, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
	errno = 0;
	expect("einval_munmap_unaligned", syscall(SYS_munmap, 0x10001, 4096), EINVAL);
	errno = 0;
	expect("einval_mprotect_unaligned", syscall(SYS_mprotect, 0x10001, 4096, PROT_READ), EINVAL);
	errno = 0;
	expect("einval_kill_signal", syscall(SYS_kill, getpid(), 1000), EINVAL);
	errno = 0;
	int file = open("/etc/passwd", O_RDONLY);
	expect("einval_lseek_whence", syscall(SYS_lseek, file, 0, 77), EINVAL);
	close(file);

	errno = 0;
	expect("enomem_mmap_huge", syscall(SYS_mmap2, 0, 0xfffff000u, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
	       ENOMEM);
	errno = 0;
	expect("enomem_mprotect_unmapped", syscall(SYS_mprotect, 0x1000, 4096, PROT_READ), ENOMEM);

	errno = 0;
	expect("enoent_open", syscall(SYS_open, "/nonexistent/file", O_RDONLY), ENOENT);
	errno = 0;
	expect("eexist_mkdir", syscall(SYS_mkdir, "/", 0755), EEXIST);
	errno = 0;
	expect("enotdir_open_dir", syscall(SYS_open, "/etc/passwd/x", O_RDONLY), ENOTDIR);
	errno = 0;
	expect("espipe_lseek_pipe", syscall(SYS_lseek, p[0], 0, SEEK_SET), ESPIPE);
	errno = 0;
	expect("echild_wait", syscall(SYS_wait4, -1, 0, 0, 0), ECHILD);
	errno = 0;
	expect("esrch_kill", syscall(SYS_kill, 0x3ffffff0, 0), ESRCH);

	/* RLIMIT_AS bounds the address space: a mapping beyond it fails with ENOMEM. */
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = {64 << 20, 64 << 20};
		setrlimit(RLIMIT_AS, &rl);
		long r = syscall(SYS_mmap2, 0, 128 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		_exit(r == -1 && errno == ENOMEM ? 0 : 1);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "enomem_rlimit_as", "status 0x%x", st);
	return check_result();
}
