#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long number(const char *s, const char *usage)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || end == s || v <= 0) {
		fprintf(stderr, "usage: %s\n", usage);
		exit(2);
	}
	return v;
}

void bench_parse(int argc, char **argv, long default_n, long default_ms, char flag, const char *usage,
		 struct bench_args *out)
{
	out->n = default_n;
	out->ms = default_ms;
	out->flag = 0;
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			out->n = number(argv[++i], usage);
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			out->ms = number(argv[++i], usage);
		else if (flag && argv[i][1] == flag && !argv[i][2])
			out->flag = 1;
		else {
			fprintf(stderr, "usage: %s\n", usage);
			exit(2);
		}
	}
	out->rest = argv + i;
	out->nrest = argc - i;
}

long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void bench_report(const char *name, const char *param, long ops, long long ns, const char *extra)
{
	char line[512];
	int n = snprintf(line, sizeof line, "bench %s %s ops=%ld ns=%lld ns_per_op=%lld%s\n", name, param, ops, ns,
			 ops > 0 ? ns / ops : 0, extra ? extra : "");
	(void)!write(1, line, n < (int)sizeof line ? n : (int)sizeof line - 1);
}

void bench_fail(const char *name, const char *param, const char *what)
{
	char line[512];
	int n = snprintf(line, sizeof line, "bench %s %s error=%s\n", name, param, what);
	(void)!write(1, line, n < (int)sizeof line ? n : (int)sizeof line - 1);
	exit(1);
}

int fork_exit_wait(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(0);
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return 0;
}

const char *beside(const char *argv0, const char *rel)
{
	static char path[4096];
	const char *slash = strrchr(argv0, '/');
	int dlen = slash ? (int)(slash - argv0) : 1;
	snprintf(path, sizeof path, "%.*s/%s", dlen, slash ? argv0 : ".", rel);
	return path;
}
