/* Signal names without the "SIG" prefix, shared by kill and sh. */
#ifndef VMALAB_SIGNAMES_H
#define VMALAB_SIGNAMES_H

/* Name of signal sig ("INT"), or NULL when it has none. */
const char *signal_name(int sig);

/* Signal number for "INT", "SIGINT" or "2" (case-insensitive); -1 if unknown. */
int signal_number(const char *name);

/* Highest signal number that has a name. */
int signal_max(void);

#endif
