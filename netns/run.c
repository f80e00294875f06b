/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Run ids, the journal, bulk teardown and clean (see run.h for the
 * journal's format and why its flock is the liveness test).
 *
 * Waiting for a namespace to be gone. Deleting a named namespace only
 * drops a reference; the kernel destroys it later in cleanup_net(), a work
 * item of an ordered workqueue that takes every namespace queued so far as
 * one batch. cleanup_net() first removes the batch's nsids from every peer
 * namespace, sending RTM_DELNSID to each peer's RTNLGRP_NSID listeners,
 * and only then unregisters the batch's devices. So the RTM_DELNSID of a
 * run's namespaces says their cleanup has begun, not that it is over. To
 * know the devices are gone, a barrier: an empty namespace released after
 * every RTM_DELNSID of the run has arrived is necessarily in a later batch,
 * which the ordered workqueue runs only after the run's batch is finished;
 * its own RTM_DELNSID therefore means the run's devices are gone.
 * tests/netns/test_lifecycle_teardown.c checks this with a veth whose peer
 * stays in the test's namespace.
 *
 * The barrier's price is a whole cleanup_net of its own after the run's
 * (30-40 ms measured, at any N: RCU grace periods), so it is the fallback.
 * First a witness: before the namespaces are released, a veth joins the
 * one released last to a private helper namespace, whose sockets receive
 * both the RTM_DELNSIDs (the nsids are the helper's) and the witness's
 * RTM_DELLINK, in the kernel's order. Every namespace released before the
 * last is in its batch or an earlier one; a batch unregisters all its
 * devices in one unregister_netdevice_many, which unlists them all before
 * it announces any RTM_DELLINK. So a witness RTM_DELLINK that comes after
 * every RTM_DELNSID means the devices are gone. If some RTM_DELNSID comes
 * after it (a namespace a process held, freed by the kill), that one is in
 * a later batch: the barrier then waits for it.
 */
#include "netrig/run.h"
#include "netrig/nlsock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#define NETNS_RUN_DIR "/run/netns"
#define JOURNAL_SUFFIX ".run"
#define JOURNAL_MAX (1u << 20) /* a journal never grows near this */

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

struct nr_run {
	int fd; /* O_APPEND, LOCK_EX held */
	char id[NR_RUN_ID_LEN + 1];
	char dir[PATH_MAX];
	char path[PATH_MAX];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* --- ids and names --- */

int nr_run_id_new(char ret[NR_RUN_ID_LEN + 1])
{
	uint32_t v;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		return errno ? -errno : -EIO;
	for (int i = 0; i < NR_RUN_ID_LEN; i++) {
		ret[i] = b32[v & 31u];
		v >>= 5;
	}
	ret[NR_RUN_ID_LEN] = '\0';
	return 0;
}

bool nr_run_id_valid(const char *s)
{
	if (!s || strlen(s) != NR_RUN_ID_LEN)
		return false;
	for (int i = 0; i < NR_RUN_ID_LEN; i++)
		if (!strchr(b32, s[i]) || !s[i])
			return false;
	return true;
}

int nr_run_ns_name(const char *id, const char *node, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, NR_RUN_NS_PREFIX "%s-%s", id, node);

	if (n < 0 || (size_t)n >= cap)
		return -ENAMETOOLONG;
	return 0;
}

int nr_run_ns_parse(const char *nsname, char ret_id[NR_RUN_ID_LEN + 1])
{
	size_t pl = strlen(NR_RUN_NS_PREFIX);
	char id[NR_RUN_ID_LEN + 1];

	if (strncmp(nsname, NR_RUN_NS_PREFIX, pl) || strlen(nsname) < pl + NR_RUN_ID_LEN + 2 ||
	    nsname[pl + NR_RUN_ID_LEN] != '-')
		return -EINVAL;
	memcpy(id, nsname + pl, NR_RUN_ID_LEN);
	id[NR_RUN_ID_LEN] = '\0';
	if (!nr_run_id_valid(id))
		return -EINVAL;
	memcpy(ret_id, id, sizeof(id));
	return 0;
}

uint32_t nr_run_group(const char *id)
{
	uint32_t v = 0;

	/* The id's 30 bits, plus bit 30 so the group is never 0 (default). */
	for (int i = NR_RUN_ID_LEN - 1; i >= 0; i--) {
		const char *p = strchr(b32, id[i]);

		v = (v << 5) | (uint32_t)(p ? p - b32 : 0);
	}
	return v | (1u << 30);
}

/* --- processes --- */

int nr_run_proc_start(pid_t pid, unsigned long long *ret)
{
	char path[64], buf[1024], *p;
	unsigned long long start;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields restart after the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -EBADMSG;
	p++;
	/* " S ppid ...": each space starts the next field; starttime is 22. */
	for (field = 2; field < 22 && *p; p++)
		if (*p == ' ')
			field++;
	if (field != 22 || sscanf(p, "%llu", &start) != 1)
		return -EBADMSG;
	*ret = start;
	return 0;
}

bool nr_run_owner_alive(pid_t pid, unsigned long long start)
{
	unsigned long long s;

	return pid > 0 && nr_run_proc_start(pid, &s) == 0 && s == start;
}

/* --- the journal --- */

static const char *dir_or_default(const char *dir)
{
	return dir && *dir ? dir : NR_RUN_DIR;
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

static int journal_line(struct nr_run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int journal_line(struct nr_run *run, const char *fmt, ...)
{
	char buf[4352];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf) - 1)
		return -ENAMETOOLONG;
	buf[n++] = '\n';
	return write_all(run->fd, buf, (size_t)n);
}

static bool has_ns_with_id(const char *id)
{
	char prefix[NR_RUN_NSNAME_MAX];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(prefix, sizeof(prefix), NR_RUN_NS_PREFIX "%s-", id);
	d = opendir(NETNS_RUN_DIR);
	if (!d)
		return false;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, prefix, strlen(prefix))) {
			found = true;
			break;
		}
	closedir(d);
	return found;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int nr_run_create(const char *dir, const char *topo_path, const char *topo_name, bool persistent,
		  struct nr_run **ret, struct nr_os_error *err)
{
	struct nr_run *run = NULL;
	char tmp[PATH_MAX] = "";
	unsigned long long start = 0;
	int r, tries;

	dir = dir_or_default(dir);
	if (strchr(topo_path ? topo_path : "", '\n') || strchr(topo_name ? topo_name : "", '\n'))
		return nr_os_error_set(err, -EINVAL, "journal: newline in topology path or name");
	run = calloc(1, sizeof(*run));
	if (!run)
		return nr_os_error_set(err, -ENOMEM, "out of memory");
	run->fd = -1;
	snprintf(run->dir, sizeof(run->dir), "%s", dir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		r = nr_os_error_set(err, -errno, "creating %s: %s", dir, strerror(errno));
		goto out;
	}

	/* Bounded: 30 random bits make a second try already unlikely. */
	for (tries = 0; tries < 16; tries++) {
		struct stat st;

		r = nr_run_id_new(run->id);
		if (r < 0) {
			nr_os_error_set(err, r, "getrandom: %s", strerror(-r));
			goto out;
		}
		snprintf(run->path, sizeof(run->path), "%s/%s" JOURNAL_SUFFIX, dir, run->id);
		if (stat(run->path, &st) == 0 || has_ns_with_id(run->id))
			continue;
		break;
	}
	if (tries == 16) {
		r = nr_os_error_set(err, -EEXIST, "no free run id in %s", dir);
		goto out;
	}

	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp-%d", dir, run->id, (int)getpid());
	run->fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
	if (run->fd < 0) {
		r = nr_os_error_set(err, -errno, "creating %s: %s", tmp, strerror(errno));
		tmp[0] = '\0';
		goto out;
	}
	if (flock(run->fd, LOCK_EX) < 0) {
		r = nr_os_error_set(err, -errno, "locking %s: %s", tmp, strerror(errno));
		goto out;
	}
	nr_run_proc_start(getpid(), &start);
	r = journal_line(run,
			 "netrig-run 1\nid %s\nname %s\ntopo %s\npersistent %d\ncreated %lld\n"
			 "owner %d %llu",
			 run->id, topo_name ? topo_name : "", topo_path ? topo_path : "",
			 persistent ? 1 : 0, (long long)time(NULL), (int)getpid(), start);
	if (r < 0 || fsync(run->fd) < 0) {
		r = nr_os_error_set(err, r < 0 ? r : -errno, "writing journal %s: %s", tmp,
				    strerror(r < 0 ? -r : errno));
		goto out;
	}
	/* Into place only now, locked and complete; never over another run's. */
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, run->path, RENAME_NOREPLACE) < 0) {
		r = nr_os_error_set(err, -errno, "journal %s: %s", run->path, strerror(errno));
		goto out;
	}
	tmp[0] = '\0';
	fsync_dir(dir);
	*ret = run;
	run = NULL;
	r = 0;
out:
	if (tmp[0])
		unlink(tmp);
	nr_run_close(run);
	return r;
}

int nr_run_adopt(const char *dir, const char *id, struct nr_run **ret, struct nr_os_error *err)
{
	struct nr_run *run = NULL;
	struct stat a, b;
	int r;

	if (!nr_run_id_valid(id))
		return nr_os_error_set(err, -EINVAL, "bad run id '%s'", id);
	run = calloc(1, sizeof(*run));
	if (!run)
		return nr_os_error_set(err, -ENOMEM, "out of memory");
	dir = dir_or_default(dir);
	snprintf(run->id, sizeof(run->id), "%s", id);
	snprintf(run->dir, sizeof(run->dir), "%s", dir);
	snprintf(run->path, sizeof(run->path), "%s/%s" JOURNAL_SUFFIX, dir, id);
	run->fd = open(run->path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (run->fd < 0) {
		r = nr_os_error_set(err, -errno, "no run '%s' (%s)", id, strerror(errno));
		goto out;
	}
	if (flock(run->fd, LOCK_EX | LOCK_NB) < 0) {
		r = errno == EWOULDBLOCK ? -EBUSY : -errno;
		nr_os_error_set(err, r, "run '%s' is live (its owner holds the journal)", id);
		goto out;
	}
	/* Another clean may have finished with it and unlinked it meanwhile. */
	if (fstat(run->fd, &a) < 0 || stat(run->path, &b) < 0 || a.st_ino != b.st_ino ||
	    a.st_dev != b.st_dev) {
		r = nr_os_error_set(err, -ENOENT, "run '%s' was removed meanwhile", id);
		goto out;
	}
	*ret = run;
	run = NULL;
	r = 0;
out:
	nr_run_close(run);
	return r;
}

void nr_run_close(struct nr_run *run)
{
	if (!run)
		return;
	if (run->fd >= 0)
		close(run->fd);
	free(run);
}

const char *nr_run_id(const struct nr_run *run)
{
	return run->id;
}

const char *nr_run_dir(const struct nr_run *run)
{
	return run->dir;
}

int nr_run_add_ns(struct nr_run *run, const char *const *names, size_t n, struct nr_os_error *err)
{
	int r;

	for (size_t i = 0; i < n; i++) {
		if (strchr(names[i], '\n') || strchr(names[i], '/'))
			return nr_os_error_set(err, -EINVAL, "bad namespace name '%s'", names[i]);
		/* Longer than nr_run_ns_name makes: a journal could not be read back. */
		if (strlen(names[i]) >= NR_RUN_NSNAME_MAX)
			return nr_os_error_set(err, -ENAMETOOLONG,
					       "namespace name '%s' longer than %d characters",
					       names[i], NR_RUN_NSNAME_MAX - 1);
		r = journal_line(run, "ns %s", names[i]);
		if (r < 0)
			return nr_os_error_set(err, r, "writing journal %s: %s", run->path,
					       strerror(-r));
	}
	/* Before any of them exists: a crash after this leaves them findable. */
	if (fdatasync(run->fd) < 0)
		return nr_os_error_set(err, -errno, "syncing journal %s: %s", run->path,
				       strerror(errno));
	return 0;
}

int nr_run_note(struct nr_run *run, const char *node, const char *kind, const char *name)
{
	if (strpbrk(node, " \n") || strpbrk(kind, " \n") || strchr(name, '\n'))
		return -EINVAL;
	return journal_line(run, "obj %s %s %s", node, kind, name);
}

int nr_run_set_owner(struct nr_run *run, pid_t pid, struct nr_os_error *err)
{
	unsigned long long start;
	int r = nr_run_proc_start(pid, &start);

	if (r < 0)
		return nr_os_error_set(err, r, "owner %d: %s", (int)pid, strerror(-r));
	r = journal_line(run, "owner %d %llu", (int)pid, start);
	if (r == 0 && fdatasync(run->fd) < 0)
		r = -errno;
	if (r < 0)
		return nr_os_error_set(err, r, "writing journal %s: %s", run->path, strerror(-r));
	return 0;
}

/* --- reading journals --- */

void nr_run_info_done(struct nr_run_info *info)
{
	if (!info)
		return;
	free(info->ns);
	free(info->objs);
	info->ns = NULL;
	info->objs = NULL;
	info->nns = info->nobjs = 0;
}

static int info_parse(char *text, struct nr_run_info *info)
{
	char *save = NULL, *line;
	size_t cap_ns = 0, cap_objs = 0;
	bool magic = false;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *val = strchr(line, ' ');

		if (!val)
			continue;
		*val++ = '\0';
		if (!strcmp(line, "netrig-run")) {
			magic = true;
		} else if (!strcmp(line, "id")) {
			if (!nr_run_id_valid(val))
				return -EBADMSG;
			snprintf(info->id, sizeof(info->id), "%s", val);
		} else if (!strcmp(line, "name")) {
			snprintf(info->name, sizeof(info->name), "%s", val);
		} else if (!strcmp(line, "topo")) {
			snprintf(info->topo, sizeof(info->topo), "%s", val);
		} else if (!strcmp(line, "persistent")) {
			info->persistent = atoi(val) != 0;
		} else if (!strcmp(line, "created")) {
			info->created = atoll(val);
		} else if (!strcmp(line, "owner")) {
			int pid;
			unsigned long long start;

			if (sscanf(val, "%d %llu", &pid, &start) == 2) {
				info->owner = pid;
				info->owner_start = start;
			}
		} else if (!strcmp(line, "ns") || !strcmp(line, "obj")) {
			bool ns = line[0] == 'n';
			size_t *n = ns ? &info->nns : &info->nobjs, *cap = ns ? &cap_ns : &cap_objs;
			size_t width = ns ? sizeof(*info->ns) : sizeof(*info->objs);
			char *arr = ns ? (char *)info->ns : (char *)info->objs;

			/* An ns line longer than any name netrig makes is no journal
			 * of netrig's; dropping it would hide a namespace. */
			if (strlen(val) >= width) {
				if (ns)
					return -EBADMSG;
				continue;
			}
			if (*n == *cap) {
				size_t nc = *cap ? *cap * 2 : 16;
				char *p = realloc(arr, nc * width);

				if (!p)
					return -ENOMEM;
				arr = p;
				*cap = nc;
				if (ns)
					info->ns = (void *)p;
				else
					info->objs = (void *)p;
			}
			memcpy(arr + *n * width, val, strlen(val) + 1);
			(*n)++;
		}
	}
	return magic && info->id[0] ? 0 : -EBADMSG;
}

/* Read a journal from an open fd (any offset) into info. */
static int info_read_fd(int fd, struct nr_run_info *info)
{
	struct stat st;
	char *text;
	ssize_t n;
	int r;

	if (fstat(fd, &st) < 0)
		return -errno;
	if ((size_t)st.st_size > JOURNAL_MAX)
		return -EFBIG;
	text = malloc((size_t)st.st_size + 1);
	if (!text)
		return -ENOMEM;
	n = pread(fd, text, (size_t)st.st_size, 0);
	if (n < 0) {
		r = -errno;
		free(text);
		return r;
	}
	text[n] = '\0';
	memset(info, 0, sizeof(*info));
	r = info_parse(text, info);
	free(text);
	if (r < 0)
		nr_run_info_done(info);
	return r;
}

/* Read dir/<file>; live is whether another holder has the lock. */
static int info_read_path(const char *path, struct nr_run_info *info)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = info_read_fd(fd, info);
	if (r == 0) {
		/* A shared lock can be had only when no owner holds LOCK_EX. */
		if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
			info->live = false;
			flock(fd, LOCK_UN);
		} else {
			info->live = true;
		}
	}
	close(fd);
	return r;
}

static int cmp_info(const void *a, const void *b)
{
	const struct nr_run_info *x = a, *y = b;

	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

static bool journal_file(const char *name, char ret_id[NR_RUN_ID_LEN + 1])
{
	size_t n = strlen(name), sl = strlen(JOURNAL_SUFFIX);

	if (n != NR_RUN_ID_LEN + sl || strcmp(name + NR_RUN_ID_LEN, JOURNAL_SUFFIX))
		return false;
	memcpy(ret_id, name, NR_RUN_ID_LEN);
	ret_id[NR_RUN_ID_LEN] = '\0';
	return nr_run_id_valid(ret_id);
}

int nr_run_list(const char *dir, struct nr_run_info **ret, size_t *ret_n, struct nr_os_error *err)
{
	struct nr_run_info *runs = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int r = 0;

	dir = dir_or_default(dir);
	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT) {
			*ret = NULL;
			*ret_n = 0;
			return 0;
		}
		return nr_os_error_set(err, -errno, "reading %s: %s", dir, strerror(errno));
	}
	while ((de = readdir(d))) {
		char id[NR_RUN_ID_LEN + 1], path[PATH_MAX];

		if (!journal_file(de->d_name, id))
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct nr_run_info *p = realloc(runs, nc * sizeof(*p));

			if (!p) {
				r = nr_os_error_set(err, -ENOMEM, "out of memory");
				goto out;
			}
			runs = p;
			cap = nc;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		/* Gone meanwhile (a down) or unreadable: not a run to show. */
		if (info_read_path(path, &runs[n]) < 0)
			continue;
		n++;
	}
	if (n)
		qsort(runs, n, sizeof(*runs), cmp_info);
	*ret = runs;
	*ret_n = n;
	runs = NULL;
	n = 0;
out:
	closedir(d);
	nr_run_list_free(runs, n);
	return r;
}

void nr_run_list_free(struct nr_run_info *runs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		nr_run_info_done(&runs[i]);
	free(runs);
}

int nr_run_find(const char *dir, const char *id_or_name, struct nr_run_info *ret,
		struct nr_os_error *err)
{
	struct nr_run_info *runs;
	size_t n, found = SIZE_MAX, matches = 0;
	int r = nr_run_list(dir, &runs, &n, err);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(runs[i].id, id_or_name)) {
			found = i;
			matches = 1;
			break;
		}
	if (!matches)
		for (size_t i = 0; i < n; i++)
			if (!strcmp(runs[i].name, id_or_name)) {
				found = i;
				matches++;
			}
	if (matches == 0) {
		r = nr_os_error_set(err, -ENOENT, "no run '%s' (see 'netrig list')", id_or_name);
	} else if (matches > 1) {
		r = nr_os_error_set(err, -EEXIST,
				    "%zu runs of topology '%s'; name one by its run id "
				    "(see 'netrig list')",
				    matches, id_or_name);
	} else {
		*ret = runs[found];
		memset(&runs[found], 0, sizeof(runs[found]));
		r = 0;
	}
	nr_run_list_free(runs, n);
	return r;
}

/* --- bulk deletion, waiting by netlink events --- */

static int nl_socket(bool events, struct nr_os_error *err)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int one = 1, sz = 4 << 20;

	if (fd < 0)
		return nr_os_error_set(err, -errno, "netlink socket: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return nr_os_error_set(err, -e, "netlink bind: %s", strerror(e));
	}
	if (events) {
		/* Link events too: the witness's RTM_DELLINK (wait_fds). */
		int grp[2] = { RTNLGRP_NSID, RTNLGRP_LINK };

		for (int i = 0; i < 2; i++)
			if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp[i],
				       sizeof(grp[i])) < 0) {
				int e = errno;

				close(fd);
				return nr_os_error_set(err, -e, "subscribing to rtnetlink group %d: %s",
						       grp[i], strerror(e));
			}
	}
	return fd;
}

/* The NETNSA_NSID of an RTM_NEWNSID / RTM_DELNSID message. */
static bool nsid_attr(const struct nlmsghdr *h, int32_t *ret)
{
	size_t hl = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct rtgenmsg)));
	const char *p = (const char *)h + hl, *end = (const char *)h + h->nlmsg_len;

	if (h->nlmsg_len < hl)
		return false;
	while (end - p >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;

		size_t room = (size_t)(end - p);

		if (a->nla_len < NLA_HDRLEN || a->nla_len > room)
			return false;
		if ((a->nla_type & NLA_TYPE_MASK) == NETNSA_NSID &&
		    a->nla_len >= NLA_HDRLEN + sizeof(int32_t)) {
			memcpy(ret, p + NLA_HDRLEN, sizeof(*ret));
			return true;
		}
		if ((size_t)NLA_ALIGN(a->nla_len) >= room)
			break;
		p += NLA_ALIGN(a->nla_len);
	}
	return false;
}

struct nsreq {
	struct nlmsghdr h;
	struct rtgenmsg g;
	char pad[3];
	struct nlattr a_fd;
	uint32_t fd;
	struct nlattr a_id;
	int32_t id;
};

/*
 * Give each namespace fd an nsid in the caller's namespace (or read the
 * one it has) so that its destruction is announced by RTM_DELNSID.
 * Pipelined: one send, 2n answers matched by sequence number, each
 * counted once (a repeated or stray sequence number cannot end the wait
 * early and leave an id unread), and the wait bounded by deadline.
 */
static int assign_nsids(int sk, const int *fds, int32_t *ids, size_t n, uint64_t deadline,
			struct nr_os_error *err)
{
	size_t per = 2 * NLMSG_ALIGN(sizeof(struct nsreq)), got = 0, want = 2 * n;
	char *buf = calloc(n ? n : 1, per), *rbuf = NULL;
	bool *seen = calloc(want ? want : 1, sizeof(*seen));
	size_t off = 0, rcap = 1 << 16;
	int r = 0;

	rbuf = malloc(rcap);
	if (!buf || !rbuf || !seen) {
		r = nr_os_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < 2; k++) {
			struct nsreq *q = (struct nsreq *)(buf + off);

			q->h.nlmsg_len = sizeof(*q);
			q->h.nlmsg_type = k == 0 ? RTM_NEWNSID : RTM_GETNSID;
			q->h.nlmsg_flags = NLM_F_REQUEST | (k == 0 ? NLM_F_ACK : 0);
			q->h.nlmsg_seq = (uint32_t)(2 * i + (size_t)k + 1);
			q->g.rtgen_family = AF_UNSPEC;
			q->a_fd.nla_len = NLA_HDRLEN + sizeof(uint32_t);
			q->a_fd.nla_type = NETNSA_FD;
			q->fd = (uint32_t)fds[i];
			if (k == 0) {
				q->a_id.nla_len = NLA_HDRLEN + sizeof(int32_t);
				q->a_id.nla_type = NETNSA_NSID;
				q->id = NETNSA_NSID_NOT_ASSIGNED; /* the kernel picks */
			} else {
				q->h.nlmsg_len = offsetof(struct nsreq, a_id);
			}
			off += NLMSG_ALIGN(q->h.nlmsg_len);
		}
		ids[i] = NETNSA_NSID_NOT_ASSIGNED;
	}
	for (size_t sent = 0; sent < off;) {
		ssize_t k = send(sk, buf + sent, off - sent, 0);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			r = nr_os_error_set(err, -errno, "RTM_NEWNSID: %s", strerror(errno));
			goto out;
		}
		sent += (size_t)k;
	}
	while (got < want) {
		struct pollfd p = { .fd = sk, .events = POLLIN };
		uint64_t now = now_ns();
		ssize_t len;
		int k;

		if (now >= deadline) {
			r = nr_os_error_set(err, -ETIMEDOUT,
					    "RTM_GETNSID: %zu of %zu answers in time", got, want);
			goto out;
		}
		k = poll(&p, 1, (int)((deadline - now) / 1000000u) + 1);
		if (k < 0 && errno != EINTR) {
			r = nr_os_error_set(err, -errno, "poll: %s", strerror(errno));
			goto out;
		}
		if (k <= 0)
			continue;
		len = recv(sk, rbuf, rcap, MSG_DONTWAIT);
		if (len < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			r = nr_os_error_set(err, -errno, "RTM_GETNSID: %s", strerror(errno));
			goto out;
		}
		int left = (int)len;

		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			size_t seq = h->nlmsg_seq;

			if (seq < 1 || seq > want || seen[seq - 1])
				continue;
			seen[seq - 1] = true;
			got++;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				/* EEXIST: it already has an nsid here, read below. */
				if (e->error && e->error != -EEXIST && !r) {
					char msg[128];

					nr_nlmsg_ext_ack(h, msg, sizeof(msg));
					r = nr_os_error_set(err, e->error, "RTM_NEWNSID: %s",
							    msg[0] ? msg : strerror(-e->error));
				}
			} else if (h->nlmsg_type == RTM_NEWNSID && seq % 2 == 0) {
				nsid_attr(h, &ids[seq / 2 - 1]);
			}

		}
	}
	if (!r)
		for (size_t i = 0; i < n; i++)
			if (ids[i] < 0) {
				r = nr_os_error_set(err, -EIO, "RTM_GETNSID: no nsid for a namespace");
				break;
			}
out:
	free(buf);
	free(rbuf);
	free(seen);
	return r;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/*
 * Wait until every id in ids (sorted) has had its RTM_DELNSID; ids are set
 * to -1 as they go. Bounded by deadline (CLOCK_MONOTONIC ns).
 * With a witness (its ifindex in the socket's namespace, else 0), also
 * until its RTM_DELLINK; *ret_witnessed says whether it came after every
 * RTM_DELNSID, which proves the devices gone (see wait_fds).
 */
static int wait_delnsid(int ev, int32_t *ids, size_t n, int witness, bool *ret_witnessed,
			uint64_t deadline, struct nr_os_error *err)
{
	size_t left = n;
	bool seen = false;
	char buf[1 << 16];

	while (left || (witness && !seen)) {
		uint64_t now = now_ns();
		struct pollfd p = { .fd = ev, .events = POLLIN };
		ssize_t len;
		int k, mlen;

		if (now >= deadline)
			return nr_os_error_set(err, -ETIMEDOUT,
					       "%zu namespace(s) not destroyed in time (a process or "
					       "socket may still hold them)",
					       left);
		k = poll(&p, 1, (int)((deadline - now) / 1000000u) + 1);
		if (k < 0 && errno != EINTR)
			return nr_os_error_set(err, -errno, "poll: %s", strerror(errno));
		if (k <= 0)
			continue;
		len = recv(ev, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			/* ENOBUFS: events were lost, so the wait cannot be trusted. */
			return nr_os_error_set(err, -errno, "RTNLGRP_NSID events: %s",
					       strerror(errno));
		}
		mlen = (int)len;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, mlen);
		     h = NLMSG_NEXT(h, mlen)) {
			int32_t id, *hit;

			if (h->nlmsg_type == RTM_DELLINK && witness && !seen &&
			    h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifinfomsg))) {
				const struct ifinfomsg *ifi = NLMSG_DATA(h);

				if (ifi->ifi_index == witness) {
					seen = true;
					if (ret_witnessed)
						*ret_witnessed = left == 0;
				}
				continue;
			}
			if (h->nlmsg_type != RTM_DELNSID || !nsid_attr(h, &id))
				continue;
			hit = bsearch(&id, ids, n, sizeof(*ids), cmp_i32);
			if (hit && left) {
				/* Done: flipped negative, so no longer found. */
				*hit = ~*hit;
				left--;
			}
		}
		/* Flipped ids break the order bsearch needs. */
		qsort(ids, n, sizeof(*ids), cmp_i32);
	}
	return 0;
}

/*
 * This thread into a new, empty network namespace; *ret_self holds the
 * one it left, for leave_netns. Errors leave the thread where it was.
 */
static int enter_new_netns(int *ret_self, struct nr_os_error *err)
{
	int self = nr_ns_thread_save(err), e;

	*ret_self = -1; /* set on every path: GCC -O3 cannot see the errors are negative */
	if (self < 0)
		return self;
	if (unshare(CLONE_NEWNET) < 0) {
		e = errno;
		close(self);
		return nr_os_error_set(err, -e, "unshare(CLONE_NEWNET): %s", strerror(e));
	}
	*ret_self = self;
	return 0;
}

static void leave_netns(int self)
{
	nr_ns_thread_return(self, "a helper namespace");
	close(self);
}

/*
 * The wait's own namespace: its sockets (events, requests) are made in a
 * new, empty namespace that only they hold, so the witness below never
 * puts a device into the caller's namespace (the host's, for `down`). It
 * dies with the sockets, after the wait, unwaited for.
 */
static int helper_sockets(int *ret_ev, int *ret_rq, struct nr_os_error *err)
{
	int self, ev = -1, rq = -1, e;

	e = enter_new_netns(&self, err);
	if (e < 0)
		return e;
	ev = nl_socket(true, err);
	if (ev >= 0)
		rq = nl_socket(false, err);
	leave_netns(self);
	if (ev < 0 || rq < 0) {
		if (ev >= 0)
			close(ev);
		return ev < 0 ? ev : rq;
	}
	*ret_ev = ev;
	*ret_rq = rq;
	return 0;
}

#define WITNESS_INDEX 2 /* the helper namespace's first device after lo */

static void wput(char **p, const void *data, size_t len)
{
	memcpy(*p, data, len);
	*p += NLMSG_ALIGN(len);
}

/* An attribute; a nest when data is NULL (its length set by the caller). */
static struct nlattr *wattr(char **p, uint16_t type, const void *data, size_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = type };
	struct nlattr *at = (struct nlattr *)*p;

	wput(p, &a, sizeof(a));
	if (data)
		wput(p, data, len);
	return at;
}

/*
 * A veth whose one end (WITNESS_INDEX) is in the helper namespace and
 * whose other end is in ns_fd. Best effort: 0 if made, else negative
 * (the wait then uses the barrier alone). Answers are read until the
 * ack or the deadline.
 */
static int make_witness(int rq, int ns_fd, uint64_t deadline)
{
	struct {
		struct nlmsghdr h;
		char b[256];
	} q = { 0 };
	char rbuf[4096];
	char *p = (char *)&q + NLMSG_HDRLEN;
	struct ifinfomsg ifi = { .ifi_index = WITNESS_INDEX };
	struct nlattr *li, *data, *peer;
	uint32_t fd = (uint32_t)ns_fd;

	wput(&p, &ifi, sizeof(ifi));
	wattr(&p, IFLA_IFNAME, "nrw", 4);
	li = wattr(&p, IFLA_LINKINFO, NULL, 0);
	wattr(&p, IFLA_INFO_KIND, "veth", 5);
	data = wattr(&p, IFLA_INFO_DATA, NULL, 0);
	peer = wattr(&p, VETH_INFO_PEER, NULL, 0);
	ifi.ifi_index = 0;
	wput(&p, &ifi, sizeof(ifi));
	wattr(&p, IFLA_IFNAME, "nrwitness", 10);
	wattr(&p, IFLA_NET_NS_FD, &fd, sizeof(fd));
	peer->nla_len = (uint16_t)(p - (char *)peer);
	data->nla_len = (uint16_t)(p - (char *)data);
	li->nla_len = (uint16_t)(p - (char *)li);
	q.h.nlmsg_len = (uint32_t)(p - (char *)&q);
	q.h.nlmsg_type = RTM_NEWLINK;
	q.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	q.h.nlmsg_seq = 0x5a5a;
	if (send(rq, &q, q.h.nlmsg_len, 0) < 0)
		return -errno;
	for (int tries = 0; tries < 64; tries++) {
		struct pollfd pf = { .fd = rq, .events = POLLIN };
		uint64_t now = now_ns();
		ssize_t len;
		int left;

		if (now >= deadline)
			return -ETIMEDOUT;
		if (poll(&pf, 1, (int)((deadline - now) / 1000000u) + 1) <= 0)
			continue;
		len = recv(rq, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (len < 0)
			continue;
		left = (int)len;
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left))
			if (h->nlmsg_seq == 0x5a5a && h->nlmsg_type == NLMSG_ERROR)
				return ((const struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
	return -EIO;
}

/* An empty namespace, held by the returned fd only. */
static int barrier_ns(struct nr_os_error *err)
{
	int self, fd = -1, e;

	e = enter_new_netns(&self, err);
	if (e < 0)
		return e;
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	e = errno;
	leave_netns(self);
	if (fd < 0)
		return nr_os_error_set(err, -e, "opening barrier namespace: %s", strerror(e));
	return fd;
}

struct nsid_key {
	dev_t dev;
	ino_t ino;
};

/* SIGKILL every process whose network namespace is one of keys. */
static size_t kill_inside(const struct nsid_key *keys, size_t n)
{
	struct dirent *de;
	size_t killed = 0;
	pid_t self = getpid();
	DIR *d = opendir("/proc");

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[64];
		struct stat st;
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || pid == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
		if (stat(path, &st) < 0)
			continue;
		for (size_t i = 0; i < n; i++)
			if (keys[i].dev == st.st_dev && keys[i].ino == st.st_ino) {
				if (kill((pid_t)pid, SIGKILL) == 0)
					killed++;
				break;
			}
	}
	closedir(d);
	return killed;
}

static int unlink_ns(const char *path)
{
	/* As `ip netns del`: detach the bind mount, then the file. */
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return -errno;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* What nr_run_delete_ns does while the kernel destroys the namespaces. */
struct meanwhile {
	const char *const *names;
	size_t n;
	const struct nsid_key *keys;
	size_t nkeys;
	size_t killed;
	int err;
	char msg[160];
};

/*
 * The names' files (unmounted already) and the processes still inside:
 * neither holds the namespaces the kernel is destroying, so this runs
 * after they are released, on the CPU the kernel's cleanup work leaves.
 * A namespace a process holds dies once it is killed, in a later batch
 * the wait still sees.
 */
static void do_meanwhile(struct meanwhile *m)
{
	char path[PATH_MAX];

	m->killed = kill_inside(m->keys, m->nkeys);
	for (size_t i = 0; i < m->n; i++) {
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", m->names[i]);
		if (unlink(path) < 0 && errno != ENOENT && !m->err) {
			m->err = -errno;
			snprintf(m->msg, sizeof(m->msg), "deleting namespace %s: %s", m->names[i],
				 strerror(errno));
		}
	}
}

/* Steps after the namespaces' mounts are gone: nsids, close, wait. */
static int wait_fds(int *fds, size_t k, uint64_t deadline, struct meanwhile *m,
		    bool *ret_witnessed, struct nr_os_error *err)
{
	int32_t *ids = calloc(k + 1, sizeof(*ids));
	int ev = -1, rq = -1, bfd = -1, witness = 0, r;
	bool witnessed = false;
	size_t nids;

	if (!ids) {
		r = nr_os_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	r = helper_sockets(&ev, &rq, err);
	if (r < 0)
		goto out;
	r = assign_nsids(rq, fds, ids, k, deadline, err);
	if (r < 0)
		goto out;
	/* The witness lives in the namespace released last (fds close in
	 * order), so every other one is queued for destruction before it. */
	if (k > 0 && make_witness(rq, fds[k - 1], deadline) == 0)
		witness = WITNESS_INDEX;
	for (size_t i = 0; i < k; i++) {
		close(fds[i]);
		fds[i] = -1;
	}
	if (m)
		do_meanwhile(m);
	/* Two fds of one namespace (a name given twice, two names bound to
	 * one namespace) share its nsid, and its one RTM_DELNSID must not be
	 * waited for twice (that wait would only end at the deadline). */
	qsort(ids, k, sizeof(*ids), cmp_i32);
	nids = 0;
	for (size_t i = 0; i < k; i++)
		if (nids == 0 || ids[i] != ids[nids - 1])
			ids[nids++] = ids[i];
	r = wait_delnsid(ev, ids, nids, witness, &witnessed, deadline, err);
	if (r == 0 && witnessed && ret_witnessed)
		*ret_witnessed = true;
	if (r < 0 || witnessed)
		goto out;
	/* The barrier (see the top of this file). */
	bfd = barrier_ns(err);
	if (bfd < 0) {
		r = bfd;
		goto out;
	}
	r = assign_nsids(rq, &bfd, &ids[0], 1, deadline, err);
	if (r < 0)
		goto out;
	close(bfd);
	bfd = -1;
	r = wait_delnsid(ev, &ids[0], 1, 0, NULL, deadline, err);
out:
	for (size_t i = 0; i < k; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
	if (bfd >= 0)
		close(bfd);
	if (ev >= 0)
		close(ev);
	if (rq >= 0)
		close(rq);
	free(ids);
	return r;
}

int nr_run_wait_fds(int *fds, size_t n, unsigned timeout_ms, struct nr_os_error *err)
{
	return wait_fds(fds, n, now_ns() + (uint64_t)timeout_ms * 1000000u, NULL, NULL, err);
}

int nr_run_delete_ns(const char *const *names, size_t n, unsigned timeout_ms,
		     struct nr_run_teardown_stats *stats, struct nr_os_error *err)
{
	struct nr_run_teardown_stats st = { 0 };
	struct meanwhile mw;
	struct nsid_key *keys = calloc(n ? n : 1, sizeof(*keys));
	int *fds = malloc((n ? n : 1) * sizeof(*fds));
	uint64_t t0 = now_ns(), deadline = t0 + (uint64_t)timeout_ms * 1000000u;
	size_t k = 0;
	int r;

	if (!keys || !fds) {
		r = nr_os_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat s;
		int fd;

		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", names[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* A plain file left by a failed `ip netns add` is no namespace. */
		if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET || fstat(fd, &s) < 0) {
			close(fd);
			unlink_ns(path);
			continue;
		}
		keys[k].dev = s.st_dev;
		keys[k].ino = s.st_ino;
		fds[k++] = fd;
	}
	if (k == 0) {
		if (stats)
			*stats = st;
		r = 0;
		goto out;
	}
	/* As `ip netns del`, detach the bind mounts; the files go while the
	 * kernel works (do_meanwhile). */
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", names[i]);
		if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) {
			r = -errno;
			nr_os_error_set(err, r, "deleting namespace %s: %s", names[i], strerror(-r));
			goto out;
		}
	}
	st.ns_deleted = k;
	st.ns_delete_ns = now_ns() - t0;
	mw = (struct meanwhile){ .names = names, .n = n, .keys = keys, .nkeys = k };
	r = wait_fds(fds, k, deadline, &mw, &st.witnessed, err);
	k = 0; /* closed by wait_fds */
	st.procs_killed = mw.killed;
	if (r == 0 && mw.err)
		r = nr_os_error_set(err, mw.err, "%s", mw.msg);
	if (r < 0)
		goto out;
	st.wait_ns = now_ns() - t0 - st.ns_delete_ns;
	if (stats)
		*stats = st;
	r = 0;
out:
	if (fds)
		for (size_t i = 0; i < k; i++)
			close(fds[i]);
	free(keys);
	free(fds);
	return r;
}

int nr_run_teardown(struct nr_run *run, unsigned timeout_ms, struct nr_run_teardown_stats *stats,
		    struct nr_os_error *err)
{
	struct nr_run_info info;
	const char **names = NULL, *foreign = NULL;
	size_t k = 0;
	int r = info_read_fd(run->fd, &info);

	if (r < 0)
		return nr_os_error_set(err, r, "reading journal %s: %s", run->path, strerror(-r));
	names = calloc(info.nns ? info.nns : 1, sizeof(*names));
	if (!names) {
		r = nr_os_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	/* Only names of this run: whatever else a journal says is left alone
	 * (nothing kills or unlinks on a journal's word outside nr-<id>-*). */
	for (size_t i = 0; i < info.nns; i++) {
		char id[NR_RUN_ID_LEN + 1];

		if (nr_run_ns_parse(info.ns[i], id) < 0 || strcmp(id, run->id)) {
			if (!foreign)
				foreign = info.ns[i];
			continue;
		}
		names[k++] = info.ns[i];
	}
	if (strcmp(info.id, run->id)) {
		r = nr_os_error_set(err, -EBADMSG, "journal %s: id %s, not %s; nothing removed",
				    run->path, info.id, run->id);
		goto out;
	}
	r = nr_run_delete_ns(names, k, timeout_ms, stats, err);
	if (r < 0)
		goto out;
	/* The journal stays: it names what was not removed. */
	if (foreign) {
		r = nr_os_error_set(err, -EPERM,
				    "journal %s names namespace '%s', not one of run %s: left alone, "
				    "journal kept",
				    run->path, foreign, run->id);
		goto out;
	}
	/* Last: a crash before this leaves the journal for `clean`. */
	if (unlink(run->path) < 0 && errno != ENOENT) {
		r = nr_os_error_set(err, -errno, "removing %s: %s", run->path, strerror(errno));
		goto out;
	}
	r = 0;
out:
	free(names);
	nr_run_info_done(&info);
	return r;
}

/* --- clean --- */

/* Enter ns_fd on this thread only, make a NETLINK_ROUTE socket, come back. */
static int nl_socket_in(int ns_fd)
{
	int self = nr_ns_thread_save(NULL), fd, e;

	if (self < 0)
		return self;
	if (setns(ns_fd, CLONE_NEWNET) < 0) {
		e = -errno;
		close(self);
		return e;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	e = fd < 0 ? -errno : 0;
	nr_ns_thread_return(self, "a namespace being cleaned");
	close(self);
	return fd < 0 ? e : fd;
}

/*
 * Whether lo of a namespace fd carries run id's tag (alias "netrig:<id>"
 * and the run's group; topo_apply sets both when it creates a node). A
 * namespace netrig did not make has no reason to carry both, so this is
 * the proof `clean` needs before touching one no journal names: the
 * "nr-<id>-" form alone is a name anyone may use ("nr-router-1").
 * 1 tagged, 0 not, negative errno when lo could not be read.
 */
static int ns_fd_tagged(int ns_fd, const char *id)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} q = {
		.h = { .nlmsg_len = sizeof(q), .nlmsg_type = RTM_GETLINK,
		       .nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = 1 },
		.i = { .ifi_family = AF_UNSPEC, .ifi_index = 1 }, /* lo is always 1 */
	};
	char want[32], buf[32768];
	uint32_t group = 0;
	bool alias_ok = false, have_group = false;
	struct pollfd p;
	ssize_t len;
	int sk, r, left;

	snprintf(want, sizeof(want), "netrig:%s", id);
	sk = nl_socket_in(ns_fd);
	if (sk < 0)
		return sk;
	if (send(sk, &q, sizeof(q), 0) < 0) {
		r = -errno;
		goto out;
	}
	/* Bounded: the kernel answers at once; a lost answer is "unknown". */
	p = (struct pollfd){ .fd = sk, .events = POLLIN };
	r = poll(&p, 1, 2000);
	if (r <= 0) {
		r = r < 0 ? -errno : -ETIMEDOUT;
		goto out;
	}
	len = recv(sk, buf, sizeof(buf), MSG_DONTWAIT);
	if (len < 0) {
		r = -errno;
		goto out;
	}
	r = -EBADMSG;
	left = (int)len;
	for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
	     h = NLMSG_NEXT(h, left)) {
		size_t hl = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct ifinfomsg)));
		const char *a, *end;

		if (h->nlmsg_seq != 1)
			continue;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			r = e->error ? e->error : -EBADMSG;
			break;
		}
		if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < hl)
			break;
		a = (const char *)h + hl;
		end = (const char *)h + h->nlmsg_len;
		while (end - a >= NLA_HDRLEN) {
			const struct nlattr *at = (const struct nlattr *)a;
			size_t room = (size_t)(end - a), pl;
			const char *v = a + NLA_HDRLEN;

			if (at->nla_len < NLA_HDRLEN || at->nla_len > room)
				break;
			pl = at->nla_len - NLA_HDRLEN;
			if ((at->nla_type & NLA_TYPE_MASK) == IFLA_GROUP && pl >= sizeof(group)) {
				memcpy(&group, v, sizeof(group));
				have_group = true;
			} else if ((at->nla_type & NLA_TYPE_MASK) == IFLA_IFALIAS) {
				alias_ok = strnlen(v, pl) == strlen(want) &&
					   !memcmp(v, want, strlen(want));
			}
			if ((size_t)NLA_ALIGN(at->nla_len) >= room)
				break;
			a += NLA_ALIGN(at->nla_len);
		}
		r = alias_ok && have_group && group == nr_run_group(id);
		break;
	}
out:
	close(sk);
	return r;
}

/* ns_fd_tagged for a name under /run/netns; 0 for what is no namespace. */
static int ns_tagged(const char *name, const char *id)
{
	char path[PATH_MAX];
	int fd, r;

	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	r = ioctl(fd, NS_GET_NSTYPE) == CLONE_NEWNET ? ns_fd_tagged(fd, id) : 0;
	close(fd);
	return r;
}

/*
 * A tagged namespace no journal names: its name goes, nothing else. Its
 * processes are left alone even so (the tag is proof of who made the
 * namespace, not of who runs in it now); the kernel destroys it once
 * they are gone. 1 removed, 0 not ours, negative errno.
 */
static int clean_orphan(const char *name, const char *id, struct nr_os_error *err)
{
	char path[PATH_MAX];
	int r = ns_tagged(name, id);

	if (r < 0)
		return nr_os_error_set(err, r, "reading the tag of %s: %s", name, strerror(-r));
	if (r == 0)
		return 0;
	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name);
	r = unlink_ns(path);
	if (r < 0)
		return nr_os_error_set(err, r, "deleting namespace %s: %s", name, strerror(-r));
	return 1;
}

/* Temporary journals of runs that died before renaming them into place. */
static void clean_tmp(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		int fd;

		if (de->d_name[0] != '.' || !strstr(de->d_name, ".tmp-"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* Locked: its `up` is still writing it. */
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			unlink(path);
		close(fd);
	}
	closedir(d);
}

/*
 * Journals nr_run_list skips because they cannot be read back (a torn or
 * foreign file), whose lock is free: each is reported, and its id goes
 * into bad (at most cap) so the orphan pass treats its namespaces as
 * journal-less, removing only tagged ones. The journal itself stays.
 */
static size_t bad_journals(const char *dir, char (*bad)[NR_RUN_ID_LEN + 1], size_t cap,
			   void (*cb)(const struct nr_run_clean_event *ev, void *arg), void *arg,
			   int *first, struct nr_os_error *err)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	while (d && n < cap && (de = readdir(d))) {
		struct nr_run_info info = { 0 };
		char id[NR_RUN_ID_LEN + 1], path[PATH_MAX], msg[sizeof(err->msg)];
		int fd, r;

		if (!journal_file(de->d_name, id))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue; /* gone meanwhile */
		r = info_read_fd(fd, &info);
		nr_run_info_done(&info);
		/* Readable, or its owner lives: not this pass's business. */
		if (r == 0 || flock(fd, LOCK_SH | LOCK_NB) < 0) {
			close(fd);
			continue;
		}
		close(fd);
		snprintf(bad[n++], sizeof(*bad), "%s", id);
		snprintf(msg, sizeof(msg),
			 "journal %s.run cannot be read (%s): left in place; only its namespaces "
			 "carrying the run's tag are removed",
			 id, strerror(-r));
		if (!*first) {
			*first = r;
			nr_os_error_set(err, r, "%s", msg);
		}
		if (cb) {
			struct nr_run_clean_event ev = { .id = id, .name = "", .err = r, .msg = msg };

			cb(&ev, arg);
		}
	}
	if (d)
		closedir(d);
	return n;
}

int nr_run_clean(const char *dir, unsigned timeout_ms,
		 void (*cb)(const struct nr_run_clean_event *ev, void *arg), void *arg,
		 struct nr_os_error *err)
{
	char bad[64][NR_RUN_ID_LEN + 1];
	struct nr_run_info *runs = NULL;
	size_t n = 0, nbad;
	int r, first = 0;
	DIR *d = NULL;
	struct dirent *de;

	dir = dir_or_default(dir);
	clean_tmp(dir);
	r = nr_run_list(dir, &runs, &n, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		struct nr_run_clean_event ev = { .id = runs[i].id, .name = runs[i].name };
		struct nr_run_teardown_stats st = { 0 };
		struct nr_os_error e = { 0 };
		struct nr_run *run;

		if (runs[i].live)
			continue;
		r = nr_run_adopt(dir, runs[i].id, &run, &e);
		if (r == -EBUSY || r == -ENOENT)
			continue; /* came alive (impossible) or another clean took it */
		if (r == 0) {
			r = nr_run_teardown(run, timeout_ms, &st, &e);
			nr_run_close(run);
		}
		ev.ns_deleted = st.ns_deleted;
		ev.err = r;
		ev.msg = r < 0 ? e.msg : "";
		if (r < 0 && !first) {
			first = r;
			nr_os_error_set(err, r, "%s", e.msg);
		}
		if (cb)
			cb(&ev, arg);
	}
	nr_run_list_free(runs, n);
	nbad = bad_journals(dir, bad, sizeof(bad) / sizeof(bad[0]), cb, arg, &first, err);

	/* Orphans: "nr-<id>-*" with no journal. Journals are renamed into place
	 * before their first namespace exists and removed only after their
	 * last one is gone, so a missing journal means a finished run; but the
	 * name alone proves nothing (anyone may call a namespace nr-router-1),
	 * so only one carrying the run's tag goes (clean_orphan). */
	d = opendir(NETNS_RUN_DIR);
	while (d && (de = readdir(d))) {
		char id[NR_RUN_ID_LEN + 1], path[PATH_MAX];
		struct nr_os_error e = { 0 };
		const char *name = de->d_name;
		struct stat sb;

		if (nr_run_ns_parse(name, id) < 0)
			continue;
		/* A run journaled in the default directory is never this pass's
		 * orphan, even when cleaning a private directory (tests): its
		 * namespaces share /run/netns with everyone's. */
		snprintf(path, sizeof(path), NR_RUN_DIR "/%s" JOURNAL_SUFFIX, id);
		if (strcmp(dir, NR_RUN_DIR) != 0 && stat(path, &sb) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s" JOURNAL_SUFFIX, dir, id);
		if (stat(path, &sb) == 0) {
			bool unreadable = false;

			for (size_t i = 0; i < nbad && !unreadable; i++)
				unreadable = !strcmp(bad[i], id);
			if (!unreadable)
				continue;
		}
		r = clean_orphan(name, id, &e);
		if (r == 0)
			continue; /* not netrig's, or gone meanwhile */
		if (r < 0 && !first) {
			first = r;
			nr_os_error_set(err, r, "%s", e.msg);
		}
		if (cb) {
			struct nr_run_clean_event ev = { .id = id, .name = "", .nsname = name,
							  .ns_deleted = (size_t)(r > 0), .err = r < 0 ? r : 0,
							  .msg = r < 0 ? e.msg : "" };
			cb(&ev, arg);
		}
	}
	if (d)
		closedir(d);
	return first;
}
