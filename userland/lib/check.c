#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
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

void skip(const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay("SKIP ", name, fmt, ap);
	va_end(ap);
}

int on_vmalab(void)
{
	static int known = -1;
	if (known < 0) {
		struct utsname u;
		size_t n = uname(&u) == 0 ? strlen(u.release) : 0;
		known = n >= 7 && strcmp(u.release + n - 7, "-vmalab") == 0;
	}
	return known;
}

int check_vmalab(int cond, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (!on_vmalab())
		vsay("SKIP ", name, "exact only under vmalab (a system-wide, approximate counter here)", ap);
	else if (cond)
		vsay("PASS ", name, NULL, ap);
	else {
		vsay("FAIL ", name, fmt, ap);
		failures++;
	}
	va_end(ap);
	return cond != 0;
}

int check_result(void)
{
	return failures ? 1 : 0;
}
