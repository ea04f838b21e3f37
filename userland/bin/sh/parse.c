/* Lexer and recursive-descent parser for command lines:
 *   list     := andor ((';' | '&' | newline) andor?)*
 *   andor    := pipeline (('&&' | '||') newline* pipeline)*
 *   pipeline := ['!'] command ('|' newline* command)*
 *   command  := (word | [n]('<' | '>' | '>>' | '<&' | '>&') word)+
 * Words keep their raw text (quotes included); expansion happens when they run. */
#include <stdio.h>
#include <string.h>

#include "sh.h"

enum tok { T_WORD, T_NEWLINE, T_SEMI, T_AMP, T_PIPE, T_AND, T_OR, T_LESS, T_GREAT,
	   T_DGREAT, T_LESSAND, T_GREATAND, T_LPAREN, T_RPAREN, T_END };

static const char *const tok_names[] = {
	"word", "newline", ";", "&", "|", "&&", "||", "<", ">", ">>", "<&", ">&", "(", ")", "end of file",
};

struct token {
	enum tok type;
	const char *text;
	size_t len;
	int io_number; /* -1 unless the word before a redirection was a descriptor number */
	const char *start;
};

struct parser {
	const char *p;
	struct token tok;
	int incomplete;
	int error;
};

static int is_meta(char c)
{
	return c == '|' || c == '&' || c == ';' || c == '<' || c == '>' || c == '(' || c == ')' ||
	       c == '\n' || c == ' ' || c == '\t' || c == 0;
}

/* Scans a word starting at p; returns its end, or NULL if a quote is left open. */
static const char *scan_word(const char *p)
{
	while (!is_meta(*p)) {
		if (*p == '\\') {
			if (!p[1])
				return NULL;
			p += 2;
		} else if (*p == '\'') {
			const char *q = strchr(p + 1, '\'');
			if (!q)
				return NULL;
			p = q + 1;
		} else if (*p == '"') {
			for (p++; *p != '"'; p++) {
				if (!*p)
					return NULL;
				if (*p == '\\' && p[1])
					p++;
			}
			p++;
		} else {
			p++;
		}
	}
	return p;
}

/* Operator at p (which starts with one of | & ; < > ( ) newline): type and length. */
static size_t scan_op(const char *p, enum tok *type)
{
	switch (*p) {
	case '\n': *type = T_NEWLINE; return 1;
	case ';': *type = T_SEMI; return 1;
	case '(': *type = T_LPAREN; return 1;
	case ')': *type = T_RPAREN; return 1;
	case '&': *type = p[1] == '&' ? T_AND : T_AMP; return p[1] == '&' ? 2 : 1;
	case '|': *type = p[1] == '|' ? T_OR : T_PIPE; return p[1] == '|' ? 2 : 1;
	case '<': *type = p[1] == '&' ? T_LESSAND : T_LESS; return p[1] == '&' ? 2 : 1;
	case '>':
		*type = p[1] == '>' ? T_DGREAT : p[1] == '&' ? T_GREATAND : T_GREAT;
		return (p[1] == '>' || p[1] == '&') ? 2 : 1;
	default: *type = T_END; return 0;
	}
}

static void next(struct parser *ps)
{
	const char *p = ps->p;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (p[0] == '\\' && p[1] == '\n') {
			p += 2;
			continue;
		}
		if (*p == '#')
			while (*p && *p != '\n')
				p++;
		break;
	}
	struct token *t = &ps->tok;
	t->start = p;
	t->io_number = -1;
	if (!is_meta(*p)) {
		const char *end = scan_word(p);
		if (!end) {
			ps->incomplete = 1;
			t->type = T_END;
			t->text = p;
			t->len = 0;
			ps->p = p + strlen(p);
			return;
		}
		size_t len = end - p;
		int digits = len <= 2;
		for (size_t i = 0; i < len && digits; i++)
			digits = p[i] >= '0' && p[i] <= '9';
		if (!(digits && (*end == '<' || *end == '>'))) {
			t->type = T_WORD;
			t->text = p;
			t->len = len;
			ps->p = end;
			return;
		}
		/* "2>file": a descriptor number directly followed by a redirection. */
		t->io_number = len == 1 ? p[0] - '0' : (p[0] - '0') * 10 + (p[1] - '0');
		p = end;
	}
	t->text = p;
	t->len = scan_op(p, &t->type);
	ps->p = p + t->len;
}

static void syntax_error(struct parser *ps)
{
	if (ps->error || ps->incomplete)
		return;
	if (ps->tok.type == T_END) {
		ps->incomplete = 1;
		return;
	}
	ps->error = 1;
	fprintf(stderr, "sh: syntax error near unexpected token '%s'\n",
		ps->tok.type == T_WORD ? sdup(ps->tok.text, ps->tok.len) : tok_names[ps->tok.type]);
}

static void skip_newlines(struct parser *ps)
{
	while (ps->tok.type == T_NEWLINE)
		next(ps);
}

static int is_redir(enum tok t)
{
	return t == T_LESS || t == T_GREAT || t == T_DGREAT || t == T_LESSAND || t == T_GREATAND;
}

static struct command *parse_command(struct parser *ps)
{
	struct command *c = salloc(sizeof *c);
	memset(c, 0, sizeof *c);
	const char *words[256];
	struct redir **tail = &c->redirs;
	for (;;) {
		if (ps->tok.type == T_WORD) {
			if (c->nwords == 255) {
				fputs("sh: too many words\n", stderr);
				ps->error = 1;
				return NULL;
			}
			words[c->nwords++] = sdup(ps->tok.text, ps->tok.len);
			next(ps);
		} else if (is_redir(ps->tok.type)) {
			struct redir *r = salloc(sizeof *r);
			enum tok op = ps->tok.type;
			r->kind = op == T_LESS ? R_IN : op == T_GREAT ? R_OUT : op == T_DGREAT ? R_APPEND : R_DUP;
			r->fd = ps->tok.io_number >= 0 ? ps->tok.io_number : (op == T_LESS || op == T_LESSAND) ? 0 : 1;
			r->next = NULL;
			next(ps);
			if (ps->tok.type != T_WORD) {
				syntax_error(ps);
				return NULL;
			}
			r->word = sdup(ps->tok.text, ps->tok.len);
			*tail = r;
			tail = &r->next;
			next(ps);
		} else {
			break;
		}
	}
	if (!c->nwords && !c->redirs) {
		syntax_error(ps);
		return NULL;
	}
	c->words = salloc((c->nwords + 1) * sizeof *c->words);
	memcpy(c->words, words, c->nwords * sizeof *words);
	c->words[c->nwords] = NULL;
	return c;
}

static struct pipeline *parse_pipeline(struct parser *ps)
{
	struct pipeline *pl = salloc(sizeof *pl);
	memset(pl, 0, sizeof *pl);
	if (ps->tok.type == T_WORD && ps->tok.len == 1 && ps->tok.text[0] == '!') {
		pl->negate = 1;
		next(ps);
	}
	struct command **tail = &pl->cmds;
	for (;;) {
		struct command *c = parse_command(ps);
		if (!c)
			return NULL;
		*tail = c;
		tail = &c->next;
		pl->ncmds++;
		if (ps->tok.type != T_PIPE)
			return pl;
		next(ps);
		skip_newlines(ps);
	}
}

static struct andor *parse_andor(struct parser *ps)
{
	struct andor *head = NULL, **tail = &head;
	for (;;) {
		struct andor *a = salloc(sizeof *a);
		a->pl = parse_pipeline(ps);
		if (!a->pl)
			return NULL;
		a->op = OP_NONE;
		a->next = NULL;
		*tail = a;
		tail = &a->next;
		if (ps->tok.type != T_AND && ps->tok.type != T_OR)
			return head;
		a->op = ps->tok.type == T_AND ? OP_AND : OP_OR;
		next(ps);
		skip_newlines(ps);
	}
}

/* Text ending in an unescaped backslash before its final newline continues on the next line. */
static int ends_in_continuation(const char *text)
{
	size_t n = strlen(text), k = 0;
	if (n && text[n - 1] == '\n')
		n--;
	while (k < n && text[n - 1 - k] == '\\')
		k++;
	return k % 2 == 1;
}

enum parse_result parse(const char *text, struct item **out)
{
	if (ends_in_continuation(text))
		return PARSE_INCOMPLETE;
	struct parser ps = {.p = text};
	struct item *head = NULL, **tail = &head;
	next(&ps);
	for (;;) {
		while (ps.tok.type == T_NEWLINE)
			next(&ps);
		if (ps.tok.type == T_END || ps.error)
			break;
		const char *start = ps.tok.start;
		struct item *it = salloc(sizeof *it);
		it->ao = parse_andor(&ps);
		if (!it->ao)
			break;
		const char *end = ps.tok.start;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		it->text = sdup(start, end - start);
		it->background = ps.tok.type == T_AMP;
		it->next = NULL;
		*tail = it;
		tail = &it->next;
		if (ps.tok.type == T_AMP || ps.tok.type == T_SEMI || ps.tok.type == T_NEWLINE) {
			next(&ps);
			continue;
		}
		if (ps.tok.type != T_END)
			syntax_error(&ps);
		break;
	}
	if (ps.incomplete)
		return PARSE_INCOMPLETE;
	if (ps.error)
		return PARSE_ERROR;
	*out = head;
	return PARSE_OK;
}
