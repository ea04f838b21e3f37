/* ps: list processes from /proc/<pid>/stat and /proc/<pid>/cmdline:
 *   PID  PPID STAT     TIME CMD */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t len = 0;
	ssize_t n;
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	return (ssize_t)len;
}

static int by_pid(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void show(int pid, long ticks_per_sec)
{
	char path[64], stat[1024], cmd[4096];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if (read_file(path, stat, sizeof stat) <= 0)
		return; /* exited meanwhile */
	/* "pid (comm) S ppid ..." where comm may contain spaces and parentheses. */
	char *open_paren = strchr(stat, '('), *close_paren = strrchr(stat, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return;
	*close_paren = 0;
	const char *comm = open_paren + 1;
	char state = '?';
	int ppid = 0;
	unsigned long long utime = 0, stime = 0;
	/* Fields after comm: 3 state, 4 ppid, 5..13, 14 utime, 15 stime. */
	char *p = close_paren + 1;
	int field = 3;
	for (char *tok = strtok(p, " "); tok; tok = strtok(NULL, " "), field++) {
		if (field == 3)
			state = tok[0];
		else if (field == 4)
			ppid = atoi(tok);
		else if (field == 14)
			utime = strtoull(tok, NULL, 10);
		else if (field == 15) {
			stime = strtoull(tok, NULL, 10);
			break;
		}
	}
	snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
	ssize_t n = read_file(path, cmd, sizeof cmd);
	if (n > 0) {
		while (n > 0 && cmd[n - 1] == 0)
			n--;
		for (ssize_t i = 0; i < n; i++)
			if (cmd[i] == 0 || cmd[i] == '\n')
				cmd[i] = ' ';
		cmd[n] = 0;
	} else {
		snprintf(cmd, sizeof cmd, "[%s]", comm);
	}
	unsigned long long secs = (utime + stime) / (unsigned long long)ticks_per_sec;
	printf("%5d %5d %c    %5llu:%02llu %s\n", pid, ppid, state, secs / 60, secs % 60, cmd);
}

int main(void)
{
	DIR *d = opendir("/proc");
	if (!d) {
		perror("ps: /proc");
		return 1;
	}
	int *pids = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 128;
			pids = realloc(pids, cap * sizeof *pids);
			if (!pids) {
				fputs("ps: out of memory\n", stderr);
				return 1;
			}
		}
		pids[n++] = atoi(de->d_name);
	}
	closedir(d);
	qsort(pids, n, sizeof *pids, by_pid);
	long hz = sysconf(_SC_CLK_TCK);
	puts("  PID  PPID STAT     TIME CMD");
	for (size_t i = 0; i < n; i++)
		show(pids[i], hz > 0 ? hz : 100);
	free(pids);
	return 0;
}
