/* Cross-check of struct stat64 and linux_dirent64 against the running Linux:
   prints the raw fstat64 bytes of a file beside the values musl decodes, and
   the d_reclen/d_type/name of each getdents64 record of a directory. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  const char *dir = argv[1];
  char path[512];
  snprintf(path, sizeof path, "%s/file", dir);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0640);
  char buf[5000];
  memset(buf, 'x', sizeof buf);
  write(fd, buf, sizeof buf);
  unsigned char raw[96];
  memset(raw, 0xee, sizeof raw);
  long r = syscall(SYS_fstat64, fd, raw);
  struct stat st;
  fstat(fd, &st);
  printf("%ld ", r);
  for (int i = 0; i < 96; i++) printf("%02x", raw[i]);
  printf("\n%llu %o %u %u %u %lld %ld %lld %lld %ld\n", (unsigned long long)st.st_ino, st.st_mode, (unsigned)st.st_nlink,
         st.st_uid, st.st_gid, (long long)st.st_size, (long)st.st_blksize, (long long)st.st_blocks,
         (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  int d = open(dir, O_RDONLY | O_DIRECTORY);
  char dbuf[4096];
  long n = syscall(SYS_getdents64, d, dbuf, sizeof dbuf);
  for (long p = 0; p < n;) {
    unsigned short reclen = *(unsigned short *)(dbuf + p + 16);
    printf("%u %u %s\n", reclen, (unsigned char)dbuf[p + 18], dbuf + p + 19);
    p += reclen;
  }
  return 0;
}
