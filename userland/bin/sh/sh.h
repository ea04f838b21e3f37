/* sh: a small POSIX-style shell. Shared types and the interfaces between its parts:
 * lex/parse (text -> syntax tree), expand (words -> fields), exec (run the tree),
 * builtins, vars (shell and environment variables), jobs (background jobs). */
#ifndef VMALAB_SH_H
#define VMALAB_SH_H

#include <stddef.h>
#include <sys/types.h>

/* ---- arena: all syntax-tree and expansion memory of one command line ---- */
void *salloc(size_t n);
char *sdup(const char *s, size_t n);
void arena_reset(void);

/* ---- syntax tree ---- */
enum redir_kind { R_IN, R_OUT, R_APPEND, R_DUP };

struct redir {
	int fd;           /* descriptor being redirected */
	enum redir_kind kind;
	const char *word; /* raw (unexpanded) target word */
	struct redir *next;
};

struct command {
	const char **words; /* raw words, NULL-terminated */
	int nwords;
	struct redir *redirs;
	struct command *next; /* next command of the pipeline */
};

struct pipeline {
	struct command *cmds;
	int ncmds;
	int negate;
};

enum andor_op { OP_NONE, OP_AND, OP_OR };

struct andor {
	struct pipeline *pl;
	enum andor_op op; /* how the next element is connected to this one */
	struct andor *next;
};

struct item {
	struct andor *ao;
	int background;
	const char *text; /* source text of the item, for job messages */
	struct item *next;
};

enum parse_result { PARSE_OK, PARSE_INCOMPLETE, PARSE_ERROR };

/* Parses a complete command text. On PARSE_OK *out is the list (maybe empty);
 * PARSE_INCOMPLETE means more lines are needed (open quote, trailing | && ||);
 * PARSE_ERROR has printed a message. Memory comes from the arena. */
enum parse_result parse(const char *text, struct item **out);

/* ---- expansion ---- */
/* Expands a raw word into fields ($VAR, ${VAR}, $?, $$, $!, $#, $0-$9, $@, ~,
 * quotes, backslashes, field splitting of unquoted expansions, globbing).
 * Appends to the argv array and its count (arena memory). */
void expand_fields(const char *raw, const char ***argv, int *argc, int *cap);
/* Expands a raw word into a single string without splitting or globbing. */
char *expand_one(const char *raw);
/* Length of a leading NAME= in a raw word (0 if it is not an assignment). */
size_t assignment_len(const char *raw);

/* ---- variables ---- */
void vars_init(char **environ);
const char *var_get(const char *name);
void var_set(const char *name, const char *value, int export);
void var_unset(const char *name);
void var_export(const char *name);
/* Environment for execve: exported variables plus extra NAME=VALUE strings (arena). */
char **vars_environ(const char **extra, int nextra);
void vars_print_exported(void);
int valid_name(const char *s, size_t n);

/* ---- shell state ---- */
struct shell {
	int interactive;
	int jobctl;        /* job control: process groups and the terminal's foreground group */
	pid_t pgid;        /* the shell's own process group */
	int status;        /* $? */
	pid_t last_bg;     /* $! */
	pid_t pid;         /* $$ */
	const char *arg0;  /* $0 */
	char **args;       /* $1... */
	int nargs;
	int exit_requested;
	int in_child;      /* running in a forked subshell */
};
extern struct shell sh;

/* ---- execution ---- */
/* Runs a parsed list; sets sh.status. */
void run_list(struct item *list);
/* Runs a file's commands in the current shell; returns -1 if it cannot be read. */
int run_file(const char *path);
/* Replaces the process image with argv[0] (PATH search); returns only on failure,
 * with the exit status to use (126/127) after printing a message. */
int exec_command(char **argv, char **envp);
/* Applies redirections; if saved is non-NULL the previous descriptors are kept there
 * for restore_redirs. Returns 0, or -1 after printing a message. */
struct saved_fd {
	int fd, copy;
};
int apply_redirs(struct redir *r, struct saved_fd *saved, int *nsaved, int max);
void restore_redirs(struct saved_fd *saved, int nsaved);

/* ---- builtins ---- */
typedef int (*builtin_fn)(int argc, char **argv);
builtin_fn find_builtin(const char *name);

/* ---- jobs ---- */
void job_add(pid_t pgid, const pid_t *pids, int npids, const char *text);
/* Collects finished background children without blocking; prints "Done" lines if report. */
void jobs_reap(int report);
/* Waits for all jobs (pid 0) or the job containing pid; returns its status, 127 if unknown. */
int jobs_wait(pid_t pid);
/* Exit status encoding of a wait status: code, or 128+signal. */
int status_of(int wstatus);

#endif
