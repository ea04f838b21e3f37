/* rm [-r] [-f] FILE...: remove files (-r: directories recursively; -f: ignore missing). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int recursive, force;

static int remove_path(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0) {
		if (force && errno == ENOENT)
			return 0;
		fprintf(stderr, "rm: cannot remove '%s': %s\n", path, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) == 0)
			return 0;
		fprintf(stderr, "rm: cannot remove '%s': %s\n", path, strerror(errno));
		return 1;
	}
	if (!recursive) {
		fprintf(stderr, "rm: cannot remove '%s': Is a directory\n", path);
		return 1;
	}
	int status = 0;
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "rm: cannot open '%s': %s\n", path, strerror(errno));
		return 1;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char child[4096];
		if (snprintf(child, sizeof child, "%s/%s", path, de->d_name) >= (int)sizeof child) {
			fprintf(stderr, "rm: path too long: %s/%s\n", path, de->d_name);
			status = 1;
			continue;
		}
		status |= remove_path(child);
	}
	closedir(d);
	if (rmdir(path) != 0) {
		fprintf(stderr, "rm: cannot remove '%s': %s\n", path, strerror(errno));
		return 1;
	}
	return status;
}

int main(int argc, char **argv)
{
	int i = 1, status = 0;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (const char *f = argv[i] + 1; *f; f++) {
			if (*f == 'r' || *f == 'R')
				recursive = 1;
			else if (*f == 'f')
				force = 1;
			else {
				fprintf(stderr, "rm: invalid option -- '%c'\n", *f);
				return 1;
			}
		}
	}
	if (i == argc && !force) {
		fputs("usage: rm [-r] [-f] FILE...\n", stderr);
		return 1;
	}
	for (; i < argc; i++)
		status |= remove_path(argv[i]);
	return status;
}
