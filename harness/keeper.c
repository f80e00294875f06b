/* SPDX-License-Identifier: BSD-2-Clause */
/* The lab keeper (see keeper.h). */
#include "keeper.h"
#include "topo/topo_hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

/* The bounded log behind the keeper's FILE (nr_keeper_log_fdopen). */
struct log_sink {
	int fd;
	long max;
	bool dropped; /* the "log full" marker is written */
	bool final;   /* writing the outcome: past the cap too */
	char path[PATH_MAX];
};

/* The keeper's own log, so teardown can tell it from stderr (up, --foreground). */
static FILE *keeper_log;
static struct log_sink *keeper_sink;

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* a full disk loses log lines, never the lab */
		buf += n;
		len -= (size_t)n;
	}
}

static ssize_t sink_write(void *cookie, const char *buf, size_t len)
{
	static const char mark[] = "[log full: further lines dropped]\n";
	struct log_sink *s = cookie;
	struct stat st;

	/* The cap is checked per write; the stream is line buffered, so the
	 * file ends at most one buffer past it. */
	if (!s->final && (fstat(s->fd, &st) < 0 || st.st_size >= s->max)) {
		if (!s->dropped) {
			s->dropped = true;
			write_all(s->fd, mark, sizeof(mark) - 1);
		}
		return (ssize_t)len; /* dropped, not an error: stdio would retry */
	}
	write_all(s->fd, buf, len);
	return (ssize_t)len;
}

static int sink_close(void *cookie)
{
	struct log_sink *s = cookie;
	int r = close(s->fd);

	if (keeper_sink == s) {
		keeper_sink = NULL;
		keeper_log = NULL;
	}
	free(s);
	return r;
}

int nr_keeper_log_path(const char *dir, const char *id, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "%s/%s" NR_KEEPER_LOG_SUFFIX, dir ? dir : NR_RUN_DIR, id);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

FILE *nr_keeper_log_fdopen(int fd, const char *path, long max)
{
	static const cookie_io_functions_t io = { .write = sink_write, .close = sink_close };
	struct log_sink *s;
	FILE *f;

	if (keeper_log) {
		errno = EBUSY;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->fd = fd;
	s->max = max;
	snprintf(s->path, sizeof(s->path), "%s", path);
	f = fopencookie(s, "a", io);
	if (!f) {
		free(s);
		return NULL;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	keeper_log = f;
	keeper_sink = s;
	return f;
}

void nr_keeper_logf(FILE *log, const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char when[32] = "";
	va_list ap;

	if (!log)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (gmtime_r(&ts.tv_sec, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(log, "%s keeper %d: ", when, (int)getpid());
	va_start(ap, fmt);
	vfprintf(log, fmt, ap);
	va_end(ap);
	fputc('\n', log);
	fflush(log);
}

int nr_keeper_log_outcome(const char *path, char *ret_reason, size_t cap)
{
	static const char failed[] = "teardown failed: ", done[] = "teardown done";
	size_t len = 0, size = NR_KEEPER_LOG_MAX + 64 * 1024;
	char *text = NULL, *line, *next, *reason = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = -ENODATA;
	ssize_t n;

	if (fd < 0)
		return -errno;
	text = malloc(size + 1);
	if (!text) {
		r = -ENOMEM;
		goto out;
	}
	/* Bounded read: the sink keeps the file near NR_KEEPER_LOG_MAX; a
	 * longer one (not the keeper's) is judged on its beginning. */
	while (len < size && (n = read(fd, text + len, size - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		len += (size_t)n;
	}
	text[len] = '\0';
	/* The last outcome wins: a later `down` may have finished the job. */
	for (line = text; line && *line; line = next) {
		char *p;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if ((p = strstr(line, failed))) {
			reason = p + sizeof(failed) - 1;
			r = 1;
		} else if (strstr(line, done)) {
			reason = NULL;
			r = 0;
		}
	}
	if (r == 1 && ret_reason)
		snprintf(ret_reason, cap, "%s", reason);
out:
	free(text);
	close(fd);
	return r;
}

void nr_keeper_sigset(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

int nr_keeper_teardown(struct nr_run *run, struct nr_lab *lab, unsigned timeout_ms, FILE *log)
{
	struct nr_run_teardown_stats st = { 0 };
	struct nr_os_error err = { 0 };
	bool own = log && log == keeper_log;
	int r;

	/* TUN/TAP files pin their namespace: closed first, or the wait would
	 * never see it destroyed. */
	nr_lab_free(lab);
	r = nr_run_teardown(run, timeout_ms, &st, &err);
	if (own) {
		/* The outcome is what `down` and `list` read: past the cap too. */
		keeper_sink->final = true;
		if (r < 0)
			nr_keeper_logf(log, "run %s: teardown failed: %s", nr_run_id(run), err.msg);
		else
			nr_keeper_logf(log, "run %s: teardown done: %zu namespaces in %.1f ms",
				       nr_run_id(run), st.ns_deleted,
				       (double)(st.ns_delete_ns + st.wait_ns) / 1e6);
		keeper_sink->final = false;
		/* Nothing left to explain: only failures keep a record. */
		if (r == 0)
			unlink(keeper_sink->path);
	} else if (r < 0 && log) {
		fprintf(log, "netrig: tearing down run %s: %s\n", nr_run_id(run), err.msg);
	} else if (log) {
		fprintf(log, "run %s down: %zu namespaces in %.1f ms\n", nr_run_id(run),
			st.ns_deleted, (double)(st.ns_delete_ns + st.wait_ns) / 1e6);
	}
	nr_run_close(run);
	return r;
}

static const char *sig_name(int sig)
{
	const char *s = sig > 0 ? sigabbrev_np(sig) : NULL;

	return s ? s : "?";
}

int nr_keeper_serve(struct nr_run *run, struct nr_lab *lab, unsigned timeout_ms, FILE *log)
{
	siginfo_t si = { 0 };
	sigset_t set;
	int sig, r;

	nr_keeper_sigset(&set);
	do
		sig = sigwaitinfo(&set, &si);
	while (sig < 0 && errno == EINTR);
	if (log == keeper_log)
		nr_keeper_logf(log, "SIG%s from pid %d: tearing down", sig_name(sig),
			       (int)si.si_pid);
	r = nr_keeper_teardown(run, lab, timeout_ms, log);
	return r < 0 ? r : sig;
}

int nr_keeper_serve_hosts(struct nr_run *run, struct nr_lab *lab, struct nr_topo_hosts *hosts,
			  unsigned timeout_ms, FILE *log)
{
	sigset_t set;
	int sig, r;

	if (!hosts || nr_topo_hosts_count(hosts) == 0) {
		nr_topo_hosts_free(hosts);
		return nr_keeper_serve(run, lab, timeout_ms, log);
	}
	nr_keeper_sigset(&set);
	sig = nr_topo_hosts_serve(hosts, &set);
	if (sig < 0 && log)
		fprintf(log, "netrig: emulated hosts: %s\n", strerror(-sig));
	else if (log == keeper_log)
		nr_keeper_logf(log, "SIG%s: tearing down", sig_name(sig));
	if (log)
		nr_topo_hosts_print_counters(hosts, log);
	nr_topo_hosts_free(hosts);
	r = nr_keeper_teardown(run, lab, timeout_ms, log);
	return r < 0 ? r : sig;
}
