/* Pipes: data in order, EOF once every writer is closed, EPIPE with SIGPIPE once
 * every reader is closed, blocking writes larger than the pipe buffer. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t got_sigpipe;

static void on_sigpipe(int sig)
{
	got_sigpipe = sig;
}

int main(void)
{
	int p[2];
	char buf[256];
	check(pipe(p) == 0, "pipe_create", "pipe failed");
	int w = (int)write(p[1], "hello", 5);
	int r = (int)read(p[0], buf, sizeof buf);
	check(w == 5 && r == 5 && memcmp(buf, "hello", 5) == 0, "pipe_roundtrip", "write %d read %d", w, r);

	/* EOF: a child writes and exits; after the last writer closes, read returns 0. */
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		(void)!write(p[1], "from child", 10);
		_exit(0);
	}
	close(p[1]);
	int total = 0, n;
	while ((n = (int)read(p[0], buf + total, sizeof buf - total)) > 0)
		total += n;
	waitpid(pid, NULL, 0);
	check(n == 0 && total == 10 && memcmp(buf, "from child", 10) == 0, "pipe_eof", "last read %d total %d", n, total);
	close(p[0]);

	/* EPIPE with a handled SIGPIPE. */
	signal(SIGPIPE, on_sigpipe);
	pipe(p);
	close(p[0]);
	errno = 0;
	w = (int)write(p[1], "x", 1);
	check(w == -1 && errno == EPIPE && got_sigpipe == SIGPIPE, "pipe_epipe_sigpipe",
	      "write %d errno %d sigpipe %d", w, errno, (int)got_sigpipe);
	close(p[1]);

	/* Default SIGPIPE kills the writer. */
	signal(SIGPIPE, SIG_DFL);
	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		for (;;)
			(void)!write(p[1], buf, sizeof buf);
	}
	close(p[1]);
	close(p[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "pipe_sigpipe_kills", "status 0x%x", st);

	/* 1 MiB through a pipe: the writer blocks when the buffer is full; bytes arrive in order. */
	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		static unsigned char out[4096];
		for (int i = 0; i < 256; i++) {
			for (int k = 0; k < 4096; k++)
				out[k] = (unsigned char)(i * 7 + k);
			for (int off = 0; off < 4096;) {
				int m = (int)write(p[1], out + off, 4096 - off);
				if (m <= 0)
					_exit(1);
				off += m;
			}
		}
		_exit(0);
	}
	close(p[1]);
	long got = 0;
	int ordered = 1;
	unsigned char in[3000];
	while ((n = (int)read(p[0], in, sizeof in)) > 0) {
		for (int k = 0; k < n; k++) {
			long pos = got + k;
			ordered &= in[k] == (unsigned char)((pos / 4096) * 7 + pos % 4096);
		}
		got += n;
	}
	waitpid(pid, &st, 0);
	check(got == 1L << 20 && ordered && WIFEXITED(st) && WEXITSTATUS(st) == 0, "pipe_bulk_transfer",
	      "got %ld bytes, ordered %d, status 0x%x", got, ordered, st);
	close(p[0]);
	return check_result();
}
