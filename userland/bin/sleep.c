/* sleep SECONDS...: pause for the sum of the given (possibly fractional) seconds. */
#include <errno.h>
#include <stdio.h>
#include <time.h>

/* Parses "12", "0.5", ".25" into nanoseconds; returns -1 on a malformed number. */
static long long parse_ns(const char *s)
{
	long long sec = 0, frac = 0, scale = 1000000000LL;
	int digits = 0;
	for (; *s >= '0' && *s <= '9'; s++, digits++)
		sec = sec * 10 + (*s - '0');
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++, digits++)
			if (scale >= 10) {
				scale /= 10;
				frac += (*s - '0') * scale;
			}
	if (*s || !digits || sec > 100000000LL)
		return -1;
	return sec * 1000000000LL + frac;
}

int main(int argc, char **argv)
{
	long long total = 0;
	if (argc < 2) {
		fputs("usage: sleep SECONDS...\n", stderr);
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		long long ns = parse_ns(argv[i]);
		if (ns < 0) {
			fprintf(stderr, "sleep: invalid time interval '%s'\n", argv[i]);
			return 1;
		}
		total += ns;
	}
	struct timespec ts = {(time_t)(total / 1000000000LL), (long)(total % 1000000000LL)};
	while (nanosleep(&ts, &ts) != 0)
		if (errno != EINTR)
			return 1;
	return 0;
}
