/* Builtins that must run inside the shell: cd, pwd, exit, export, unset, wait,
 * exec, plus :, true and false. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

static int b_cd(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : var_get("HOME");
	int print = 0;
	if (!dir) {
		fputs("sh: cd: HOME not set\n", stderr);
		return 1;
	}
	if (strcmp(dir, "-") == 0) {
		dir = var_get("OLDPWD");
		if (!dir) {
			fputs("sh: cd: OLDPWD not set\n", stderr);
			return 1;
		}
		print = 1;
	}
	char old[PATH_MAX];
	if (!getcwd(old, sizeof old))
		old[0] = 0;
	if (chdir(dir) != 0) {
		fprintf(stderr, "sh: cd: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	char cwd[PATH_MAX];
	if (old[0])
		var_set("OLDPWD", old, 0);
	if (getcwd(cwd, sizeof cwd)) {
		var_set("PWD", cwd, 0);
		if (print)
			printf("%s\n", cwd);
	}
	return 0;
}

static int b_pwd(int argc, char **argv)
{
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof cwd)) {
		fprintf(stderr, "sh: pwd: %s\n", strerror(errno));
		return 1;
	}
	printf("%s\n", cwd);
	return 0;
}

static int b_exit(int argc, char **argv)
{
	int st = sh.status;
	if (argc > 1) {
		char *end;
		long n = strtol(argv[1], &end, 10);
		if (*end || end == argv[1]) {
			fprintf(stderr, "sh: exit: %s: numeric argument required\n", argv[1]);
			st = 2;
		} else {
			st = (int)(n & 255);
		}
	}
	sh.exit_requested = 1;
	sh.status = st;
	return st;
}

static int b_export(int argc, char **argv)
{
	if (argc == 1) {
		vars_print_exported();
		return 0;
	}
	int st = 0;
	for (int i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t n = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
		if (!valid_name(argv[i], n)) {
			fprintf(stderr, "sh: export: '%s': not a valid identifier\n", argv[i]);
			st = 1;
			continue;
		}
		if (eq)
			var_set(sdup(argv[i], n), eq + 1, 1);
		else
			var_export(argv[i]);
	}
	return st;
}

static int b_unset(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		var_unset(argv[i]);
	return 0;
}

static int b_wait(int argc, char **argv)
{
	if (argc == 1)
		return jobs_wait(0);
	int st = 0;
	for (int i = 1; i < argc; i++) {
		char *end;
		long pid = strtol(argv[i], &end, 10);
		if (*end || pid <= 0) {
			fprintf(stderr, "sh: wait: %s: not a pid\n", argv[i]);
			st = 2;
			continue;
		}
		st = jobs_wait((pid_t)pid);
	}
	return st;
}

static int b_exec(int argc, char **argv)
{
	if (argc == 1)
		return 0; /* redirections alone: already applied, and kept */
	fflush(stdout);
	int st = exec_command(argv + 1, vars_environ(NULL, 0));
	sh.exit_requested = 1;
	return st;
}

static int b_true(int argc, char **argv)
{
	return 0;
}

static int b_false(int argc, char **argv)
{
	return 1;
}

static const struct {
	const char *name;
	builtin_fn fn;
} builtins[] = {
	{":", b_true},       {"cd", b_cd},     {"exec", b_exec},   {"exit", b_exit},
	{"export", b_export}, {"false", b_false}, {"pwd", b_pwd},   {"true", b_true},
	{"unset", b_unset},  {"wait", b_wait},
};

builtin_fn find_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
		if (strcmp(builtins[i].name, name) == 0)
			return builtins[i].fn;
	return NULL;
}
