/* vm_insert_page (Linux 2.6.15, commit a145dd411e): /dev/vmstat inserts one kernel page of live
 * counters into a read-only shared area. The counters move without system
 * calls; the page cannot be mapped writable; fork copies the area's page
 * tables under every design (the child reads it without a page fault). */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "vmstat_page.h"

#define PAGE 4096

static long minflt(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static void wait_update(const volatile struct vmstat_page *p)
{
	uint32_t seq = p->seq;
	for (int i = 0; i < 1000 && p->seq == seq; i++)
		usleep(1000);
}

int main(void)
{
	if (!on_vmalab()) {
		skip("vmstat_page", "/dev/vmstat is a vmalab device");
		return 0;
	}
	int fd = open("/dev/vmstat", O_RDONLY);
	if (!check(fd >= 0, "vmstat_open", "errno %d", errno))
		return check_result();
	errno = 0;
	check(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EACCES,
	      "vmstat_no_write_mapping", "errno %d", errno);
	const volatile struct vmstat_page *p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (!check(p != MAP_FAILED && p->magic == VMSTAT_MAGIC, "vmstat_map", "errno %d", errno))
		return check_result();
	errno = 0;
	check(mprotect((void *)p, PAGE, PROT_READ | PROT_WRITE) == -1 && errno == EACCES, "vmstat_no_mprotect_write",
	      "errno %d", errno);

	wait_update(p);
	uint32_t dz0 = vmstat_get(p, "fault_demand_zero");
	uint32_t free0 = vmstat_get(p, "nr_free_pages");
	volatile char *mem = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < 16; i++)
		mem[i * PAGE] = 1;
	wait_update(p);
	uint32_t dz1 = vmstat_get(p, "fault_demand_zero");
	uint32_t free1 = vmstat_get(p, "nr_free_pages");
	check(dz1 - dz0 >= 16, "vmstat_counts_faults", "demand-zero went %u -> %u", dz0, dz1);
	check(free0 - free1 >= 16, "vmstat_counts_free", "free went %u -> %u", free0, free1);

	pid_t pid = fork();
	if (pid == 0) {
		/* The second round runs code and stack already faulted in by the first
		 * (mm=lazy re-creates file pages by faults): only the counter page is new. */
		long before = 0, after = 0;
		uint32_t magic = 0, first = 0;
		for (int round = 0; round < 2; round++) {
			before = minflt();
			if (round == 1) {
				magic = p->magic;
				first = p->e[0].value;
			}
			after = minflt();
		}
		_exit(magic == VMSTAT_MAGIC && first != 0 && after == before ? 0 : 1);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "vmstat_copied_on_fork", "status 0x%x", st);
	munmap((void *)mem, 16 * PAGE);
	munmap((void *)p, PAGE);
	close(fd);
	return check_result();
}
