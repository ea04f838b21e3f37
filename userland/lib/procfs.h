/* Small readers of /proc files for the guest tests. */
#ifndef VMALAB_PROCFS_H
#define VMALAB_PROCFS_H

#include <stddef.h>

/* Reads a whole file into buf (NUL-terminated); returns its length or -1. */
long read_text(const char *path, char *buf, size_t size);

/* Value in kB of a "Key:   N kB" line of /proc/self/status; -1 if absent. */
long status_kb(const char *key);

/* The same for a line of /proc/meminfo (e.g. "MemFree"). */
long meminfo_kb(const char *key);

/* Collects the /proc/self/maps lines whose start lies in [lo, hi), trimmed of
 * trailing blanks, each ending in '\n', into out. Returns the number of lines, -1 on error. */
int maps_lines(unsigned long lo, unsigned long hi, char *out, size_t size);

/* The /proc/self/maps line containing addr (without '\n') into out; 0 if found, -1 if not. */
int maps_find(unsigned long addr, char *out, size_t size);

#endif
