/* kill [-SIG | -s SIG] PID... | kill -l [signal]: send a signal, or list names. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signames.h"

static int list(const char *arg)
{
	if (arg) {
		int n = atoi(arg);
		if (n > 128)
			n -= 128;
		const char *name = (*arg >= '0' && *arg <= '9') ? signal_name(n) : NULL;
		int sig = name ? n : signal_number(arg);
		if (name)
			puts(name);
		else if (sig > 0)
			printf("%d\n", sig);
		else {
			fprintf(stderr, "kill: unknown signal: %s\n", arg);
			return 1;
		}
		return 0;
	}
	for (int s = 1; s <= signal_max(); s++)
		if (signal_name(s))
			printf("%2d) SIG%s\n", s, signal_name(s));
	return 0;
}

int main(int argc, char **argv)
{
	int sig = SIGTERM, i = 1, status = 0;
	const char *signame = "TERM";
	if (i < argc && strcmp(argv[i], "-l") == 0)
		return list(i + 1 < argc ? argv[i + 1] : NULL);
	if (i + 1 < argc && strcmp(argv[i], "-s") == 0) {
		signame = argv[i + 1];
		sig = signal_number(signame);
		i += 2;
	} else if (i < argc && argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--") != 0) {
		signame = argv[i] + 1;
		sig = signal_number(signame);
		i++;
	}
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (sig < 0) {
		fprintf(stderr, "kill: unknown signal: %s\n", signame);
		return 1;
	}
	if (i == argc) {
		fputs("usage: kill [-SIG | -s SIG] PID... | kill -l [SIG]\n", stderr);
		return 1;
	}
	for (; i < argc; i++) {
		char *end;
		long pid = strtol(argv[i], &end, 10);
		if (*end || end == argv[i]) {
			fprintf(stderr, "kill: invalid pid: %s\n", argv[i]);
			status = 1;
		} else if (kill((pid_t)pid, sig) != 0) {
			fprintf(stderr, "kill: (%ld): %s\n", pid, strerror(errno));
			status = 1;
		}
	}
	return status;
}
