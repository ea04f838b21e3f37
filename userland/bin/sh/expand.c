/* Word expansion: parameters, tilde, quote removal, field splitting of unquoted
 * expansion results on blanks and newlines, and pathname globbing. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sh.h"

struct buf {
	char *s;
	size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *ns = salloc(cap);
		if (b->len)
			memcpy(ns, b->s, b->len);
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

struct fields {
	const char ***argv;
	int *argc, *cap;
	struct buf cur;
	int have;  /* the current field exists (possibly empty, from quotes) */
	int glob;  /* it holds an unquoted glob character */
	int split; /* split unquoted expansions into fields */
};

static void push(struct fields *f, const char *s)
{
	if (*f->argc + 2 > *f->cap) {
		int cap = *f->cap ? *f->cap * 2 : 16;
		const char **nv = salloc(cap * sizeof *nv);
		if (*f->argc)
			memcpy(nv, *f->argv, *f->argc * sizeof *nv);
		*f->argv = nv;
		*f->cap = cap;
	}
	(*f->argv)[(*f->argc)++] = s;
	(*f->argv)[*f->argc] = NULL;
}

static void end_field(struct fields *f)
{
	if (!f->have)
		return;
	const char *s = f->cur.s ? f->cur.s : sdup("", 0);
	glob_t g;
	if (f->glob && f->split && glob(s, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			push(f, sdup(g.gl_pathv[i], strlen(g.gl_pathv[i])));
		globfree(&g);
	} else {
		push(f, s);
	}
	f->cur.s = NULL;
	f->cur.len = f->cur.cap = 0;
	f->have = f->glob = 0;
}

/* Adds expansion text; unquoted, it is split on blanks into fields. */
static void add_expansion(struct fields *f, const char *v, int quoted)
{
	if (quoted || !f->split) {
		put(&f->cur, v, strlen(v));
		f->have = 1;
		return;
	}
	for (; *v; v++) {
		if (*v == ' ' || *v == '\t' || *v == '\n') {
			end_field(f);
		} else {
			put(&f->cur, v, 1);
			f->have = 1;
			if (*v == '*' || *v == '?' || *v == '[')
				f->glob = 1;
		}
	}
}

static int is_name_char(char c, int first)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9');
}

/* Expands the parameter after '$' at *pp; advances *pp. Returns NULL if '$' is literal. */
static const char *parameter(const char **pp)
{
	static char num[32];
	const char *p = *pp;
	char name[128];
	size_t n = 0;
	if (*p == '{') {
		const char *close = strchr(p, '}');
		if (!close || close - p - 1 >= (long)sizeof name)
			return NULL;
		n = close - p - 1;
		memcpy(name, p + 1, n);
		*pp = close + 1;
	} else if (*p == '?' || *p == '$' || *p == '!' || *p == '#' || *p == '@' || *p == '*' ||
		   (*p >= '0' && *p <= '9')) {
		name[n++] = *p;
		*pp = p + 1;
	} else if (is_name_char(*p, 1)) {
		while (is_name_char(*p, 0) && n < sizeof name - 1)
			name[n++] = *p++;
		*pp = p;
	} else {
		return NULL;
	}
	name[n] = 0;
	if (strcmp(name, "?") == 0) {
		snprintf(num, sizeof num, "%d", sh.status);
		return num;
	}
	if (strcmp(name, "$") == 0) {
		snprintf(num, sizeof num, "%d", (int)sh.pid);
		return num;
	}
	if (strcmp(name, "!") == 0) {
		if (!sh.last_bg)
			return "";
		snprintf(num, sizeof num, "%d", (int)sh.last_bg);
		return num;
	}
	if (strcmp(name, "#") == 0) {
		snprintf(num, sizeof num, "%d", sh.nargs);
		return num;
	}
	if (strcmp(name, "@") == 0 || strcmp(name, "*") == 0) {
		struct buf b = {0};
		for (int i = 0; i < sh.nargs; i++) {
			if (i)
				put(&b, " ", 1);
			put(&b, sh.args[i], strlen(sh.args[i]));
		}
		return b.s ? b.s : "";
	}
	if (name[0] >= '0' && name[0] <= '9') {
		int i = atoi(name);
		if (i == 0)
			return sh.arg0;
		return i <= sh.nargs ? sh.args[i - 1] : "";
	}
	const char *v = var_get(name);
	return v ? v : "";
}

static void expand(const char *p, struct fields *f)
{
	if (p[0] == '~' && (p[1] == '/' || p[1] == 0)) {
		const char *home = var_get("HOME");
		add_expansion(f, home ? home : "~", 1);
		p++;
	}
	int dq = 0;
	while (*p) {
		char c = *p;
		if (c == '\'' && !dq) {
			const char *q = strchr(p + 1, '\'');
			put(&f->cur, p + 1, q - p - 1);
			f->have = 1;
			p = q + 1;
		} else if (c == '"') {
			dq = !dq;
			f->have = 1;
			p++;
		} else if (c == '\\' && p[1]) {
			if (dq && !strchr("$`\"\\\n", p[1])) {
				put(&f->cur, p, 2);
			} else if (p[1] != '\n') {
				put(&f->cur, p + 1, 1);
			}
			f->have = 1;
			p += 2;
		} else if (c == '$') {
			const char *after = p + 1;
			const char *v = parameter(&after);
			if (v) {
				add_expansion(f, v, dq);
				p = after;
			} else {
				put(&f->cur, "$", 1);
				f->have = 1;
				p++;
			}
		} else {
			put(&f->cur, p, 1);
			f->have = 1;
			if (!dq && (c == '*' || c == '?' || c == '['))
				f->glob = 1;
			p++;
		}
	}
}

void expand_fields(const char *raw, const char ***argv, int *argc, int *cap)
{
	struct fields f = {.argv = argv, .argc = argc, .cap = cap, .split = 1};
	expand(raw, &f);
	end_field(&f);
}

char *expand_one(const char *raw)
{
	const char **argv = NULL;
	int argc = 0, cap = 0;
	struct fields f = {.argv = &argv, .argc = &argc, .cap = &cap, .split = 0};
	expand(raw, &f);
	return f.cur.s ? f.cur.s : sdup("", 0);
}

size_t assignment_len(const char *raw)
{
	const char *eq = strchr(raw, '=');
	if (!eq || eq == raw || !valid_name(raw, eq - raw))
		return 0;
	return eq - raw;
}
