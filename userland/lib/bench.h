/* Shared plumbing of the benchmark programs in userland/bench: option parsing,
 * the monotonic clock and the one result-line format (see bench/README.md):
 *   bench <name> <param> ops=<n> ns=<total> ns_per_op=<x> [key=value...] */
#ifndef VMALAB_BENCH_H
#define VMALAB_BENCH_H

struct bench_args {
	long n;       /* -n: iterations */
	long ms;      /* -t: duration in milliseconds, for the timed loops */
	int flag;     /* a program-specific single-letter flag was given */
	char **rest;  /* positional arguments */
	int nrest;
};

/* Parses [-n N] [-t MS] [-<flag>] [args...]; exits with a usage line on bad input. */
void bench_parse(int argc, char **argv, long default_n, long default_ms, char flag, const char *usage,
		 struct bench_args *out);

/* CLOCK_MONOTONIC in nanoseconds. */
long long now_ns(void);

/* Prints one result line; extra may be NULL or " key=value..." (with leading space). */
void bench_report(const char *name, const char *param, long ops, long long ns, const char *extra);

/* Prints "bench <name> <param> error=<what>" and exits 1. */
void bench_fail(const char *name, const char *param, const char *what) __attribute__((noreturn));

/* fork + _exit(0) in the child + waitpid; returns 0, or -1 if fork or the child failed. */
int fork_exit_wait(void);

/* Path of a file beside this program: dirname(argv0) + "/" + rel, in a static buffer. */
const char *beside(const char *argv0, const char *rel);

#endif
