/* Background jobs: a small table of process groups started with '&', reaped
 * without blocking between commands and waited for by the wait builtin. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "sh.h"

#define MAX_JOBS 32
#define MAX_PIDS 16

struct job {
	int id; /* 0: slot free */
	pid_t pids[MAX_PIDS];
	char done[MAX_PIDS];
	int npids, running;
	int status; /* exit status of the last process */
	char text[80];
};

static struct job jobs[MAX_JOBS];

void job_add(pid_t pgid, const pid_t *pids, int npids, const char *text)
{
	struct job *slot = NULL;
	int id = 1;
	for (int i = 0; i < MAX_JOBS; i++) {
		if (!jobs[i].id && !slot)
			slot = &jobs[i];
		if (jobs[i].id >= id)
			id = jobs[i].id + 1;
	}
	/* Table full: forget the oldest finished job, or give up tracking. */
	for (int i = 0; i < MAX_JOBS && !slot; i++)
		if (!jobs[i].running)
			slot = &jobs[i];
	if (!slot)
		return;
	slot->id = id;
	slot->npids = npids < MAX_PIDS ? npids : MAX_PIDS;
	memcpy(slot->pids, pids, slot->npids * sizeof *pids);
	memset(slot->done, 0, sizeof slot->done);
	slot->running = slot->npids;
	slot->status = 0;
	snprintf(slot->text, sizeof slot->text, "%s", text);
	if (sh.interactive)
		fprintf(stderr, "[%d] %d\n", slot->id, (int)pgid);
}

/* Records that pid ended with wstatus (or vanished, wstatus < 0). */
static void note_exit(pid_t pid, int wstatus)
{
	for (int i = 0; i < MAX_JOBS; i++) {
		struct job *j = &jobs[i];
		for (int k = 0; j->id && k < j->npids; k++) {
			if (j->pids[k] != pid || j->done[k])
				continue;
			j->done[k] = 1;
			j->running--;
			if (k == j->npids - 1)
				j->status = wstatus < 0 ? 127 : status_of(wstatus);
			return;
		}
	}
}

void jobs_reap(int report)
{
	int st;
	pid_t pid;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		note_exit(pid, st);
	for (int i = 0; report && i < MAX_JOBS; i++) {
		struct job *j = &jobs[i];
		if (j->id && !j->running) {
			fprintf(stderr, "[%d] Done%s %s\n", j->id, j->status ? " (non-zero)" : "", j->text);
			j->id = 0;
		}
	}
}

static int wait_job(struct job *j)
{
	for (int k = 0; k < j->npids; k++) {
		if (j->done[k])
			continue;
		int st;
		pid_t r;
		while ((r = waitpid(j->pids[k], &st, 0)) < 0 && errno == EINTR)
			;
		note_exit(j->pids[k], r > 0 ? st : -1);
	}
	j->id = 0;
	return j->status;
}

int jobs_wait(pid_t pid)
{
	int status = 0;
	for (int i = 0; i < MAX_JOBS; i++) {
		struct job *j = &jobs[i];
		if (!j->id)
			continue;
		if (pid == 0) {
			wait_job(j);
			continue;
		}
		for (int k = 0; k < j->npids; k++)
			if (j->pids[k] == pid)
				return wait_job(j);
	}
	return pid == 0 ? status : 127;
}
