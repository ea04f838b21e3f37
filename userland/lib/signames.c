#include "signames.h"

#include <signal.h>
#include <stdlib.h>
#include <strings.h>

static const char *const names[] = {
	[SIGHUP] = "HUP",     [SIGINT] = "INT",       [SIGQUIT] = "QUIT",   [SIGILL] = "ILL",
	[SIGTRAP] = "TRAP",   [SIGABRT] = "ABRT",     [SIGBUS] = "BUS",     [SIGFPE] = "FPE",
	[SIGKILL] = "KILL",   [SIGUSR1] = "USR1",     [SIGSEGV] = "SEGV",   [SIGUSR2] = "USR2",
	[SIGPIPE] = "PIPE",   [SIGALRM] = "ALRM",     [SIGTERM] = "TERM",   [SIGSTKFLT] = "STKFLT",
	[SIGCHLD] = "CHLD",   [SIGCONT] = "CONT",     [SIGSTOP] = "STOP",   [SIGTSTP] = "TSTP",
	[SIGTTIN] = "TTIN",   [SIGTTOU] = "TTOU",     [SIGURG] = "URG",     [SIGXCPU] = "XCPU",
	[SIGXFSZ] = "XFSZ",   [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF",   [SIGWINCH] = "WINCH",
	[SIGIO] = "IO",       [SIGPWR] = "PWR",       [SIGSYS] = "SYS",
};

const char *signal_name(int sig)
{
	if (sig <= 0 || sig >= (int)(sizeof names / sizeof names[0]))
		return NULL;
	return names[sig];
}

int signal_max(void)
{
	return (int)(sizeof names / sizeof names[0]) - 1;
}

int signal_number(const char *name)
{
	if (*name >= '0' && *name <= '9') {
		char *end;
		long n = strtol(name, &end, 10);
		return (*end || n < 0 || n >= 65) ? -1 : (int)n;
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (int i = 1; i <= signal_max(); i++)
		if (names[i] && strcasecmp(names[i], name) == 0)
			return i;
	return -1;
}
