/* mkdir [-p] DIR...: create directories (-p: with parents, no error if present). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int make_parents(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		int r = mkdir(path, 0777);
		int e = errno;
		*p = '/';
		if (r != 0 && e != EEXIST) {
			errno = e;
			return -1;
		}
	}
	if (mkdir(path, 0777) != 0) {
		struct stat st;
		if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int parents = 0, status = 0, i = 1;
	if (i < argc && strcmp(argv[i], "-p") == 0) {
		parents = 1;
		i++;
	}
	if (i == argc) {
		fputs("usage: mkdir [-p] DIR...\n", stderr);
		return 1;
	}
	for (; i < argc; i++) {
		if ((parents ? make_parents(argv[i]) : mkdir(argv[i], 0777)) != 0) {
			fprintf(stderr, "mkdir: cannot create directory '%s': %s\n", argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}
