/* Shell variables: a small table of NAME, VALUE and an exported flag. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sh.h"

struct var {
	char *name, *value;
	int exported;
};

static struct var *vars;
static int nvars, capvars;

int valid_name(const char *s, size_t n)
{
	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return 0;
	}
	return 1;
}

static struct var *lookup(const char *name)
{
	for (int i = 0; i < nvars; i++)
		if (strcmp(vars[i].name, name) == 0)
			return &vars[i];
	return NULL;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p) {
		fputs("sh: out of memory\n", stderr);
		exit(2);
	}
	return p;
}

const char *var_get(const char *name)
{
	struct var *v = lookup(name);
	return v ? v->value : NULL;
}

void var_set(const char *name, const char *value, int export)
{
	struct var *v = lookup(name);
	if (!v) {
		if (nvars == capvars) {
			capvars = capvars ? capvars * 2 : 32;
			vars = realloc(vars, capvars * sizeof *vars);
			if (!vars) {
				fputs("sh: out of memory\n", stderr);
				exit(2);
			}
		}
		v = &vars[nvars++];
		v->name = xstrdup(name);
		v->value = NULL;
		v->exported = 0;
	}
	free(v->value);
	v->value = xstrdup(value);
	v->exported |= export;
}

void var_unset(const char *name)
{
	struct var *v = lookup(name);
	if (!v)
		return;
	free(v->name);
	free(v->value);
	*v = vars[--nvars];
}

void var_export(const char *name)
{
	struct var *v = lookup(name);
	if (v)
		v->exported = 1;
	else
		var_set(name, "", 1);
}

void vars_init(char **env)
{
	for (; env && *env; env++) {
		const char *eq = strchr(*env, '=');
		if (!eq || !valid_name(*env, eq - *env))
			continue;
		char *name = sdup(*env, eq - *env);
		var_set(name, eq + 1, 1);
	}
	arena_reset();
}

char **vars_environ(const char **extra, int nextra)
{
	char **envp = salloc((nvars + nextra + 1) * sizeof *envp);
	int n = 0;
	for (int i = 0; i < nvars; i++) {
		if (!vars[i].exported)
			continue;
		int overridden = 0;
		for (int j = 0; j < nextra; j++)
			if (strncmp(extra[j], vars[i].name, strlen(vars[i].name)) == 0 &&
			    extra[j][strlen(vars[i].name)] == '=')
				overridden = 1;
		if (overridden)
			continue;
		size_t ln = strlen(vars[i].name), lv = strlen(vars[i].value);
		char *s = salloc(ln + lv + 2);
		memcpy(s, vars[i].name, ln);
		s[ln] = '=';
		memcpy(s + ln + 1, vars[i].value, lv + 1);
		envp[n++] = s;
	}
	for (int j = 0; j < nextra; j++)
		envp[n++] = (char *)extra[j];
	envp[n] = NULL;
	return envp;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct var *)a)->name, ((const struct var *)b)->name);
}

void vars_print_exported(void)
{
	qsort(vars, nvars, sizeof *vars, by_name);
	for (int i = 0; i < nvars; i++)
		if (vars[i].exported)
			printf("export %s='%s'\n", vars[i].name, vars[i].value);
	fflush(stdout);
}
