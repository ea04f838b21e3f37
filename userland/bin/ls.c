/* ls [-l] [-a] [-1] [file...]: list directory contents, sorted by name.
 * Without -l and -1, a terminal gets columns and anything else one name a line. */
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

static int opt_long, opt_all, opt_one;

struct item {
	char *name;
	struct stat st;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->name, ((const struct item *)b)->name);
}

static void mode_string(mode_t m, char *s)
{
	s[0] = S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : S_ISCHR(m) ? 'c' : S_ISBLK(m) ? 'b'
	     : S_ISFIFO(m) ? 'p' : S_ISSOCK(m) ? 's' : '-';
	const char *rwx = "rwxrwxrwx";
	for (int i = 0; i < 9; i++)
		s[i + 1] = (m & (0400 >> i)) ? rwx[i] : '-';
	if (m & S_ISUID)
		s[3] = (m & S_IXUSR) ? 's' : 'S';
	if (m & S_ISGID)
		s[6] = (m & S_IXGRP) ? 's' : 'S';
	if (m & S_ISVTX)
		s[9] = (m & S_IXOTH) ? 't' : 'T';
	s[10] = 0;
}

static void print_long(const char *dir, const struct item *it)
{
	char mode[11], when[32], owner[16], group[16];
	mode_string(it->st.st_mode, mode);
	struct passwd *pw = getpwuid(it->st.st_uid);
	struct group *gr = getgrgid(it->st.st_gid);
	snprintf(owner, sizeof owner, "%s", pw ? pw->pw_name : "");
	snprintf(group, sizeof group, "%s", gr ? gr->gr_name : "");
	if (!pw)
		snprintf(owner, sizeof owner, "%u", (unsigned)it->st.st_uid);
	if (!gr)
		snprintf(group, sizeof group, "%u", (unsigned)it->st.st_gid);
	time_t t = it->st.st_mtime, now = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	int recent = t <= now && now - t < 180L * 24 * 3600;
	strftime(when, sizeof when, recent ? "%b %e %H:%M" : "%b %e  %Y", &tm);
	if (S_ISCHR(it->st.st_mode) || S_ISBLK(it->st.st_mode))
		printf("%s %2lu %-8s %-8s %3u, %3u %s %s", mode, (unsigned long)it->st.st_nlink, owner, group,
		       major(it->st.st_rdev), minor(it->st.st_rdev), when, it->name);
	else
		printf("%s %2lu %-8s %-8s %8lld %s %s", mode, (unsigned long)it->st.st_nlink, owner, group,
		       (long long)it->st.st_size, when, it->name);
	if (S_ISLNK(it->st.st_mode)) {
		char path[4096], target[4096];
		snprintf(path, sizeof path, "%s%s%s", dir ? dir : "", dir ? "/" : "", it->name);
		ssize_t n = readlink(path, target, sizeof target - 1);
		if (n >= 0) {
			target[n] = 0;
			printf(" -> %s", target);
		}
	}
	putchar('\n');
}

static void print_items(const char *dir, struct item *items, size_t n)
{
	qsort(items, n, sizeof *items, by_name);
	if (opt_long) {
		for (size_t i = 0; i < n; i++)
			print_long(dir, &items[i]);
		return;
	}
	struct winsize ws;
	if (opt_one || !isatty(1) || n == 0) {
		for (size_t i = 0; i < n; i++)
			puts(items[i].name);
		return;
	}
	int width = (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col) ? ws.ws_col : 80;
	size_t longest = 1;
	for (size_t i = 0; i < n; i++)
		if (strlen(items[i].name) > longest)
			longest = strlen(items[i].name);
	size_t colw = longest + 2, cols = width / colw ? width / colw : 1;
	size_t rows = (n + cols - 1) / cols;
	for (size_t r = 0; r < rows; r++) {
		for (size_t c = 0; c < cols; c++) {
			size_t i = c * rows + r;
			if (i >= n)
				break;
			if (c == cols - 1 || i + rows >= n)
				fputs(items[i].name, stdout);
			else
				printf("%-*s", (int)colw, items[i].name);
		}
		putchar('\n');
	}
}

static int list_dir(const char *path, int header)
{
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "ls: cannot open directory '%s': %s\n", path, strerror(errno));
		return 1;
	}
	struct item *items = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int status = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' && !opt_all)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			items = realloc(items, cap * sizeof *items);
			if (!items) {
				fputs("ls: out of memory\n", stderr);
				exit(1);
			}
		}
		items[n].name = strdup(de->d_name);
		memset(&items[n].st, 0, sizeof items[n].st);
		char full[4096];
		snprintf(full, sizeof full, "%s/%s", path, de->d_name);
		if (opt_long && lstat(full, &items[n].st) != 0) {
			fprintf(stderr, "ls: cannot access '%s': %s\n", full, strerror(errno));
			status = 1;
		}
		n++;
	}
	closedir(d);
	if (header)
		printf("%s:\n", path);
	print_items(path, items, n);
	for (size_t i = 0; i < n; i++)
		free(items[i].name);
	free(items);
	return status;
}

int main(int argc, char **argv)
{
	int i = 1, status = 0;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		for (const char *f = argv[i] + 1; *f; f++) {
			if (*f == 'l')
				opt_long = 1;
			else if (*f == 'a')
				opt_all = 1;
			else if (*f == '1')
				opt_one = 1;
			else {
				fprintf(stderr, "ls: invalid option -- '%c'\n", *f);
				return 2;
			}
		}
	}
	if (i == argc)
		return list_dir(".", 0);
	/* Files first (as one group), then each directory with a header when there are several. */
	struct item *files = calloc(argc, sizeof *files);
	size_t nfiles = 0;
	int nargs = argc - i;
	for (int j = i; j < argc; j++) {
		struct stat st;
		if (lstat(argv[j], &st) != 0) {
			fprintf(stderr, "ls: cannot access '%s': %s\n", argv[j], strerror(errno));
			status = 2;
			argv[j] = NULL;
		} else if (!S_ISDIR(st.st_mode)) {
			files[nfiles].name = argv[j];
			files[nfiles++].st = st;
			argv[j] = NULL;
		}
	}
	if (nfiles)
		print_items(NULL, files, nfiles);
	int first = !nfiles;
	for (int j = i; j < argc; j++) {
		if (!argv[j])
			continue;
		if (!first)
			putchar('\n');
		first = 0;
		status |= list_dir(argv[j], nargs > 1);
	}
	free(files);
	return status;
}
