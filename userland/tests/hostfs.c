/* A host folder in the guest (docs/hostfs.md). Usage: hostfs [DIR [ro|big]].
 *
 * With DIR (a host folder mounted with -v, as tests/kernel/fs/hostfs.test.ts
 * does): the file operations and their errnos in DIR, leaving created.txt,
 * renamed.txt, link and mapped.bin for the host side to check; escape attempts
 * (symlinks to /, absolute, ../..) fail with EACCES (checked only under vmalab:
 * on Linux such links do lead out, so nothing is tried through them). With
 * "ro": every change fails with EROFS and reading still works (DIR must hold
 * input.txt = "host data\n" and an empty directory emptydir).
 * Without DIR: the same file checks in a fresh directory under /tmp (tmpfs
 * under vmalab, the host's /tmp natively), cleaned up afterwards, so the
 * program is a check of the VFS everywhere. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

#define PAGE 4096

static char dir[256];

static const char *at(const char *name)
{
	static char buf[4][512];
	static int k;
	char *b = buf[k++ & 3];
	snprintf(b, sizeof buf[0], "%s/%s", dir, name);
	return b;
}

/* errno of a call that must fail, or 0 if it succeeded. */
#define ERR(call) ((call) < 0 ? errno : 0)

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	int n = (int)write(fd, text, strlen(text));
	close(fd);
	return n == (int)strlen(text) ? 0 : -1;
}

static int file_is(const char *path, const char *text)
{
	char buf[256] = { 0 };
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	int n = (int)read(fd, buf, sizeof buf - 1);
	close(fd);
	return n == (int)strlen(text) && memcmp(buf, text, n) == 0;
}

static void cleanup(void)
{
	static const char *names[] = { "created.txt", "renamed.txt", "link", "hard", "trunc.txt", "mapped.bin",
				       "loop1",       "loop2",       "esc_root", "esc_abs", "esc_rel", "inside",
				       "sub/file",    "sub/up",      "sub/up2", "sub/deeper/x" };
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		unlink(at(names[i]));
	rmdir(at("sub/deeper"));
	rmdir(at("sub"));
	rmdir(at("full/d"));
	rmdir(at("full"));
}

static void basic_files(void)
{
	const char *msg = "hello from the guest\n";
	int fd = open(at("created.txt"), O_CREAT | O_EXCL | O_RDWR, 0644);
	check(fd >= 0 && write(fd, msg, strlen(msg)) == (ssize_t)strlen(msg), "hostfs_create_write", "fd %d errno %d", fd,
	      errno);
	char buf[64] = { 0 };
	check(pread(fd, buf, sizeof buf, 0) == (ssize_t)strlen(msg) && strcmp(buf, msg) == 0, "hostfs_read_back", "'%s'",
	      buf);
	check(fsync(fd) == 0, "hostfs_fsync", "errno %d", errno);
	struct stat st;
	check(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == (off_t)strlen(msg) && st.st_nlink == 1,
	      "hostfs_fstat", "mode %o size %lld nlink %d", st.st_mode, (long long)st.st_size, (int)st.st_nlink);
	close(fd);
	check(ERR(open(at("created.txt"), O_CREAT | O_EXCL | O_RDWR, 0644)) == EEXIST, "hostfs_eexist", "errno %d", errno);
	check(ERR(open(at("nothing"), O_RDONLY)) == ENOENT, "hostfs_enoent", "errno %d", errno);
	check(ERR(open(at("created.txt/x"), O_RDONLY)) == ENOTDIR, "hostfs_enotdir", "errno %d", errno);
	char longname[300];
	memset(longname, 'n', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	check(ERR(open(at(longname), O_CREAT | O_RDWR, 0644)) == ENAMETOOLONG, "hostfs_enametoolong", "errno %d", errno);
	check(chmod(at("created.txt"), 0600) == 0 && stat(at("created.txt"), &st) == 0 && (st.st_mode & 0777) == 0600,
	      "hostfs_chmod", "mode %o", st.st_mode);

	check(mkdir(at("sub"), 0755) == 0 && stat(at("sub"), &st) == 0 && S_ISDIR(st.st_mode), "hostfs_mkdir", "errno %d",
	      errno);
	check(ERR(mkdir(at("sub"), 0755)) == EEXIST, "hostfs_mkdir_eexist", "errno %d", errno);
	check(ERR(open(at("sub"), O_WRONLY)) == EISDIR, "hostfs_open_dir_eisdir", "errno %d", errno);
	check(ERR(unlink(at("sub"))) == EISDIR, "hostfs_unlink_dir_eisdir", "errno %d", errno);
	check(ERR(rmdir(at("created.txt"))) == ENOTDIR, "hostfs_rmdir_file_enotdir", "errno %d", errno);
	check(write_file(at("sub/file"), "moved\n") == 0, "hostfs_create_in_subdir", "errno %d", errno);
	check(ERR(rmdir(at("sub"))) == ENOTEMPTY, "hostfs_rmdir_enotempty", "errno %d", errno);
	check(rename(at("sub/file"), at("renamed.txt")) == 0 && ERR(stat(at("sub/file"), &st)) == ENOENT &&
		      file_is(at("renamed.txt"), "moved\n"),
	      "hostfs_rename", "errno %d", errno);
	check(ERR(unlink(at("sub/file"))) == ENOENT, "hostfs_unlink_enoent", "errno %d", errno);

	/* readdir sees what was made. */
	DIR *d = opendir(dir);
	int seen = 0;
	for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
		if (strcmp(e->d_name, "created.txt") == 0 && e->d_type == DT_REG)
			seen |= 1;
		if (strcmp(e->d_name, "sub") == 0 && e->d_type == DT_DIR)
			seen |= 2;
		if (strcmp(e->d_name, "renamed.txt") == 0)
			seen |= 4;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			seen |= 8;
	}
	if (d)
		closedir(d);
	check(seen == 15, "hostfs_readdir", "seen %d", seen);

	check(symlink("created.txt", at("link")) == 0, "hostfs_symlink", "errno %d", errno);
	char t[64] = { 0 };
	check(readlink(at("link"), t, sizeof t) == 11 && strcmp(t, "created.txt") == 0, "hostfs_readlink", "'%s'", t);
	struct stat ls;
	check(lstat(at("link"), &ls) == 0 && S_ISLNK(ls.st_mode) && stat(at("link"), &st) == 0 && S_ISREG(st.st_mode) &&
		      st.st_size == (off_t)strlen(msg),
	      "hostfs_lstat_stat_link", "modes %o %o", ls.st_mode, st.st_mode);
	check(ERR(open(at("link"), O_RDONLY | O_NOFOLLOW)) == ELOOP, "hostfs_nofollow_eloop", "errno %d", errno);
	symlink("loop2", at("loop1"));
	symlink("loop1", at("loop2"));
	check(ERR(open(at("loop1"), O_RDONLY)) == ELOOP, "hostfs_symlink_loop_eloop", "errno %d", errno);
	check(link(at("created.txt"), at("hard")) == 0 && stat(at("created.txt"), &st) == 0 && st.st_nlink == 2 &&
		      unlink(at("hard")) == 0 && stat(at("created.txt"), &st) == 0 && st.st_nlink == 1,
	      "hostfs_link", "nlink %d errno %d", (int)st.st_nlink, errno);

	/* truncate shrinks, ftruncate grows with zeros. */
	write_file(at("trunc.txt"), "0123456789");
	fd = open(at("trunc.txt"), O_RDWR);
	memset(buf, 'x', sizeof buf);
	check(truncate(at("trunc.txt"), 4) == 0 && stat(at("trunc.txt"), &st) == 0 && st.st_size == 4, "hostfs_truncate",
	      "size %lld", (long long)st.st_size);
	check(ftruncate(fd, 8) == 0 && pread(fd, buf, sizeof buf, 0) == 8 && memcmp(buf, "0123\0\0\0\0", 8) == 0,
	      "hostfs_ftruncate_grow", "'%.8s'", buf);
	close(fd);
}

static void mappings(void)
{
	char page[PAGE];
	int fd = open(at("mapped.bin"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	memset(page, 'A', PAGE);
	(void)!write(fd, page, PAGE);
	memset(page, 'B', PAGE);
	(void)!write(fd, page, PAGE);
	volatile char *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!check(fd >= 0 && m != MAP_FAILED, "hostfs_mmap_shared", "fd %d errno %d", fd, errno))
		return;
	m[0] = 'X';
	m[PAGE + 5] = 'Y';
	char c[2] = { 0, 0 };
	check(pread(fd, &c[0], 1, 0) == 1 && pread(fd, &c[1], 1, PAGE + 5) == 1 && c[0] == 'X' && c[1] == 'Y',
	      "hostfs_mapping_store_seen_by_read", "'%c%c'", c[0], c[1]);
	check(pwrite(fd, "Z", 1, 10) == 1 && m[10] == 'Z', "hostfs_write_seen_by_mapping", "'%c'", m[10]);
	check(msync((void *)m, 2 * PAGE, MS_SYNC) == 0, "hostfs_msync", "errno %d", errno);

	volatile char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (check(p != MAP_FAILED, "hostfs_mmap_private", "errno %d", errno)) {
		int same = p[0] == 'X' && p[10] == 'Z';
		p[1] = 'p';
		check(same && pread(fd, &c[0], 1, 1) == 1 && c[0] == 'A' && m[1] == 'A', "hostfs_private_store_stays_private",
		      "'%c' shared '%c'", c[0], m[1]);
		munmap((void *)p, 2 * PAGE);
	}
	munmap((void *)m, 2 * PAGE);
	close(fd);
}

/* Symlinks may not lead out of the host folder (vmalab refuses with EACCES; a plain Linux directory lets them). */
static void escapes(void)
{
	struct stat st;
	mkdir(at("sub"), 0755);
	mkdir(at("sub/deeper"), 0755);
	symlink("/", at("esc_root"));
	symlink("/etc/passwd", at("esc_abs"));
	symlink("../../..", at("esc_rel"));
	symlink("..", at("sub/up"));
	symlink("../..", at("sub/up2"));
	symlink("sub/deeper", at("inside"));
	check(lstat(at("esc_root"), &st) == 0 && S_ISLNK(st.st_mode), "hostfs_escape_symlink_exists", "errno %d", errno);
	check(stat(at("sub/up"), &st) == 0 && S_ISDIR(st.st_mode) && stat(at("sub/up/created.txt"), &st) == 0,
	      "hostfs_symlink_dotdot_inside", "errno %d", errno);
	check(stat(at("inside"), &st) == 0 && S_ISDIR(st.st_mode), "hostfs_symlink_inside", "errno %d", errno);
	char t[64] = { 0 };
	check(readlink(at("esc_rel"), t, sizeof t) == 8 && strcmp(t, "../../..") == 0, "hostfs_escape_readlink_text", "'%s'",
	      t);
	if (!on_vmalab()) { /* on Linux these links lead out for real: nothing is tried through them */
		skip("hostfs_escapes", "a plain Linux directory lets symlinks lead out; vmalab's host folders refuse");
		return;
	}
	check(ERR(stat(at("esc_root"), &st)) == EACCES, "hostfs_escape_root_eacces", "errno %d", errno);
	check(ERR(opendir(at("esc_root/")) ? 0 : -1) == EACCES, "hostfs_escape_root_opendir", "errno %d", errno);
	check(ERR(open(at("esc_abs"), O_RDONLY)) == EACCES, "hostfs_escape_absolute_eacces", "errno %d", errno);
	check(ERR(open(at("esc_rel"), O_RDONLY | O_DIRECTORY)) == EACCES, "hostfs_escape_dotdot_eacces", "errno %d",
		     errno);
	check(ERR(open(at("esc_root/tmp/escaped"), O_CREAT | O_WRONLY, 0644)) == EACCES,
		     "hostfs_escape_create_through_link", "errno %d", errno);
	check(ERR(mkdir(at("esc_rel/escaped"), 0755)) == EACCES, "hostfs_escape_mkdir_through_link", "errno %d",
		     errno);
	check(ERR(stat(at("sub/up2"), &st)) == EACCES, "hostfs_escape_sub_dotdot2", "errno %d", errno);
	/* ".." past the mount's root is the guest's own parent directory, never the host's. */
	char up[600];
	snprintf(up, sizeof up, "%s/sub/../../../../../../../../hostfs_escape_probe", dir);
	int fd = open(up, O_CREAT | O_WRONLY, 0644);
	check(fd >= 0 || errno == EACCES || errno == EROFS, "hostfs_dotdot_chain", "errno %d", errno);
	if (fd >= 0) {
		close(fd);
		unlink(up);
	}
	check(ERR(rename(at("created.txt"), "/hostfs_exdev")) == EXDEV, "hostfs_rename_exdev", "errno %d", errno);
}

static void read_only(void)
{
	struct stat st;
	check(file_is(at("input.txt"), "host data\n"), "hostfs_ro_read", "errno %d", errno);
	check(ERR(open(at("new.txt"), O_CREAT | O_WRONLY, 0644)) == EROFS, "hostfs_ro_create_erofs", "errno %d", errno);
	check(ERR(open(at("input.txt"), O_WRONLY)) == EROFS, "hostfs_ro_open_write_erofs", "errno %d", errno);
	check(ERR(open(at("input.txt"), O_RDONLY | O_TRUNC)) == EROFS, "hostfs_ro_trunc_erofs", "errno %d", errno);
	check(ERR(truncate(at("input.txt"), 1)) == EROFS, "hostfs_ro_truncate_erofs", "errno %d", errno);
	check(ERR(unlink(at("input.txt"))) == EROFS, "hostfs_ro_unlink_erofs", "errno %d", errno);
	check(ERR(mkdir(at("newdir"), 0755)) == EROFS, "hostfs_ro_mkdir_erofs", "errno %d", errno);
	check(ERR(rmdir(at("emptydir"))) == EROFS, "hostfs_ro_rmdir_erofs", "errno %d", errno);
	check(ERR(rename(at("input.txt"), at("other.txt"))) == EROFS, "hostfs_ro_rename_erofs", "errno %d", errno);
	check(ERR(symlink("input.txt", at("l"))) == EROFS, "hostfs_ro_symlink_erofs", "errno %d", errno);
	check(ERR(chmod(at("input.txt"), 0600)) == EROFS, "hostfs_ro_chmod_erofs", "errno %d", errno);
	check(ERR(access(at("input.txt"), W_OK)) == EROFS, "hostfs_ro_access_erofs", "errno %d", errno);
	check(stat(at("input.txt"), &st) == 0 && st.st_size == 10 && st.st_uid == 0, "hostfs_ro_stat", "size %lld uid %d",
	      (long long)st.st_size, (int)st.st_uid);
	int fd = open(at("input.txt"), O_RDONLY);
	check(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EACCES,
	      "hostfs_ro_mmap_shared_write_eacces", "errno %d", errno);
	volatile char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (check(p != MAP_FAILED && p[0] == 'h', "hostfs_ro_mmap_private", "errno %d", errno)) {
		p[0] = 'H';
		munmap((void *)p, PAGE);
	}
	close(fd);
	check(file_is(at("input.txt"), "host data\n"), "hostfs_ro_unchanged", "");
}

/* Mode "big": DIR/big.bin, larger than the guest's RAM, written page by page through
 * MAP_SHARED: reclaim must write dirty pages back before dropping them, so reading the
 * mapping again (pages faulted back in from the host) finds every store. */
static void big_mapping(void)
{
	int fd = open(at("big.bin"), O_RDWR);
	struct stat st;
	if (!check(fd >= 0 && fstat(fd, &st) == 0, "hostfs_big_open", "errno %d", errno))
		return;
	long pages = (long)(st.st_size / PAGE);
	volatile unsigned char *m = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!check(m != MAP_FAILED, "hostfs_big_mmap", "errno %d", errno))
		return;
	for (long i = 0; i < pages; i++)
		m[i * PAGE] = (unsigned char)(i * 7 + 1);
	long bad = -1;
	for (long i = 0; i < pages && bad < 0; i++)
		if (m[i * PAGE] != (unsigned char)(i * 7 + 1))
			bad = i;
	check(bad < 0, "hostfs_big_stores_survive_reclaim", "page %ld", bad);
	munmap((void *)m, pages * PAGE);
	close(fd);
}

int main(int argc, char **argv)
{
	umask(022);
	if (argc > 2 && strcmp(argv[2], "big") == 0) {
		snprintf(dir, sizeof dir, "%s", argv[1]);
		big_mapping();
		return check_result();
	}
	if (argc > 2 && strcmp(argv[2], "ro") == 0) {
		snprintf(dir, sizeof dir, "%s", argv[1]);
		read_only();
		return check_result();
	}
	int mounted = argc > 1;
	if (mounted)
		snprintf(dir, sizeof dir, "%s", argv[1]);
	else
		snprintf(dir, sizeof dir, "/tmp/vmalab-hostfs-%d", (int)getpid());
	if (!mounted && !check(mkdir(dir, 0755) == 0, "hostfs_scratch_dir", "errno %d", errno))
		return check_result();
	cleanup();
	basic_files();
	mappings();
	if (mounted)
		escapes();
	if (mounted) {
		/* Leave created.txt, renamed.txt, link and mapped.bin for the host side; remove the rest. */
		static const char *extra[] = { "trunc.txt", "loop1", "loop2", "esc_root", "esc_abs", "esc_rel",
					       "inside",    "sub/up", "sub/up2" };
		for (unsigned i = 0; i < sizeof extra / sizeof extra[0]; i++)
			unlink(at(extra[i]));
		rmdir(at("sub/deeper"));
		check(rmdir(at("sub")) == 0, "hostfs_rmdir", "errno %d", errno);
	} else {
		cleanup();
		check(rmdir(dir) == 0, "hostfs_rmdir", "errno %d", errno);
	}
	return check_result();
}
