/* execve replaces the whole image: memory the old image touched is released
 * (VmRSS drops, the old mapping is gone), arguments and environment arrive, and a
 * failed execve leaves the caller intact. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "procfs.h"

#define BIG (4 << 20)

static int after_exec(char **argv)
{
	unsigned long old_addr = strtoul(argv[2], NULL, 16);
	long old_rss = strtol(argv[3], NULL, 10);
	long rss = status_kb("VmRSS");
	char line[256];
	check(maps_find(old_addr, line, sizeof line) != 0, "exec_old_mapping_gone",
	      "old mapping still present: %s", line);
	check(rss >= 0 && rss < old_rss - (BIG >> 10) / 2, "exec_frees_old_image",
	      "VmRSS %ld kB after exec, %ld kB before", rss, old_rss);
	/* The new text is named by its path, as Linux's d_path names it. */
	int found = maps_find((unsigned long)&after_exec, line, sizeof line) == 0;
	size_t n = found ? strlen(line) : 0;
	check(found && n > 11 && strcmp(line + n - 11, "/tests/exec") == 0 && strstr(line, " r-xp "), "exec_maps_names_text",
	      "maps line: %s", found ? line : "(none)");
	const char *marker = getenv("VMALAB_EXEC_MARKER");
	check(marker && strcmp(marker, "hello") == 0 && strcmp(argv[4], "last arg") == 0, "exec_args_env",
	      "marker %s", marker ? marker : "(missing)");
	return check_result();
}

int main(int argc, char **argv)
{
	if (argc > 4 && strcmp(argv[1], "--after") == 0)
		return after_exec(argv);

	char *big = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (big == MAP_FAILED) {
		fail("exec_setup", "mmap of %d bytes failed", BIG);
		return 1;
	}
	for (int i = 0; i < BIG; i += 4096)
		big[i] = 1;
	long rss = status_kb("VmRSS");
	check(rss >= (BIG >> 10), "exec_rss_before", "VmRSS %ld kB after touching %d kB", rss, BIG >> 10);

	char *bad[] = {"/nonexistent/prog", NULL};
	errno = 0;
	int r = execv(bad[0], bad);
	check(r == -1 && errno == ENOENT && big[4096] == 1, "exec_missing_file_enoent",
	      "execv returned %d errno %d", r, errno);

	char addr[32], rss_text[32];
	snprintf(addr, sizeof addr, "%lx", (unsigned long)big);
	snprintf(rss_text, sizeof rss_text, "%ld", rss);
	char *args[] = {argv[0], "--after", addr, rss_text, "last arg", NULL};
	char *env[] = {"VMALAB_EXEC_MARKER=hello", NULL};
	execve(argv[0], args, env);
	fail("exec_self", "execve(%s) failed: %s", argv[0], strerror(errno));
	return 1;
}
