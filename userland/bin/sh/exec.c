/* Running the syntax tree: lists, and-or chains, pipelines in their own process
 * group (given the terminal while in the foreground), redirections, PATH search. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sh.h"
#include "signames.h"

int status_of(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 128 + WSTOPSIG(wstatus);
}

static int open_target(const struct redir *r, const char *path)
{
	int flags = r->kind == R_IN ? O_RDONLY : r->kind == R_OUT ? O_WRONLY | O_CREAT | O_TRUNC
		  : O_WRONLY | O_CREAT | O_APPEND;
	int fd = open(path, flags, 0666);
	if (fd < 0)
		fprintf(stderr, "sh: %s: %s\n", path, strerror(errno));
	return fd;
}

int apply_redirs(struct redir *r, struct saved_fd *saved, int *nsaved, int max)
{
	for (; r; r = r->next) {
		char *target = expand_one(r->word);
		int src;
		if (r->kind == R_DUP) {
			if (strcmp(target, "-") == 0) {
				src = -1;
			} else {
				char *end;
				long n = strtol(target, &end, 10);
				if (*end || end == target || n < 0 || fcntl((int)n, F_GETFD) < 0) {
					fprintf(stderr, "sh: %s: bad file descriptor\n", target);
					return -1;
				}
				src = (int)n;
			}
		} else {
			src = open_target(r, target);
			if (src < 0)
				return -1;
		}
		if (saved && *nsaved < max) {
			saved[*nsaved].fd = r->fd;
			saved[*nsaved].copy = fcntl(r->fd, F_DUPFD_CLOEXEC, 10);
			(*nsaved)++;
		}
		if (src < 0) {
			close(r->fd);
		} else if (src != r->fd) {
			dup2(src, r->fd);
			if (r->kind != R_DUP)
				close(src);
		}
	}
	return 0;
}

void restore_redirs(struct saved_fd *saved, int nsaved)
{
	while (nsaved-- > 0) {
		if (saved[nsaved].copy >= 0) {
			dup2(saved[nsaved].copy, saved[nsaved].fd);
			close(saved[nsaved].copy);
		} else {
			close(saved[nsaved].fd);
		}
	}
}

int exec_command(char **argv, char **envp)
{
	const char *name = argv[0];
	int err = ENOENT;
	if (strchr(name, '/')) {
		execve(name, argv, envp);
		err = errno;
	} else {
		const char *path = var_get("PATH");
		if (!path)
			path = "/bin:/sbin";
		while (1) {
			const char *colon = strchr(path, ':');
			size_t dlen = colon ? (size_t)(colon - path) : strlen(path);
			char full[4096];
			if (snprintf(full, sizeof full, "%.*s%s%s", (int)dlen, path, dlen ? "/" : "", name) <
			    (int)sizeof full) {
				execve(full, argv, envp);
				if (errno == ENOEXEC) {
					err = ENOEXEC;
					name = sdup(full, strlen(full));
					break;
				}
				if (errno != ENOENT && errno != ENOTDIR)
					err = errno;
			}
			if (!colon)
				break;
			path = colon + 1;
		}
	}
	if (err == ENOEXEC) {
		/* A text file without "#!": run it as a script of this shell. */
		int n = 0;
		while (argv[n])
			n++;
		char **sargv = salloc((n + 2) * sizeof *sargv);
		sargv[0] = "sh";
		sargv[1] = (char *)name;
		memcpy(sargv + 2, argv + 1, n * sizeof *sargv);
		execve("/bin/sh", sargv, envp);
		err = errno;
	}
	if (err == ENOENT) {
		fprintf(stderr, "sh: %s: not found\n", argv[0]);
		return 127;
	}
	fprintf(stderr, "sh: %s: %s\n", argv[0], strerror(err));
	return 126;
}

/* Words of a command expanded: leading NAME=VALUE words go to *assigns. */
struct expanded {
	const char **argv;
	int argc;
	const char **assigns;
	int nassigns;
};

static void expand_command(const struct command *c, struct expanded *e)
{
	int cap = 0, i = 0;
	e->argv = NULL;
	e->argc = 0;
	e->assigns = salloc((c->nwords + 1) * sizeof *e->assigns);
	e->nassigns = 0;
	for (; i < c->nwords && assignment_len(c->words[i]); i++) {
		size_t n = assignment_len(c->words[i]);
		char *value = expand_one(c->words[i] + n + 1);
		char *s = salloc(n + strlen(value) + 2);
		memcpy(s, c->words[i], n + 1);
		strcpy(s + n + 1, value);
		e->assigns[e->nassigns++] = s;
	}
	for (; i < c->nwords; i++)
		expand_fields(c->words[i], &e->argv, &e->argc, &cap);
	if (!e->argv) {
		e->argv = salloc(sizeof *e->argv);
		e->argv[0] = NULL;
	}
}

static void set_assignments(const struct expanded *e)
{
	for (int i = 0; i < e->nassigns; i++) {
		const char *eq = strchr(e->assigns[i], '=');
		var_set(sdup(e->assigns[i], eq - e->assigns[i]), eq + 1, 0);
	}
}

/* In a forked child: default signal dispositions and the job's process group. */
static void child_setup(pid_t pgid, int foreground)
{
	if (sh.jobctl) {
		setpgid(0, pgid);
		if (foreground)
			tcsetpgrp(0, pgid ? pgid : getpid());
	}
	static const int sigs[] = {SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGCHLD, SIGPIPE};
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], SIG_DFL);
	sh.jobctl = 0;
	sh.interactive = 0;
	sh.in_child = 1;
}

/* Runs one command in the current (child) process and never returns. */
static void run_in_child(const struct command *c)
{
	if (apply_redirs(c->redirs, NULL, NULL, 0) != 0)
		_exit(1);
	struct expanded e;
	expand_command(c, &e);
	if (!e.argc)
		_exit(0);
	builtin_fn b = find_builtin(e.argv[0]);
	if (b) {
		set_assignments(&e);
		int st = b(e.argc, (char **)e.argv);
		fflush(stdout);
		_exit(st);
	}
	_exit(exec_command((char **)e.argv, vars_environ(e.assigns, e.nassigns)));
}

static void report_signal(int wstatus)
{
	if (!WIFSIGNALED(wstatus))
		return;
	int sig = WTERMSIG(wstatus);
	if (sig == SIGINT) {
		if (sh.interactive)
			fputc('\n', stderr);
	} else if (sig != SIGPIPE) {
		fprintf(stderr, "%s%s\n", strsignal(sig), WCOREDUMP(wstatus) ? " (core dumped)" : "");
	}
}

static int wait_pid(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 0;
	return st;
}

static int run_pipeline(struct pipeline *pl, int background, const char *text)
{
	/* A lone builtin (or bare assignment) in the foreground runs inside the shell. */
	if (pl->ncmds == 1 && !background) {
		const struct command *c = pl->cmds;
		struct expanded e;
		expand_command(c, &e);
		builtin_fn b = e.argc ? find_builtin(e.argv[0]) : NULL;
		if (!e.argc || b) {
			struct saved_fd saved[16];
			int nsaved = 0, st = 1;
			if (apply_redirs(c->redirs, saved, &nsaved, 16) == 0) {
				set_assignments(&e);
				st = b ? b(e.argc, (char **)e.argv) : 0;
				fflush(stdout);
			}
			restore_redirs(saved, nsaved);
			return st;
		}
	}

	pid_t pids[64], pgid = 0;
	int npids = 0, in = -1;
	fflush(stdout);
	for (const struct command *c = pl->cmds; c; c = c->next) {
		int fds[2] = {-1, -1};
		if (c->next && pipe(fds) != 0) {
			fprintf(stderr, "sh: pipe: %s\n", strerror(errno));
			break;
		}
		pid_t pid = fork();
		if (pid < 0) {
			fprintf(stderr, "sh: fork: %s\n", strerror(errno));
			if (fds[0] >= 0) {
				close(fds[0]);
				close(fds[1]);
			}
			break;
		}
		if (pid == 0) {
			child_setup(pgid, !background);
			if (background && !sh.jobctl && in < 0 && c == pl->cmds) {
				int null = open("/dev/null", O_RDONLY);
				if (null >= 0 && null != 0) {
					dup2(null, 0);
					close(null);
				}
			}
			if (in >= 0) {
				dup2(in, 0);
				close(in);
			}
			if (fds[1] >= 0) {
				dup2(fds[1], 1);
				close(fds[1]);
				close(fds[0]);
			}
			run_in_child(c);
		}
		if (!pgid)
			pgid = pid;
		if (sh.jobctl)
			setpgid(pid, pgid);
		if (npids < 64)
			pids[npids++] = pid;
		if (in >= 0)
			close(in);
		in = fds[0];
		if (fds[1] >= 0)
			close(fds[1]);
	}
	if (in >= 0)
		close(in);
	if (!npids)
		return 1;
	if (background) {
		sh.last_bg = pids[npids - 1];
		job_add(pgid, pids, npids, text);
		return 0;
	}
	if (sh.jobctl)
		tcsetpgrp(0, pgid);
	int last = 0;
	for (int i = 0; i < npids; i++) {
		int st = wait_pid(pids[i]);
		if (i == npids - 1)
			last = st;
	}
	if (sh.jobctl)
		tcsetpgrp(0, sh.pgid);
	report_signal(last);
	return status_of(last);
}

static int run_andor(struct andor *a, int background, const char *text)
{
	int st = 0;
	for (int run = 1; a; a = a->next) {
		if (run) {
			st = run_pipeline(a->pl, background, text);
			if (a->pl->negate)
				st = !st;
			sh.status = st;
		}
		if (sh.exit_requested)
			break;
		if (a->op == OP_AND)
			run = st == 0;
		else if (a->op == OP_OR)
			run = st != 0;
	}
	return st;
}

void run_list(struct item *list)
{
	for (struct item *it = list; it && !sh.exit_requested; it = it->next) {
		if (it->background && it->ao->next) {
			/* "a && b &": the whole chain runs in a background subshell. */
			fflush(stdout);
			pid_t pid = fork();
			if (pid == 0) {
				child_setup(0, 0);
				_exit(run_andor(it->ao, 0, it->text));
			}
			if (pid > 0) {
				if (sh.jobctl)
					setpgid(pid, pid);
				sh.last_bg = pid;
				job_add(pid, &pid, 1, it->text);
				sh.status = 0;
			} else {
				fprintf(stderr, "sh: fork: %s\n", strerror(errno));
				sh.status = 1;
			}
		} else {
			sh.status = run_andor(it->ao, it->background, it->text);
		}
		jobs_reap(0);
	}
}
