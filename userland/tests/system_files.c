/* What busybox's df, mount, top, dmesg and ls -l /proc/self/fd read: statfs
 * and statfs64, /proc/mounts, /proc/stat, /proc/cpuinfo, /proc/PID/fd and the
 * kernel log through syslog(2), in Linux's formats. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "procfs.h"

#define PROC_SUPER_MAGIC 0x9fa0
#define TMPFS_MAGIC 0x01021994

static char buf[65536];

/* The line of text holding needle, copied into out; 0 when found. */
static int line_with(const char *text, const char *needle, char *out, size_t size)
{
	const char *p = strstr(text, needle);
	if (!p)
		return -1;
	while (p > text && p[-1] != '\n')
		p--;
	size_t n = strcspn(p, "\n");
	if (n >= size)
		n = size - 1;
	memcpy(out, p, n);
	out[n] = 0;
	return 0;
}

static void test_statfs(void)
{
	struct statfs s, f;
	check(statfs("/proc", &s) == 0 && s.f_type == PROC_SUPER_MAGIC, "statfs_proc_magic", "type %#lx", (unsigned long)s.f_type);
	int r = statfs("/tmp", &s);
	check(r == 0 && s.f_bsize > 0 && s.f_namelen == 255, "statfs_tmp", "r %d bsize %ld namelen %ld", r, (long)s.f_bsize, (long)s.f_namelen);
	check_vmalab(s.f_type == TMPFS_MAGIC && s.f_blocks > 0 && s.f_bfree <= s.f_blocks && s.f_bsize == 4096,
		     "statfs_tmpfs_sizes", "type %#lx blocks %llu free %llu", (unsigned long)s.f_type,
		     (unsigned long long)s.f_blocks, (unsigned long long)s.f_bfree);
	int fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	r = fstatfs(fd, &f);
	check(r == 0 && f.f_type == s.f_type && f.f_blocks == s.f_blocks, "fstatfs_same_fs", "r %d", r);
	close(fd);
	errno = 0;
	check(statfs("/nonexistent/x", &s) == -1 && errno == ENOENT, "statfs_enoent", "errno %d", errno);
	errno = 0;
	long rr = syscall(SYS_statfs64, "/", 10, &s);
	check(rr == -1 && errno == EINVAL, "statfs64_bad_size_einval", "r %ld errno %d", rr, errno);
}

static void test_mounts(void)
{
	char line[512];
	check(read_text("/proc/mounts", buf, sizeof buf) > 0 && line_with(buf, " /proc proc ", line, sizeof line) == 0,
	      "mounts_proc_line", "%s", buf);
	char self[64];
	snprintf(self, sizeof self, "/proc/%d/mounts", getpid());
	static char own[65536];
	check(read_text(self, own, sizeof own) > 0 && strcmp(own, buf) == 0, "mounts_pid_same", "%s", own);
	check_vmalab(line_with(buf, "rootfs / rootfs rw 0 0", line, sizeof line) == 0 &&
		     line_with(buf, "tmpfs /tmp tmpfs rw,size=", line, sizeof line) == 0, "mounts_vmalab_lines", "%s", buf);
}

static void test_stat(void)
{
	unsigned long long v[4];
	check(read_text("/proc/stat", buf, sizeof buf) > 0 &&
	      sscanf(buf, "cpu  %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3]) == 4, "stat_cpu_line", "%.80s", buf);
	int all = 1;
	for (const char *k = "\nctxt \0\nbtime \0\nprocesses \0\nprocs_running \0\nprocs_blocked \0\nintr \0"; *k; k += strlen(k) + 1)
		all &= strstr(buf, k) != NULL;
	check(all, "stat_fields", "%s", buf);
	/* Every cycle is user, system or idle: the ticks add up to the uptime. */
	double up;
	char ubuf[64];
	read_text("/proc/uptime", ubuf, sizeof ubuf);
	sscanf(ubuf, "%lf", &up);
	double sum = (v[0] + v[1] + v[2] + v[3]) / 100.0;
	check_vmalab(sum <= up + 0.02 && sum >= up - 0.05, "stat_ticks_add_up", "sum %.2f uptime %.2f", sum, up);
	unsigned long long p1 = 0, p2 = 0;
	sscanf(strstr(buf, "\nprocesses ") + 1, "processes %llu", &p1);
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	while (wait(NULL) != c)
		;
	read_text("/proc/stat", buf, sizeof buf);
	sscanf(strstr(buf, "\nprocesses ") + 1, "processes %llu", &p2);
	check(p2 >= p1 + 1, "stat_processes_counts_forks", "%llu -> %llu", p1, p2);
}

static void test_cpuinfo(void)
{
	char line[512];
	check(read_text("/proc/cpuinfo", buf, sizeof buf) > 0 && strncmp(buf, "processor\t: 0\n", 14) == 0 &&
	      line_with(buf, "flags\t\t: ", line, sizeof line) == 0 && strstr(line, "fpu") != NULL,
	      "cpuinfo_format", "%.200s", buf);
	check_vmalab(line_with(buf, "flags\t\t: ", line, sizeof line) == 0 && strcmp(line, "flags\t\t: fpu pse tsc cx8 cmov") == 0 &&
		     strstr(buf, "model name\t: Pentium Pro\n") && strstr(buf, "cpu family\t: 6\n"), "cpuinfo_vmalab_cpu", "%s", buf);
}

static void test_fd_links(void)
{
	char path[64], target[256];
	int fd = open("/etc/passwd", O_RDONLY);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, target, sizeof target - 1);
	target[n > 0 ? n : 0] = 0;
	check(n > 0 && strcmp(target, "/etc/passwd") == 0, "fd_link_names_file", "'%s'", target);
	int p[2];
	pipe(p);
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
	n = readlink(path, target, sizeof target - 1);
	target[n > 0 ? n : 0] = 0;
	check(n > 0 && strncmp(target, "pipe:[", 6) == 0, "fd_link_pipe", "'%s'", target);
	close(p[0]);
	close(p[1]);
	errno = 0;
	check(readlink(path, target, sizeof target) == -1 && errno == ENOENT, "fd_link_closed_enoent", "errno %d", errno);
	close(fd);
}

static void test_syslog(void)
{
	int size = klogctl(10, NULL, 0);
	check_vmalab(size == 16384, "syslog_size_buffer", "%d", size);
	int n = klogctl(3, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	check_vmalab(n > 0 && strncmp(buf, "<6>[", 4) == 0 && strstr(buf, "] vmalab: ") != NULL, "syslog_read_all", "%d '%.80s'", n, buf);
	errno = 0;
	check_vmalab(klogctl(99, buf, 10) == -1 && errno == EINVAL, "syslog_bad_type_einval", "errno %d", errno);
	if (on_vmalab() && getuid() == 0) {
		/* READ consumes: what is unread now is read once (a second run of this program finds nothing unread). */
		int unread = klogctl(9, NULL, 0);
		int got = unread > 0 ? klogctl(2, buf, sizeof buf) : 0;
		check(got == unread && klogctl(9, NULL, 0) == 0 && klogctl(3, buf, sizeof buf) == n, "syslog_read_consumes",
		      "unread %d got %d", unread, got);
	}
}

int main(void)
{
	test_statfs();
	test_mounts();
	test_stat();
	test_cpuinfo();
	test_fd_links();
	test_syslog();
	return check_result();
}
