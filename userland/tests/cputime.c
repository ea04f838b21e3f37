/* CPU time is accounted: a process that computes for 30 ms of CPU time sees it
 * in clock_gettime(CLOCK_PROCESS_CPUTIME_ID), times(), getrusage() and
 * /proc/self/stat, and its parent sees the child's in cutime after wait. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "procfs.h"

static long cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Computes until the process has used ms of CPU time; returns something the compiler cannot drop. */
static unsigned spin(long ms)
{
	volatile unsigned x = 1;
	long start = cpu_ms();
	while (cpu_ms() - start < ms)
		for (int i = 0; i < 10000; i++)
			x = x * 1103515245u + 12345u;
	return x;
}

/* Field n (1-based) of /proc/self/stat, after the command name. */
static long stat_field(int n)
{
	char buf[1024];
	if (read_text("/proc/self/stat", buf, sizeof buf) < 0)
		return -1;
	char *p = strrchr(buf, ')');
	for (int f = 2; p && f < n; f++)
		p = strchr(p + 1, ' ');
	return p ? strtol(p + 1, NULL, 10) : -1;
}

int main(void)
{
	long hz = sysconf(_SC_CLK_TCK);
	spin(30);
	struct tms t;
	times(&t);
	check(t.tms_utime >= 1 && t.tms_utime <= hz, "times_utime", "tms_utime %ld ticks after 30 ms of work",
	      (long)t.tms_utime);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	long us = ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec;
	check(us >= 10000 && us < 1000000, "rusage_utime", "ru_utime %ld us after 30 ms of work", us);
	check(stat_field(14) >= 1, "proc_stat_utime", "/proc/self/stat utime %ld", stat_field(14));
	pid_t pid = fork();
	if (pid == 0)
		_exit(spin(30) == 0);
	int st;
	waitpid(pid, &st, 0);
	times(&t);
	check(t.tms_cutime >= 1, "times_cutime", "tms_cutime %ld after a child's 30 ms", (long)t.tms_cutime);
	return check_result();
}
