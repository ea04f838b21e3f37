#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static int failures;

static void vsay(const char *prefix, const char *name, const char *fmt, va_list ap)
{
	char buf[1024];
	int n = snprintf(buf, sizeof buf, "%s%s", prefix, name);
	if (fmt && n < (int)sizeof buf) {
		n += snprintf(buf + n, sizeof buf - n, ": ");
		if (n < (int)sizeof buf)
			n += vsnprintf(buf + n, sizeof buf - n, fmt, ap);
	}
	if (n > (int)sizeof buf - 2)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	(void)!write(1, buf, n);
}

void fail(const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay("FAIL ", name, fmt, ap);
	va_end(ap);
	failures++;
}

int check(int cond, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (cond) {
		vsay("PASS ", name, NULL, ap);
	} else {
		vsay("FAIL ", name, fmt, ap);
		failures++;
	}
	va_end(ap);
	return cond != 0;
}

void say(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 1)
		n = sizeof buf - 1;
	(void)!write(1, buf, n);
}

int check_result(void)
{
	return failures ? 1 : 0;
}
