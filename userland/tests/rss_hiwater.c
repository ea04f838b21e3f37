/* rss = file_rss + anon_rss with high-water marks (Linux 2.6.14, commit 4294621f41): VmHWM and
 * VmPeak stay at the peak after munmap shrinks VmRSS and VmSize; a forked
 * child counts the pages it shares; shared memory shows as RssShmem. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define PAGE 4096
#define N 256

static char status[4096];

/* Reads /proc/self/status once; get() then parses fields of that snapshot. */
static void snap(void)
{
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n = read(fd, status, sizeof status - 1);
	close(fd);
	status[n > 0 ? n : 0] = 0;
}

static long get(const char *name)
{
	char key[32];
	strcpy(key, "\n");
	strcat(key, name);
	strcat(key, ":");
	char *p = strstr(status, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static long field(const char *name)
{
	snap();
	return get(name);
}

int main(void)
{
	long rss0 = field("VmRSS"), size0 = field("VmSize");
	char *m = mmap(NULL, N * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < N; i++)
		m[i * PAGE] = 1;
	snap();
	long rss1 = get("VmRSS"), anon1 = get("RssAnon"), size1 = get("VmSize"), file1 = get("RssFile"), shm1 = get("RssShmem");
	check(rss1 - rss0 >= N * 4 && rss1 - rss0 < N * 4 + 64 && size1 - size0 == N * 4, "rss_grows",
	      "VmRSS %ld -> %ld, VmSize %ld -> %ld", rss0, rss1, size0, size1);
	check(rss1 == anon1 + file1 + shm1, "rss_is_file_plus_anon", "VmRSS %ld RssAnon %ld", rss1, anon1);
	munmap(m, N * PAGE);
	snap();
	long rss2 = get("VmRSS"), hwm = get("VmHWM"), peak = get("VmPeak"), size2 = get("VmSize");
	/* Linux sums per-CPU rss counters approximately (up to 64 pages off on this
	 * machine's 2 CPUs); vmalab's counters are exact. */
	long slack = on_vmalab() ? 0 : 256;
	check(rss1 - rss2 >= N * 4 - 16 && hwm >= rss1 - slack, "vmhwm_stays_at_peak", "VmRSS %ld -> %ld, VmHWM %ld", rss1,
	      rss2, hwm);
	check(size2 == size0 && peak >= size1, "vmpeak_stays_at_peak", "VmSize %ld VmPeak %ld (was %ld)", size2, peak, size1);

	/* A forked child counts the anonymous pages it shares with its parent (copy-on-write). */
	char *a = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < 64; i++)
		a[i * PAGE] = 2;
	long panon = field("RssAnon");
	pid_t pid = fork();
	if (pid == 0) {
		long canon = field("RssAnon");
		_exit(canon >= 64 * 4 && canon <= panon + 16 ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "rss_child_counts_shared", "status 0x%x (parent RssAnon %ld)", st, panon);

	/* Shared anonymous memory is shmem: RssShmem, not RssFile. */
	long shm0 = field("RssShmem");
	char *s = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < 16; i++)
		s[i * PAGE] = 3;
	check(field("RssShmem") - shm0 == 64, "rss_shmem", "RssShmem %ld -> %ld", shm0, field("RssShmem"));
	return check_result();
}
