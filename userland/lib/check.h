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

/* Exit status for main: 0 when nothing failed, 1 otherwise. */
int check_result(void);

/* Writes a formatted line to fd 1 with a single write(2); no stdio buffering. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
