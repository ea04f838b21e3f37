/* Guest test reporting: each check prints "PASS name" or "FAIL name: detail"
 * with one unbuffered write, so output stays ordered across fork. */
#ifndef VMALAB_CHECK_H
#define VMALAB_CHECK_H

/* Prints "PASS name" when cond is nonzero, else "FAIL name: <fmt...>" and
 * remembers the failure. Returns cond (as 0/1). */
int check(int cond, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prints "FAIL name: <fmt...>" and remembers the failure. */
void fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints "SKIP name: <fmt...>": a check that cannot be made here (a device
 * or exact counter only vmalab has). Not a failure; the guest runners under
 * vmalab reject SKIP lines, so it is only ever taken natively. */
void skip(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Nonzero when running under the vmalab kernel (uname release ends "-vmalab"). */
int on_vmalab(void);

/* check() under vmalab; on another kernel prints SKIP with the reason that
 * the quantity (e.g. a system-wide /proc counter) is exact only under vmalab. */
int check_vmalab(int cond, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Exit status for main: 0 when nothing failed, 1 otherwise. */
int check_result(void);

/* Writes a formatted line to fd 1 with a single write(2); no stdio buffering. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
