/* madvise(MADV_REMOVE) (Linux 2.6.16, commit f6b3ec238d) on POSIX shared memory (tmpfs on /dev/shm),
 * shared anonymous memory and SysV segments: the pages and their backing
 * store are freed, every mapping and read(2) then sees zeros, private COW
 * copies survive, and /proc/meminfo's Shmem drops by exactly the hole. Linux's
 * errors where it cannot be done, and MADV_DONTNEED for private and shared
 * mappings. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define PAGE 4096

static long shmem_kb(void)
{
	char buf[4096];
	int fd = open("/proc/meminfo", O_RDONLY);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *p = strstr(buf, "\nShmem:");
	return p ? strtol(p + 7, NULL, 10) : -1;
}

static void posix_shm(void)
{
	long s0 = shmem_kb();
	int fd = shm_open("/vmalab-madv", O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (!check(fd >= 0 && ftruncate(fd, 64 * PAGE) == 0, "shm_open", "errno %d", errno))
		return;
	char *p = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *q = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *r = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (!check(p != MAP_FAILED && q != MAP_FAILED && r != MAP_FAILED, "shm_mmap", "errno %d", errno))
		return;
	for (int i = 0; i < 64; i++)
		p[i * PAGE] = 'Z';
	int seen = q[20 * PAGE] + r[18 * PAGE]; /* map the shared pages in q and r too */
	r[17 * PAGE] = 'x';                      /* r's private copy */
	long s1 = shmem_kb();
	struct stat sa;
	check(fstat(fd, &sa) == 0 && sa.st_blocks == 64 * 8, "shm_blocks", "st_blocks %lld", (long long)sa.st_blocks);
	check(seen == 'Z' + 'Z', "shm_shared_contents", "seen %d", seen);
	check_vmalab(s1 - s0 == 256, "shm_shmem_grows", "Shmem %ld -> %ld kB", s0, s1);
	check(madvise(p + 16 * PAGE, 32 * PAGE, MADV_REMOVE) == 0, "madv_remove_shm", "errno %d", errno);
	long s2 = shmem_kb();
	check_vmalab(s1 - s2 == 128, "madv_remove_shmem_drops", "Shmem %ld -> %ld kB", s1, s2);
	struct stat sb;
	check(fstat(fd, &sb) == 0 && sb.st_blocks == 32 * 8, "madv_remove_frees_blocks", "st_blocks %lld",
	      (long long)sb.st_blocks);
	check(p[16 * PAGE] == 0 && p[47 * PAGE] == 0 && p[15 * PAGE] == 'Z' && p[48 * PAGE] == 'Z', "madv_remove_zeros",
	      "p: %d %d %d %d", p[16 * PAGE], p[47 * PAGE], p[15 * PAGE], p[48 * PAGE]);
	check(q[20 * PAGE] == 0 && r[18 * PAGE] == 0, "madv_remove_other_mappings", "q %d r %d", q[20 * PAGE], r[18 * PAGE]);
	check(r[17 * PAGE] == 'x', "madv_remove_keeps_cow", "r %d", r[17 * PAGE]);
	char c = 1;
	check(pread(fd, &c, 1, 30 * PAGE) == 1 && c == 0, "madv_remove_read_zero", "read %d", c);
	munmap(p, 64 * PAGE);
	munmap(q, 64 * PAGE);
	munmap(r, 64 * PAGE);
	close(fd);
	shm_unlink("/vmalab-madv");
	long s3 = shmem_kb();
	check_vmalab(s3 == s0, "shm_unlink_frees", "Shmem %ld -> %ld kB", s0, s3);
}

static void errors(void)
{
	char *anon = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	errno = 0;
	check(madvise(anon, PAGE, MADV_REMOVE) == -1 && errno == EINVAL, "madv_remove_private_anon_einval", "errno %d", errno);
	int fd = open("/dev/shm/vmalab-err", O_CREAT | O_RDWR | O_TRUNC, 0600);
	(void)!ftruncate(fd, PAGE);
	char *priv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	errno = 0;
	check(madvise(priv, PAGE, MADV_REMOVE) == -1 && errno == EACCES, "madv_remove_private_file_eacces", "errno %d", errno);
	int ro = open("/dev/shm/vmalab-err", O_RDONLY);
	char *rosh = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 0);
	errno = 0;
	check(madvise(rosh, PAGE, MADV_REMOVE) == -1 && errno == EACCES, "madv_remove_readonly_eacces", "errno %d", errno);
	/* vmalab's root is ramfs, which cannot punch holes; a Linux host's root file system usually can. */
	int rf = on_vmalab() ? open("/root/vmalab-madv", O_CREAT | O_RDWR | O_TRUNC, 0600) : -1;
	char *rsh = MAP_FAILED;
	if (rf >= 0) {
		(void)!ftruncate(rf, PAGE);
		rsh = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, rf, 0);
		errno = 0;
		check(rsh != MAP_FAILED && madvise(rsh, PAGE, MADV_REMOVE) == -1 && errno == EOPNOTSUPP,
		      "madv_remove_ramfs_eopnotsupp", "errno %d", errno);
	} else if (on_vmalab()) {
		fail("madv_remove_ramfs_eopnotsupp", "open /root: errno %d", errno);
	} else {
		skip("madv_remove_ramfs_eopnotsupp", "needs a file system without hole punching (ramfs)");
	}
	errno = 0;
	check(madvise(anon + 1, PAGE, MADV_REMOVE) == -1 && errno == EINVAL, "madv_remove_unaligned_einval", "errno %d", errno);
	munmap(anon, PAGE);
	munmap(priv, PAGE);
	munmap(rosh, PAGE);
	if (rsh != MAP_FAILED)
		munmap(rsh, PAGE);
	close(fd);
	close(ro);
	if (rf >= 0)
		close(rf);
	unlink("/dev/shm/vmalab-err");
	unlink("/root/vmalab-madv");
}

static void shared_anon_and_dontneed(void)
{
	char *sh = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *pv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(sh, 'a', 4 * PAGE);
	pv[0] = 'b';
	check(madvise(sh, 4 * PAGE, MADV_DONTNEED) == 0 && sh[0] == 'a' && sh[3 * PAGE] == 'a', "dontneed_shared_keeps",
	      "sh %d", sh[0]);
	check(madvise(pv, PAGE, MADV_DONTNEED) == 0 && pv[0] == 0, "dontneed_private_zeros", "pv %d", pv[0]);
	int fd = open("/dev/shm/vmalab-dn", O_CREAT | O_RDWR | O_TRUNC, 0600);
	(void)!write(fd, "file", 4);
	char *fp = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	fp[0] = 'F';
	check(madvise(fp, PAGE, MADV_DONTNEED) == 0 && fp[0] == 'f', "dontneed_private_file_rereads", "fp %c", fp[0]);
	long s0 = shmem_kb();
	check(madvise(sh + PAGE, 2 * PAGE, MADV_REMOVE) == 0, "madv_remove_shared_anon", "errno %d", errno);
	long s1 = shmem_kb();
	check(sh[PAGE] == 0 && sh[2 * PAGE] == 0 && sh[0] == 'a' && sh[3 * PAGE] == 'a',
	      "madv_remove_shared_anon_zeros", "sh %d %d", sh[PAGE], sh[0]);
	check_vmalab(s0 - s1 == 8, "madv_remove_shared_anon_shmem", "Shmem %ld -> %ld", s0, s1);
	munmap(sh, 4 * PAGE);
	munmap(pv, PAGE);
	munmap(fp, PAGE);
	close(fd);
	unlink("/dev/shm/vmalab-dn");
}

static void sysv(void)
{
	long s0 = shmem_kb();
	int id = shmget(IPC_PRIVATE, 16 * PAGE, IPC_CREAT | 0600);
	char *p = shmat(id, NULL, 0);
	if (!check(id >= 0 && p != (char *)-1, "sysv_shmget_shmat", "id %d errno %d", id, errno))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		memset(p, 'S', 16 * PAGE);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	struct shmid_ds ds;
	check(p[0] == 'S' && p[15 * PAGE] == 'S', "sysv_shared_with_child", "p %d", p[0]);
	check(shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_nattch == 1 && ds.shm_segsz == 16 * PAGE, "sysv_ipc_stat",
	      "nattch %lu segsz %zu", (unsigned long)ds.shm_nattch, ds.shm_segsz);
	long s1 = shmem_kb();
	check_vmalab(s1 - s0 == 64, "sysv_shmem_grows", "Shmem %ld -> %ld", s0, s1);
	int rm = madvise(p + 8 * PAGE, 8 * PAGE, MADV_REMOVE);
	long s2 = shmem_kb(); /* before reading the hole: a read fault allocates a zero page */
	check(rm == 0 && p[8 * PAGE] == 0 && p[7 * PAGE] == 'S', "sysv_madv_remove", "errno %d p %d", errno, p[8 * PAGE]);
	check_vmalab(s1 - s2 == 32, "sysv_madv_remove_shmem", "Shmem %ld -> %ld", s1, s2);
	check(shmdt(p) == 0 && shmctl(id, IPC_RMID, NULL) == 0, "sysv_shmdt_rmid", "errno %d", errno);
	errno = 0;
	check(shmat(id, NULL, 0) == (void *)-1 && errno == EINVAL, "sysv_removed", "errno %d", errno);
	check_vmalab(shmem_kb() == s0, "sysv_rmid_frees", "Shmem %ld", shmem_kb());

	/* The i386 ipc(2) multiplexer. */
	long mid = syscall(SYS_ipc, 23 /* SHMGET */, IPC_PRIVATE, PAGE, IPC_CREAT | 0600, 0, 0);
	unsigned long raddr = 0;
	long a = syscall(SYS_ipc, 21 /* SHMAT */, mid, 0, &raddr, 0, 0);
	int ok = mid >= 0 && a == 0 && raddr != 0;
	if (ok) {
		((char *)raddr)[0] = 'M';
		ok = ((char *)raddr)[0] == 'M';
		ok = ok && syscall(SYS_ipc, 22 /* SHMDT */, 0, 0, 0, (void *)raddr, 0) == 0;
		ok = ok && syscall(SYS_ipc, 24 /* SHMCTL */, mid, IPC_RMID | 0x100, 0, 0, 0) == 0;
	}
	check(ok, "sysv_ipc_multiplexer", "id %ld at %ld raddr %lx errno %d", mid, a, raddr, errno);
}

int main(void)
{
	posix_shm();
	errors();
	shared_anon_and_dontneed();
	sysv();
	return check_result();
}
