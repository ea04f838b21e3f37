/* sh [-c COMMAND [NAME [ARG...]] | FILE [ARG...]]: read, parse and run commands.
 * Interactive on a terminal: prompt "# " (root) or "$ ", job control with one
 * process group per job, ^C interrupts the job and not the shell. A login shell
 * (argv[0] starting with '-') first runs /etc/profile. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

struct shell sh;

struct source {
	const char *text; /* whole input (-c or a file), or NULL to read fd */
	size_t pos;
	int fd;
};

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	interrupted = 1;
}

/* Growing line buffer (malloc'd; the arena is reset between commands). */
struct line {
	char *s;
	size_t len, cap;
};

static void line_add(struct line *l, char c)
{
	if (l->len + 2 > l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->s = realloc(l->s, l->cap);
		if (!l->s) {
			fputs("sh: out of memory\n", stderr);
			exit(2);
		}
	}
	l->s[l->len++] = c;
	l->s[l->len] = 0;
}

/* Appends one input line (with its newline) to l. Returns 0 at end of input,
 * -1 when interrupted by ^C. Reads one byte at a time from a descriptor so that
 * commands started by the shell see the rest of the input. */
static int read_line(struct source *src, struct line *l)
{
	if (src->text) {
		if (!src->text[src->pos])
			return 0;
		while (src->text[src->pos] && src->text[src->pos] != '\n')
			line_add(l, src->text[src->pos++]);
		if (src->text[src->pos])
			src->pos++;
		line_add(l, '\n');
		return 1;
	}
	size_t start = l->len;
	for (;;) {
		char c;
		ssize_t n = read(src->fd, &c, 1);
		if (n < 0 && errno == EINTR) {
			if (interrupted)
				return -1;
			continue;
		}
		if (n <= 0) {
			if (l->len == start)
				return 0;
			line_add(l, '\n');
			return 1;
		}
		line_add(l, c);
		if (c == '\n')
			return 1;
	}
}

/* Reads, parses and runs commands from src until its end or exit. */
static void run_source(struct source *src, int prompt)
{
	struct line text = {0};
	for (;;) {
		if (prompt) {
			jobs_reap(1);
			fputs(text.len ? "> " : (geteuid() == 0 ? "# " : "$ "), stderr);
		}
		interrupted = 0;
		int r = read_line(src, &text);
		if (r < 0) {
			fputc('\n', stderr);
			text.len = 0;
			sh.status = 130;
			continue;
		}
		if (r == 0) {
			if (text.len) {
				fputs("sh: syntax error: unexpected end of file\n", stderr);
				sh.status = 2;
			}
			if (prompt)
				fputc('\n', stderr);
			break;
		}
		struct item *list;
		enum parse_result pr = parse(text.s, &list);
		if (pr == PARSE_INCOMPLETE)
			continue;
		text.len = 0;
		if (pr == PARSE_ERROR) {
			sh.status = 2;
			arena_reset();
			if (!prompt)
				break;
			continue;
		}
		run_list(list);
		arena_reset();
		if (sh.exit_requested)
			break;
	}
	free(text.s);
}

static char *read_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct line l = {0};
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		for (ssize_t i = 0; i < n; i++)
			line_add(&l, buf[i]);
	close(fd);
	if (!l.s)
		line_add(&l, 0);
	return l.s;
}

int run_file(const char *path)
{
	char *text = read_file(path);
	if (!text)
		return -1;
	struct source src = {.text = text};
	run_source(&src, 0);
	free(text);
	return 0;
}

static void setup_job_control(void)
{
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	struct sigaction sa = {0};
	sa.sa_handler = on_sigint; /* no SA_RESTART: ^C ends the read of a line */
	sigaction(SIGINT, &sa, NULL);
	sh.pgid = getpid();
	if (getpgrp() != sh.pgid && setpgid(0, 0) != 0)
		return;
	if (tcsetpgrp(0, sh.pgid) == 0)
		sh.jobctl = 1;
}

int main(int argc, char **argv)
{
	extern char **environ;
	vars_init(environ);
	sh.pid = getpid();
	sh.arg0 = argv[0];
	int login = argv[0][0] == '-';

	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		if (argc > 3) {
			sh.arg0 = argv[3];
			sh.args = argv + 4;
			sh.nargs = argc - 4;
		}
		struct source src = {.text = argv[2]};
		run_source(&src, 0);
		fflush(stdout);
		return sh.status;
	}
	if (argc == 2 && strcmp(argv[1], "-c") == 0) {
		fputs("sh: -c: option requires an argument\n", stderr);
		return 2;
	}
	if (argc > 1) {
		sh.arg0 = argv[1];
		sh.args = argv + 2;
		sh.nargs = argc - 2;
		if (run_file(argv[1]) != 0) {
			fprintf(stderr, "sh: %s: %s\n", argv[1], strerror(errno));
			return 127;
		}
		fflush(stdout);
		return sh.status;
	}

	sh.interactive = isatty(0) && isatty(2);
	if (sh.interactive)
		setup_job_control();
	if (login) {
		run_file("/etc/profile");
		if (sh.exit_requested)
			return sh.status;
	}
	struct source src = {.fd = 0};
	run_source(&src, sh.interactive);
	fflush(stdout);
	return sh.status;
}
