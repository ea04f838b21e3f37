/* Port I/O from user mode: ioperm opens single ports below 0x400 through the
 * TSS bitmap, iopl(3) all of them; only root may grant either. A port not
 * granted raises SIGSEGV. The grant survives fork. Reads the CMOS status
 * register A (port 0x70/0x71), whose update-in-progress bit varies but whose
 * divider field is 010 on every PC. */
#include <errno.h>
#include <signal.h>
#include <sys/io.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static int status_of(void (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		_exit(0);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	return st;
}

static void cmos_a(void)
{
	outb(0x0a, 0x70);
	_exit((inb(0x71) & 0x70) == 0x20 ? 0 : 1);
}

static void ungranted(void)
{
	(void)inb(0x60);
}

static void as_user(void)
{
	if (setuid(1000) != 0)
		_exit(10);
	errno = 0;
	if (ioperm(0x70, 2, 1) != -1 || errno != EPERM)
		_exit(1);
	errno = 0;
	if (iopl(3) != -1 || errno != EPERM)
		_exit(2);
	if (iopl(0) != 0 || ioperm(0x70, 2, 0) != 0) /* giving up nothing is allowed */
		_exit(3);
	_exit(0);
}

int main(void)
{
	int st = status_of(ungranted);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "port_denied", "status %#x", st);
	/* Linux 5.5 and later can be built without both calls (CONFIG_X86_IOPL_IOPERM). */
	errno = 0;
	if (ioperm(0x70, 2, 0) == -1 && errno == ENOSYS) {
		skip("ioperm_iopl", "this kernel is built without ioperm and iopl (ENOSYS)");
		return check_result();
	}
	check(ioperm(0x70, 2, 1) == 0, "ioperm_grant", "errno %d", errno);
	st = status_of(cmos_a);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "ioperm_cmos_inherited", "status %#x", st);
	st = status_of(ungranted);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "ioperm_other_port_denied", "status %#x", st);
	check(ioperm(0x70, 2, 0) == 0, "ioperm_revoke", "errno %d", errno);
	st = status_of(cmos_a);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "ioperm_revoked_denied", "status %#x", st);
	errno = 0;
	check(ioperm(0x3ff, 2, 1) == -1 && errno == EINVAL, "ioperm_range", "errno %d", errno);
	check(iopl(3) == 0, "iopl_grant", "errno %d", errno);
	st = status_of(cmos_a);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "iopl_cmos", "status %#x", st);
	errno = 0;
	check(iopl(4) == -1 && errno == EINVAL, "iopl_range", "errno %d", errno);
	iopl(0);
	st = status_of(as_user);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "io_user_eperm", "status %#x", st);
	return check_result();
}
