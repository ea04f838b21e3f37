/* uname [-asnrvm]: print system information (default -s). */
#include <stdio.h>
#include <sys/utsname.h>

int main(int argc, char **argv)
{
	enum { S = 1, N = 2, R = 4, V = 8, M = 16 };
	int want = 0;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] != '-' || !argv[i][1])
			goto usage;
		for (const char *f = argv[i] + 1; *f; f++) {
			switch (*f) {
			case 'a': want |= S | N | R | V | M; break;
			case 's': want |= S; break;
			case 'n': want |= N; break;
			case 'r': want |= R; break;
			case 'v': want |= V; break;
			case 'm': want |= M; break;
			default: goto usage;
			}
		}
	}
	if (!want)
		want = S;
	struct utsname u;
	if (uname(&u) != 0) {
		perror("uname");
		return 1;
	}
	const char *fields[] = {u.sysname, u.nodename, u.release, u.version, u.machine};
	const char *sep = "";
	for (int b = 0; b < 5; b++) {
		if (want & (1 << b)) {
			printf("%s%s", sep, fields[b]);
			sep = " ";
		}
	}
	putchar('\n');
	return 0;
usage:
	fputs("usage: uname [-asnrvm]\n", stderr);
	return 1;
}
