/* File data lives in RAM (Linux ramfs and tmpfs pages are page-cache pages):
 * a file on the root ramfs or on tmpfs shows in /proc/meminfo (Cached, and
 * Shmem for tmpfs; MemFree drops by the same pages) and leaves it when
 * unlinked; writing more than free RAM ends in a short write and then ENOSPC,
 * after which the machine still forks, writes and reads files. Under vmalab
 * anonymous memory first takes all but FREE_KB and the files fill the rest;
 * elsewhere the test writes at most CAP bytes per file (never filling the
 * host) and the RAM-dependent checks are skipped. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "procfs.h"

#define PAGE 4096
#define CHUNK 65536
#define SMALL (256 * PAGE)
#define CAP (32L << 20) /* most bytes written per file on another kernel */
#define FREE_KB (12 * 1024) /* free memory left for the files under vmalab */

struct meminfo {
	long total, free, cached, shmem; /* kB */
};

static char buf[CHUNK];
static char text[4096];

static long field(const char *key)
{
	char *p = strstr(text, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static struct meminfo meminfo(void)
{
	struct meminfo m = {-1, -1, -1, -1};
	if (read_text("/proc/meminfo", text, sizeof text) < 0)
		return m;
	m.total = field("MemTotal:");
	m.free = field("\nMemFree:");
	m.cached = field("\nCached:");
	m.shmem = field("\nShmem:");
	return m;
}

/* Byte i of every file's contents: buf[j] = 'a' + j % 26, the first write
 * taking buf's last 100 bytes and each later one all of buf. */
static char pattern(long i)
{
	return (char)('a' + (i + CHUNK - 100) % CHUNK % 26);
}

static void fill_buf(void)
{
	for (long j = 0; j < CHUNK; j++)
		buf[j] = (char)('a' + j % 26);
}

/* Writes SMALL bytes to path, checks meminfo moved by them and back after unlink. */
static void small_file(const char *path, const char *tag, int shmem)
{
	char name[64];
	struct meminfo m0 = meminfo();
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	long done = 0;
	fill_buf();
	while (fd >= 0 && done < SMALL && write(fd, buf, CHUNK) == CHUNK)
		done += CHUNK;
	snprintf(name, sizeof name, "%s_small_write", tag);
	check(done == SMALL, name, "wrote %ld of %d (errno %d)", done, SMALL, errno);
	struct meminfo m1 = meminfo();
	long kb = SMALL / 1024;
	snprintf(name, sizeof name, "%s_cached_grows", tag);
	check_vmalab(m1.cached - m0.cached == kb, name, "Cached %ld -> %ld kB", m0.cached, m1.cached);
	snprintf(name, sizeof name, "%s_memfree_drops", tag);
	check_vmalab(m0.free - m1.free == kb, name, "MemFree %ld -> %ld kB", m0.free, m1.free);
	snprintf(name, sizeof name, "%s_shmem", tag);
	check_vmalab(m1.shmem - m0.shmem == (shmem ? kb : 0), name, "Shmem %ld -> %ld kB", m0.shmem, m1.shmem);
	close(fd);
	unlink(path);
	struct meminfo m2 = meminfo();
	snprintf(name, sizeof name, "%s_unlink_returns", tag);
	check_vmalab(m2.free == m0.free && m2.cached == m0.cached && m2.shmem == m0.shmem, name,
		     "MemFree %ld -> %ld, Cached %ld -> %ld, Shmem %ld -> %ld kB", m0.free, m2.free, m0.cached, m2.cached,
		     m0.shmem, m2.shmem);
}

/*
 * Appends to fd until a write fails or `limit` bytes are written. The first
 * write is 100 bytes, so every later one starts inside a page that exists and
 * the write that runs out of memory is short. Returns the bytes written;
 * *shorts counts short writes, *err is the errno of the failing write (0 if none).
 */
static long fill(int fd, long limit, int *shorts, int *err)
{
	long done = 0;
	*shorts = 0;
	*err = 0;
	fill_buf();
	ssize_t n = write(fd, buf + CHUNK - 100, 100);
	if (n != 100)
		return n < 0 ? 0 : n;
	done = 100;
	while (done < limit) {
		long want = limit - done < CHUNK ? limit - done : CHUNK;
		n = write(fd, buf, want);
		if (n < 0) {
			*err = errno;
			break;
		}
		done += n;
		if (n < want)
			(*shorts)++;
	}
	return done;
}

/* True if the file at fd holds pattern(i) at a sample of offsets below size. */
static int contents_ok(int fd, long size)
{
	char c;
	for (long off = 0; off < size; off += size / 7 + 4093) {
		if (pread(fd, &c, 1, off) != 1 || c != pattern(off))
			return 0;
	}
	return pread(fd, &c, 1, size - 1) == 1 && c == pattern(size - 1);
}

/* A child that allocates memory and, if path is given, writes and reads a file: true if all worked. */
static int child_works(const char *path)
{
	pid_t pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		char *p = malloc(16 * PAGE);
		if (!p)
			_exit(2);
		memset(p, 7, 16 * PAGE);
		if (!path)
			_exit(p[16 * PAGE - 1] == 7 ? 0 : 3);
		int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
		int ok = fd >= 0 && write(fd, "still here", 10) == 10 && pread(fd, p, 10, 0) == 10 &&
			 memcmp(p, "still here", 10) == 0;
		close(fd);
		unlink(path);
		_exit(ok ? 0 : 3);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int main(void)
{
	const char *root = on_vmalab() ? "/ramfs_bound.big" : "ramfs_bound.big";
	const char *tmp = "/tmp/ramfs_bound.big";
	memset(buf, 1, sizeof buf); /* fault the buffers in before anything is measured */
	meminfo();
	small_file(on_vmalab() ? "/ramfs_bound.small" : "ramfs_bound.small", "ramfs_root", 0);
	small_file("/tmp/ramfs_bound.small", "ramfs_tmp", 1);

	struct meminfo m0 = meminfo();
	if (!check(m0.total > 0 && m0.free > 0, "ramfs_meminfo", "MemTotal %ld MemFree %ld", m0.total, m0.free))
		return check_result();
	long limit = on_vmalab() ? (m0.total + 4096) * 1024 : CAP;
	/* Under vmalab, anonymous memory takes all but FREE_KB first: cheaper than writing it all. */
	long anon_len = on_vmalab() && m0.free > 2 * FREE_KB ? (m0.free - FREE_KB) * 1024 : 0;
	char *anon = anon_len ? mmap(NULL, anon_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : NULL;
	if (anon == MAP_FAILED)
		anon = NULL;
	for (long i = 0; anon && i < anon_len; i += PAGE)
		anon[i] = 1;
	struct meminfo ma = meminfo();

	/* The root ramfs: no size limit, so guest RAM stops the writes. */
	int shorts = 0, err = 0;
	int fr = open(root, O_CREAT | O_RDWR | O_TRUNC, 0600);
	long rsize = fr >= 0 ? fill(fr, limit, &shorts, &err) : 0;
	struct meminfo m1 = meminfo();
	check_vmalab(shorts == 1 && err == ENOSPC, "ramfs_root_short_then_enospc", "%d short writes, errno %d after %ld bytes",
		     shorts, err, rsize);
	check_vmalab(rsize / 1024 >= ma.free - 2048 && m1.free <= m0.total / 64, "ramfs_root_fills_ram",
		     "file %ld kB, MemFree %ld -> %ld kB", rsize / 1024, ma.free, m1.free);
	check(fr >= 0 && contents_ok(fr, rsize), "ramfs_root_contents", "fd %d size %ld", fr, rsize);

	/* Free a few MiB, far less than tmpfs's size: RAM, not size=, stops tmpfs. */
	long keep = rsize - (rsize / 2 < 4L << 20 ? rsize / 2 : 4L << 20);
	keep -= keep % PAGE;
	check(fr >= 0 && ftruncate(fr, keep) == 0, "ramfs_root_truncate", "errno %d", errno);
	struct meminfo m2 = meminfo();
	int ft = open(tmp, O_CREAT | O_RDWR | O_TRUNC, 0600);
	long tsize = ft >= 0 ? fill(ft, limit, &shorts, &err) : 0;
	struct meminfo m3 = meminfo();
	check_vmalab(shorts == 1 && err == ENOSPC, "ramfs_tmp_short_then_enospc", "%d short writes, errno %d after %ld bytes",
		     shorts, err, tsize);
	check_vmalab(tsize / PAGE < m0.total / 4 / 2 && tsize / 1024 >= m2.free - 2048, "ramfs_tmp_stopped_by_ram",
		     "file %ld kB, tmpfs size %ld kB, MemFree %ld kB before", tsize / 1024, m0.total / 2, m2.free);
	check_vmalab(m3.shmem - m2.shmem == (tsize + PAGE - 1) / PAGE * 4, "ramfs_tmp_shmem_grows", "Shmem %ld -> %ld kB",
		     m2.shmem, m3.shmem);
	check(ft >= 0 && contents_ok(ft, tsize), "ramfs_tmp_contents", "fd %d size %ld", ft, tsize);

	/* Memory is full of file data (file writes get ENOSPC): processes still fork, fault and exit. */
	check(child_works(NULL), "ramfs_full_still_forks", "");

	/* Unlinked but open, the data stays; closing the last descriptor frees it. */
	unlink(root);
	unlink(tmp);
	struct meminfo m4 = meminfo();
	check(ft >= 0 && contents_ok(ft, tsize), "ramfs_unlinked_open_readable", "size %ld", tsize);
	check_vmalab(m4.free == m3.free, "ramfs_unlinked_open_kept", "MemFree %ld -> %ld kB", m3.free, m4.free);
	close(fr);
	close(ft);
	struct meminfo m5 = meminfo();
	check_vmalab(m5.free == ma.free && m5.cached == ma.cached && m5.shmem == ma.shmem, "ramfs_close_returns",
		     "MemFree %ld -> %ld, Cached %ld -> %ld, Shmem %ld -> %ld kB", ma.free, m5.free, ma.cached, m5.cached,
		     ma.shmem, m5.shmem);
	if (anon)
		munmap(anon, anon_len);
	check(child_works("/tmp/ramfs_bound.after"), "ramfs_after_works", "");
	return check_result();
}
