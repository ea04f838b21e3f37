/* /dev/mem and VM_PFNMAP (Linux 2.6.15, commit 6aab341e0a): a shared mapping of the VGA text memory
 * writes to the screen; a private writable mapping of a device range reads the
 * raw frame until the first write, which gives this process its own copy; fork
 * copies the raw entries as raw (parent and child still see the device) and
 * the copied pages as copy-on-write. RAM above 1 MiB is refused, and only root
 * may open /dev/mem. With -w it waits after "READY" for a line on stdin, its
 * PFN mappings still in place, so a test can inspect them from the monitor. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define PAGE 4096
#define VGA 0xB8000
#define SPARE 0xB9000 /* the second page of VGA text memory: not on screen */

static const char banner[] = "vmalab: hello from /dev/mem";

int main(int argc, char **argv)
{
	if (!on_vmalab()) {
		skip("devmem", "writes to the VGA text memory through /dev/mem; on a real PC that is the hardware, so vmalab only");
		return 0;
	}
	int fd = open("/dev/mem", O_RDWR);
	if (!check(fd >= 0, "devmem_open", "errno %d", errno))
		return check_result();

	/* The screen: row 24 of the text page, light grey on blue. */
	volatile unsigned char *screen = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, VGA);
	if (!check(screen != MAP_FAILED, "devmem_map_vga", "errno %d", errno))
		return check_result();
	for (unsigned i = 0; i < sizeof banner - 1; i++) {
		screen[(24 * 80 + i) * 2] = banner[i];
		screen[(24 * 80 + i) * 2 + 1] = 0x17;
	}
	unsigned char back[4];
	lseek(fd, VGA + 24 * 160, SEEK_SET);
	check(read(fd, back, 4) == 4 && back[0] == 'v' && back[2] == 'm' && back[1] == 0x17, "devmem_read_back",
	      "read %02x %02x %02x", back[0], back[1], back[2]);

	/* A device range mapped shared (the device) and privately (copy-on-write). */
	volatile char *dev = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, SPARE);
	volatile char *priv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, SPARE);
	volatile char *raw = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, SPARE);
	if (!check(dev != MAP_FAILED && priv != MAP_FAILED && raw != MAP_FAILED, "devmem_map_spare", "errno %d", errno))
		return check_result();
	memcpy((char *)dev, "DEVM", 4);
	check(priv[0] == 'D' && raw[3] == 'M', "pfnmap_private_reads_device", "saw '%c' '%c'", priv[0], raw[3]);
	priv[1] = 'p'; /* COW: priv gets its own copy of the page */
	check(priv[0] == 'D' && priv[1] == 'p' && dev[1] == 'E', "pfnmap_cow_copies_device",
	      "priv '%c%c' dev '%c'", priv[0], priv[1], dev[1]);
	dev[0] = 'X';
	check(priv[0] == 'D' && raw[0] == 'X', "pfnmap_cow_detached", "priv '%c' raw '%c'", priv[0], raw[0]);

	int sync[2];
	if (pipe(sync) != 0)
		return 1;
	pid_t pid = fork();
	if (pid == 0) {
		int ok = priv[1] == 'p' && raw[0] == 'X';
		priv[1] = 'c'; /* the child's own copy of the COWed page */
		dev[3] = 's';  /* the device itself: the raw mapping sees it */
		ok = ok && raw[3] == 's';
		raw[2] = 'c'; /* now the child's own copy of the raw page */
		dev[3] = 's';
		ok = ok && raw[2] == 'c' && dev[2] == 'V';
		_exit(ok ? 0 : 1);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "pfnmap_child_sees_parent", "status 0x%x", st);
	check(priv[1] == 'p', "pfnmap_cow_after_fork", "parent's copy changed to '%c'", priv[1]);
	check(raw[2] == 'V' && dev[2] == 'V', "pfnmap_child_cow_private", "raw '%c' dev '%c'", raw[2], dev[2]);
	check(dev[3] == 's' && raw[3] == 's' && priv[3] == 'M', "pfnmap_device_shared",
	      "dev '%c' raw '%c' priv '%c'", dev[3], raw[3], priv[3]);
	char c = 0;
	lseek(fd, SPARE + 3, SEEK_SET);
	check(read(fd, &c, 1) == 1 && c == 's', "devmem_read_device", "read '%c'", c);

	/* The RAM below 640 KiB holds the kernel's page directory, GDT, IDT and trap stubs:
	 * it reads as zeros, ignores writes (were this one kept, the next system call would
	 * go through a broken gate) and cannot be mapped. */
	unsigned char low[16];
	memset(low, 0xee, sizeof low);
	int zeros = pread(fd, low, sizeof low, 0x2000) == (ssize_t)sizeof low;
	for (unsigned i = 0; i < sizeof low; i++)
		zeros = zeros && low[i] == 0;
	check(zeros, "devmem_low_ram_reads_zeros", "%02x %02x", low[0], low[8]);
	memset(low, 0xff, sizeof low);
	check(pwrite(fd, low, sizeof low, 0x3000 + 0x80 * 8) == (ssize_t)sizeof low && getppid() > 0,
	      "devmem_low_ram_writes_dropped", "errno %d", errno);
	errno = 0;
	check(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0x1000) == MAP_FAILED && errno == EPERM,
	      "devmem_low_ram_mmap_eperm", "errno %d", errno);

	/* RAM above 1 MiB is not reachable; nor is /dev/mem for other users. */
	errno = 0;
	check(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0x200000) == MAP_FAILED && errno == EPERM, "devmem_ram_mmap_eperm",
	      "errno %d", errno);
	lseek(fd, 0x200000, SEEK_SET);
	errno = 0;
	check(read(fd, &c, 1) == -1 && errno == EPERM, "devmem_ram_read_eperm", "errno %d", errno);
	pid = fork();
	if (pid == 0) {
		if (setuid(1000) != 0)
			_exit(2);
		_exit(open("/dev/mem", O_RDONLY) == -1 && (errno == EPERM || errno == EACCES) ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "devmem_root_only", "status 0x%x", st);

	if (argc > 1 && strcmp(argv[1], "-w") == 0) {
		say("%p %p %p READY", (void *)dev, (void *)priv, (void *)raw);
		char line[8];
		(void)!read(0, line, sizeof line);
	}

	munmap((void *)priv, PAGE);
	munmap((void *)raw, PAGE);
	munmap((void *)dev, PAGE);
	munmap((void *)screen, PAGE);
	close(fd);
	return check_result();
}
