/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reading a namespace's tables: one raw rtnetlink dump per table and
 * family, each message parsed as it arrives (no libnl caches: they merge
 * routes that differ only by device and are slow, see platform.md).
 */
#include "netrig/nlsock.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#define NR_RESOLV_MAX (64 * 1024)

/* Grow *v (elements of size sz) so that index n fits. */
static int grow(void **v, size_t *cap, size_t n, size_t sz)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	while (ncap <= n)
		ncap *= 2;
	p = realloc(*v, ncap * sz);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = ncap;
	return 0;
}

struct reader {
	struct nr_os_snapshot *snap;
	size_t cap_ifaces, cap_addrs, cap_routes, cap_rules, cap_neigh;
	struct nr_nexthop *nh; /* every route's nexthops, back to back */
	size_t nnh, cap_nh;
	size_t *nh_off;        /* routes[i].nh = nh + nh_off[i], set at the end */
	size_t cap_nh_off;
	size_t mark;           /* count before the current dump, for reset */
	int bad;               /* first malformed-message error */
};

static int take_link(struct nlmsghdr *h, void *arg)
{
	struct reader *rd = arg;
	struct nr_os_snapshot *s = rd->snap;
	struct nr_iface ifc;
	int r = nr_os_parse_link(h, &ifc);

	if (r)
		return r < 0 ? r : 0;
	if (grow((void **)&s->ifaces, &rd->cap_ifaces, s->nifaces, sizeof(ifc)) < 0)
		return -ENOMEM;
	s->ifaces[s->nifaces++] = ifc;
	return 0;
}

static void reset_links(void *arg)
{
	struct reader *rd = arg;

	rd->snap->nifaces = rd->mark;
}

static int take_addr(struct nlmsghdr *h, void *arg)
{
	struct reader *rd = arg;
	struct nr_os_snapshot *s = rd->snap;
	struct nr_os_addr a;
	int r = nr_os_parse_addr(h, &a);

	if (r)
		return r < 0 ? r : 0;
	if (grow((void **)&s->addrs, &rd->cap_addrs, s->naddrs, sizeof(a)) < 0)
		return -ENOMEM;
	s->addrs[s->naddrs++] = a;
	return 0;
}

static void reset_addrs(void *arg)
{
	struct reader *rd = arg;

	rd->snap->naddrs = rd->mark;
}

static int take_route(struct nlmsghdr *h, void *arg)
{
	struct reader *rd = arg;
	struct nr_os_snapshot *s = rd->snap;
	struct nr_nexthop nh[NR_ROUTE_MAX_NH];
	struct nr_route rt;
	int r = nr_os_parse_route(h, &rt, nh);

	if (r)
		return r < 0 ? r : 0;
	if (rt.flags & NR_ROUTE_F_NH_TRUNCATED)
		s->nroutes_truncated++;
	if (grow((void **)&s->routes, &rd->cap_routes, s->nroutes, sizeof(rt)) < 0 ||
	    grow((void **)&rd->nh_off, &rd->cap_nh_off, s->nroutes, sizeof(size_t)) < 0 ||
	    grow((void **)&rd->nh, &rd->cap_nh, rd->nnh + rt.nh_count, sizeof(nh[0])) < 0)
		return -ENOMEM;
	memcpy(rd->nh + rd->nnh, nh, rt.nh_count * sizeof(nh[0]));
	rd->nh_off[s->nroutes] = rd->nnh;
	rd->nnh += rt.nh_count;
	rt.nh = NULL; /* fixed up once the pool stops moving */
	s->routes[s->nroutes++] = rt;
	return 0;
}

static void reset_routes(void *arg)
{
	struct reader *rd = arg;

	rd->snap->nroutes = rd->mark;
	rd->nnh = rd->mark ? rd->nh_off[rd->mark - 1] + rd->snap->routes[rd->mark - 1].nh_count : 0;
}

static int take_rule(struct nlmsghdr *h, void *arg)
{
	struct reader *rd = arg;
	struct nr_os_snapshot *s = rd->snap;
	struct nr_rule ru;
	int r = nr_os_parse_rule(h, &ru);

	if (r)
		return r < 0 ? r : 0;
	if (grow((void **)&s->rules, &rd->cap_rules, s->nrules, sizeof(ru)) < 0)
		return -ENOMEM;
	s->rules[s->nrules++] = ru;
	return 0;
}

static void reset_rules(void *arg)
{
	struct reader *rd = arg;

	rd->snap->nrules = rd->mark;
}

static int take_neigh(struct nlmsghdr *h, void *arg)
{
	struct reader *rd = arg;
	struct nr_os_snapshot *s = rd->snap;
	struct nr_os_neigh n;
	int r = nr_os_parse_neigh(h, &n);

	if (r)
		return r < 0 ? r : 0;
	if (grow((void **)&s->neigh, &rd->cap_neigh, s->nneigh, sizeof(n)) < 0)
		return -ENOMEM;
	s->neigh[s->nneigh++] = n;
	return 0;
}

static void reset_neigh(void *arg)
{
	struct reader *rd = arg;

	rd->snap->nneigh = rd->mark;
}

static int cmp_ifindex(const void *a, const void *b)
{
	const struct nr_iface *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

static int dump_error(int r, const char *what, struct nr_os_error *err)
{
	if (r == -EBADMSG)
		return nr_os_error_set(err, r, "%s: malformed answer from the kernel", what);
	return r;
}

static int read_links(struct nr_nlsock *sock, struct reader *rd, struct nr_os_error *err)
{
	/* Statistics are most of a link message and unused here. */
	struct {
		struct ifinfomsg ifi;
		struct nlattr a;
		uint32_t mask;
	} req = {
		.ifi = { .ifi_family = AF_UNSPEC },
		.a = { .nla_len = sizeof(struct nlattr) + sizeof(uint32_t), .nla_type = IFLA_EXT_MASK },
		.mask = RTEXT_FILTER_SKIP_STATS,
	};
	int r;

	rd->mark = rd->snap->nifaces;
	r = nr_nlsock_dump(sock, "RTM_GETLINK", RTM_GETLINK, &req, sizeof(req), take_link,
			   reset_links, rd, err);
	if (r < 0)
		return dump_error(r, "RTM_GETLINK", err);
	qsort(rd->snap->ifaces, rd->snap->nifaces, sizeof(struct nr_iface), cmp_ifindex);
	return 0;
}

static int read_addrs(struct nr_nlsock *sock, struct reader *rd, struct nr_os_error *err)
{
	struct ifaddrmsg req = { .ifa_family = AF_UNSPEC };
	int r;

	/* One AF_UNSPEC dump: both families in the kernel's order. */
	rd->mark = rd->snap->naddrs;
	r = nr_nlsock_dump(sock, "RTM_GETADDR", RTM_GETADDR, &req, sizeof(req), take_addr,
			   reset_addrs, rd, err);
	return r < 0 ? dump_error(r, "RTM_GETADDR", err) : 0;
}

/*
 * One table of one family: the kernel filters the dump by RTA_TABLE
 * (strict checking is on, see nlsock.c) and answers ENOENT for a table
 * that does not exist, which holds no route.
 */
static int dump_route_table(struct nr_nlsock *sock, struct reader *rd, int family,
			    uint32_t table, int (*take)(struct nlmsghdr *h, void *arg),
			    void (*reset)(void *arg), void *arg, struct nr_os_error *err)
{
	struct nr_os_error e = { 0 };
	struct {
		struct rtmsg rtm;
		struct nlattr a;
		uint32_t table;
	} req = {
		.rtm = { .rtm_family = (uint8_t)family,
			 .rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_COMPAT },
		.a = { .nla_len = sizeof(struct nlattr) + sizeof(uint32_t), .nla_type = RTA_TABLE },
		.table = table,
	};
	int r;

	rd->mark = rd->snap->nroutes;
	r = nr_nlsock_dump(sock, "RTM_GETROUTE", RTM_GETROUTE, &req, sizeof(req), take, reset,
			   arg, &e);
	if (r == -ENOENT) {
		reset_routes(rd);
		return 0;
	}
	if (r < 0 && err)
		*err = e;
	return r < 0 ? dump_error(r, "RTM_GETROUTE", err) : 0;
}

static int read_route_table(struct nr_nlsock *sock, struct reader *rd, int family,
			    uint32_t table, struct nr_os_error *err)
{
	return dump_route_table(sock, rd, family, table, take_route, reset_routes, rd, err);
}

static int read_routes(struct nr_nlsock *sock, struct reader *rd, int family,
		       struct nr_os_error *err)
{
	static const uint8_t fams[] = { AF_INET, AF_INET6 };
	size_t i;
	int r;

	for (i = 0; i < sizeof(fams); i++) {
		/* Per family: an AF_UNSPEC dump would add multicast
		 * routing caches and MPLS. rtm_table 0 = every table. */
		struct rtmsg req = { .rtm_family = fams[i] };

		if (family != AF_UNSPEC && family != fams[i])
			continue;
		rd->mark = rd->snap->nroutes;
		r = nr_nlsock_dump(sock, "RTM_GETROUTE", RTM_GETROUTE, &req, sizeof(req),
				   take_route, reset_routes, rd, err);
		if (r < 0)
			return dump_error(r, "RTM_GETROUTE", err);
	}
	return 0;
}

static int read_rules(struct nr_nlsock *sock, struct reader *rd, struct nr_os_error *err)
{
	static const uint8_t fams[] = { AF_INET, AF_INET6 };
	size_t i;
	int r;

	for (i = 0; i < sizeof(fams); i++) {
		struct fib_rule_hdr req = { .family = fams[i] };

		rd->mark = rd->snap->nrules;
		r = nr_nlsock_dump(sock, "RTM_GETRULE", RTM_GETRULE, &req, sizeof(req), take_rule,
				   reset_rules, rd, err);
		if (r == -EAFNOSUPPORT)
			continue; /* IPv6 disabled: no rules */
		if (r < 0)
			return dump_error(r, "RTM_GETRULE", err);
	}
	return 0;
}

static int read_neigh(struct nr_nlsock *sock, struct reader *rd, struct nr_os_error *err)
{
	static const uint8_t fams[] = { AF_INET, AF_INET6 };
	size_t i;
	int r;

	for (i = 0; i < sizeof(fams); i++) {
		/* Per family: AF_UNSPEC would add the bridge FDB. */
		struct ndmsg req = { .ndm_family = fams[i] };

		rd->mark = rd->snap->nneigh;
		r = nr_nlsock_dump(sock, "RTM_GETNEIGH", RTM_GETNEIGH, &req, sizeof(req),
				   take_neigh, reset_neigh, rd, err);
		if (r < 0)
			return dump_error(r, "RTM_GETNEIGH", err);
	}
	return 0;
}

/* /etc/netns/NAME/resolv.conf is what `ip netns exec NAME` shows as
 * /etc/resolv.conf; without it the namespace sees the host's. */
static int read_resolv(struct nr_netns *ns, struct nr_os_snapshot *s, struct nr_os_error *err)
{
	char path[sizeof(s->resolv_path)];
	const char *name = ns ? nr_netns_name(ns) : "";
	char *buf = NULL;
	size_t len = 0;
	int fd = -1, r;

	if (*name && (size_t)snprintf(path, sizeof(path), "/etc/netns/%s/resolv.conf", name) <
			     sizeof(path) && access(path, F_OK) == 0)
		;
	else
		snprintf(path, sizeof(path), "/etc/resolv.conf");

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (r == -ENOENT) {
			r = 0; /* no resolver configured: no nameservers */
			goto out;
		}
		nr_os_error_set(err, r, "reading %s: %s", path, strerror(-r));
		goto out;
	}
	buf = malloc(NR_RESOLV_MAX + 1);
	if (!buf) {
		r = nr_os_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	while (len < NR_RESOLV_MAX) {
		ssize_t n = read(fd, buf + len, NR_RESOLV_MAX - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			nr_os_error_set(err, r, "reading %s: %s", path, strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len == NR_RESOLV_MAX) {
		r = nr_os_error_set(err, -EFBIG, "%s: longer than %d bytes", path, NR_RESOLV_MAX);
		goto out;
	}
	buf[len] = '\0';
	snprintf(s->resolv_path, sizeof(s->resolv_path), "%s", path);
	s->resolv_text = buf;
	s->resolv_len = len;
	buf = NULL;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return r;
}

static void reader_done(struct reader *rd)
{
	free(rd->nh);
	rd->nh = NULL;
	free(rd->nh_off);
	rd->nh_off = NULL;
}

/* Move the nexthop pool into the snapshot and point the routes at it. */
static void reader_finish(struct reader *rd)
{
	struct nr_os_snapshot *s = rd->snap;
	size_t i;

	for (i = 0; i < s->nroutes; i++)
		s->routes[i].nh = rd->nh + rd->nh_off[i];
	s->nh_pool = rd->nh;
	rd->nh = NULL;
}

/*
 * One family's routes dumped on a thread of its own, through a second
 * socket, while the caller's thread reads the rest: the kernel fills a
 * dump in the recvmsg of the reading thread, so two dumps use two cores.
 */
struct side_dump {
	struct nr_nlsock *sock;
	struct nr_os_snapshot snap;
	struct reader rd;
	int family;
	int r;
	struct nr_os_error err;
};

static void *side_dump_run(void *arg)
{
	struct side_dump *d = arg;

	d->r = read_routes(d->sock, &d->rd, d->family, &d->err);
	return NULL;
}

static void side_dump_done(struct side_dump *d)
{
	free(d->snap.routes);
	reader_done(&d->rd);
	nr_nlsock_close(d->sock);
}

/* Append the side dump's routes and nexthops after rd's (dump order kept:
 * the side family comes second). */
static int merge_routes(struct reader *rd, const struct side_dump *d)
{
	struct nr_os_snapshot *s = rd->snap;
	size_t n = d->snap.nroutes, i;

	if (!n)
		return 0;
	if (grow((void **)&s->routes, &rd->cap_routes, s->nroutes + n, sizeof(*s->routes)) < 0 ||
	    grow((void **)&rd->nh_off, &rd->cap_nh_off, s->nroutes + n, sizeof(size_t)) < 0 ||
	    grow((void **)&rd->nh, &rd->cap_nh, rd->nnh + d->rd.nnh, sizeof(*rd->nh)) < 0)
		return -ENOMEM;
	memcpy(s->routes + s->nroutes, d->snap.routes, n * sizeof(*s->routes));
	for (i = 0; i < n; i++)
		rd->nh_off[s->nroutes + i] = rd->nnh + d->rd.nh_off[i];
	if (d->rd.nnh)
		memcpy(rd->nh + rd->nnh, d->rd.nh, d->rd.nnh * sizeof(*rd->nh));
	rd->nnh += d->rd.nnh;
	s->nroutes += n;
	s->nroutes_truncated += d->snap.nroutes_truncated;
	return 0;
}

static int finish_read(struct reader *rd, struct nr_os_snapshot **ret, struct nr_os_error *err)
{
	reader_finish(rd);
	if (rd->snap->nroutes_truncated) {
		/* A warning: the load goes on (netns.h, nr_os_load). */
		nr_os_error_set(err, 0,
				"%zu route(s) have more than %d nexthops; only the first %d of each "
				"were read",
				rd->snap->nroutes_truncated, NR_ROUTE_MAX_NH, NR_ROUTE_MAX_NH);
	}
	*ret = rd->snap;
	rd->snap = NULL;
	return 0;
}

int nr_os_snapshot_read(struct nr_netns *ns, unsigned what, struct nr_os_snapshot **ret,
			struct nr_os_error *err)
{
	struct nr_nlsock *sock = NULL;
	struct reader rd = { 0 };
	struct side_dump side = { .family = AF_INET6 };
	unsigned fams = (what & NR_OS_ROUTES) ? 3 : 0; /* 1 IPv4, 2 IPv6 */
	pthread_t tid;
	bool side_running = false;
	int r;

	rd.snap = calloc(1, sizeof(*rd.snap));
	if (!rd.snap) {
		r = nr_os_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	side.rd.snap = &side.snap;
	if ((what & (NR_OS_LINKS | NR_OS_ADDRS | NR_OS_RULES | NR_OS_NEIGH)) || fams) {
		r = nr_nlsock_open(ns, &sock, err);
		if (r < 0)
			goto out;
	}
	/* Both families: IPv6 on a second thread (its own socket, opened
	 * here: entering the namespace is per thread). Without a thread it
	 * is read in turn below, as it was. */
	if (fams == 3) {
		r = nr_nlsock_open(ns, &side.sock, err);
		if (r < 0)
			goto out;
		side_running = pthread_create(&tid, NULL, side_dump_run, &side) == 0;
	}
	if ((what & NR_OS_LINKS) && (r = read_links(sock, &rd, err)) < 0)
		goto out;
	if ((what & NR_OS_ADDRS) && (r = read_addrs(sock, &rd, err)) < 0)
		goto out;
	if (fams && (r = read_routes(sock, &rd, fams == 2 ? AF_INET6 : AF_INET, err)) < 0)
		goto out;
	if (fams == 3 && !side_running)
		side_dump_run(&side);
	if ((what & NR_OS_RULES) && (r = read_rules(sock, &rd, err)) < 0)
		goto out;
	if ((what & NR_OS_NEIGH) && (r = read_neigh(sock, &rd, err)) < 0)
		goto out;
	if ((what & NR_OS_RESOLV) && (r = read_resolv(ns, rd.snap, err)) < 0)
		goto out;
	if (side_running) {
		pthread_join(tid, NULL);
		side_running = false;
	}
	if (fams == 3) {
		if (side.r < 0) {
			r = side.r;
			if (err)
				*err = side.err;
			goto out;
		}
		if (merge_routes(&rd, &side) < 0) {
			r = nr_os_error_set(err, -ENOMEM, "out of memory");
			goto out;
		}
	}
	r = finish_read(&rd, ret, err);
out:
	if (side_running)
		pthread_join(tid, NULL);
	side_dump_done(&side);
	nr_os_snapshot_free(rd.snap);
	reader_done(&rd);
	nr_nlsock_close(sock);
	return r;
}

int nr_os_snapshot_read_tables(struct nr_netns *ns, int family, const uint32_t *tables,
			       size_t ntables, struct nr_os_snapshot **ret,
			       struct nr_os_error *err)
{
	struct nr_nlsock *sock = NULL;
	struct reader rd = { 0 };
	size_t i;
	int r;

	if (family != AF_INET && family != AF_INET6) {
		r = nr_os_error_set(err, -EAFNOSUPPORT, "route dump: family %d not supported",
				    family);
		goto out;
	}
	rd.snap = calloc(1, sizeof(*rd.snap));
	if (!rd.snap) {
		r = nr_os_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	r = nr_nlsock_open(ns, &sock, err);
	if (r < 0)
		goto out;
	if (!tables)
		r = read_routes(sock, &rd, family, err);
	for (i = 0; tables && i < ntables && r == 0; i++)
		r = read_route_table(sock, &rd, family, tables[i], err);
	if (r < 0)
		goto out;
	r = finish_read(&rd, ret, err);
out:
	nr_os_snapshot_free(rd.snap);
	reader_done(&rd);
	nr_nlsock_close(sock);
	return r;
}

void nr_os_snapshot_free(struct nr_os_snapshot *snap)
{
	if (!snap)
		return;
	free(snap->nh_pool);
	free(snap->ifaces);
	free(snap->addrs);
	free(snap->routes);
	free(snap->rules);
	free(snap->neigh);
	free(snap->resolv_text);
	free(snap);
}

int nr_os_dump_routes(struct nr_netns *ns, int family,
		      int (*cb)(const struct nr_route *r, void *arg), void *arg,
		      struct nr_os_error *err)
{
	struct nr_nlsock *sock = NULL;
	struct nr_os_snapshot snap = { 0 };
	struct reader rd = { .snap = &snap };
	size_t i;
	int r;

	if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6) {
		r = nr_os_error_set(err, -EAFNOSUPPORT, "route dump: family %d not supported",
				    family);
		goto out;
	}
	r = nr_nlsock_open(ns, &sock, err);
	if (r < 0)
		goto out;
	/* Collect the whole dump first: an interrupted dump is redone, and
	 * cb must not see the routes of the abandoned attempt. */
	r = read_routes(sock, &rd, family, err);
	if (r < 0)
		goto out;
	for (i = 0; i < snap.nroutes; i++)
		snap.routes[i].nh = rd.nh + rd.nh_off[i];
	for (i = 0; i < snap.nroutes; i++) {
		r = cb(&snap.routes[i], arg);
		if (r)
			goto out;
	}
	r = 0;
out:
	free(snap.routes);
	reader_done(&rd);
	nr_nlsock_close(sock);
	return r;
}

/*
 * A route dump streamed to another thread a chunk at a time, so the
 * caller builds its tables while the kernel fills the next messages (two
 * cores: the dump runs in this thread's recvmsg). A chunk is a snapshot
 * holding routes only.
 */
#define STREAM_CHUNK 4096

struct chunk_node {
	struct chunk_node *next;
	struct nr_os_snapshot *snap;
};

struct nr_os_route_stream {
	struct nr_nlsock *sock;
	int family;
	uint32_t *tables; /* NULL: every table */
	size_t ntables;
	pthread_t tid;
	struct reader rd; /* the chunk being filled */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct chunk_node *head, *tail;
	bool finished;    /* the thread is done; r and err are set */
	bool intr;        /* a dump was interrupted: what was streamed is not one dump */
	bool cancel;      /* the consumer gave up */
	bool publish_failed;
	int r;
	struct nr_os_error err;
};

static void stream_push(struct nr_os_route_stream *st, struct nr_os_snapshot *snap)
{
	struct chunk_node *n = malloc(sizeof(*n));

	pthread_mutex_lock(&st->mu);
	if (!n || st->intr || st->cancel) {
		st->publish_failed |= !n;
		pthread_mutex_unlock(&st->mu);
		free(n);
		nr_os_snapshot_free(snap);
		return;
	}
	n->next = NULL;
	n->snap = snap;
	if (st->tail)
		st->tail->next = n;
	else
		st->head = n;
	st->tail = n;
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
}

/* Hand the chunk being filled over and start a new one. */
static int stream_flush(struct nr_os_route_stream *st)
{
	struct nr_os_snapshot *fresh;

	if (!st->rd.snap->nroutes)
		return 0;
	fresh = calloc(1, sizeof(*fresh));
	if (!fresh)
		return -ENOMEM;
	reader_finish(&st->rd);
	reader_done(&st->rd);
	stream_push(st, st->rd.snap);
	st->rd = (struct reader){ .snap = fresh };
	return 0;
}

static int stream_take(struct nlmsghdr *h, void *arg)
{
	struct nr_os_route_stream *st = arg;
	int r;

	if (__atomic_load_n(&st->cancel, __ATOMIC_RELAXED))
		return -ECANCELED;
	r = take_route(h, &st->rd);
	if (r == 0 && st->rd.snap->nroutes >= STREAM_CHUNK)
		r = stream_flush(st);
	return r;
}

/* NLM_F_DUMP_INTR: chunks already handed over cannot be taken back;
 * the consumer learns it at the end and reloads. The redone dump goes
 * on to keep the socket clean, unpublished. */
static void stream_reset(void *arg)
{
	struct nr_os_route_stream *st = arg;

	pthread_mutex_lock(&st->mu);
	st->intr = true;
	pthread_mutex_unlock(&st->mu);
	reset_routes(&st->rd);
}

static void *stream_run(void *arg)
{
	struct nr_os_route_stream *st = arg;
	struct nr_os_error e = { 0 };
	size_t i;
	int r = 0;

	for (i = 0; r == 0 && i < (st->tables ? st->ntables : 1); i++) {
		if (st->tables) {
			r = dump_route_table(st->sock, &st->rd, st->family, st->tables[i],
					     stream_take, stream_reset, st, &e);
		} else {
			st->rd.mark = st->rd.snap->nroutes;
			r = nr_nlsock_dump(st->sock, "RTM_GETROUTE", RTM_GETROUTE,
					   &(struct rtmsg){ .rtm_family = (uint8_t)st->family },
					   sizeof(struct rtmsg), stream_take, stream_reset, st, &e);
			if (r < 0)
				r = dump_error(r, "RTM_GETROUTE", &e);
		}
	}
	if (r == 0)
		r = stream_flush(st);
	/* Test hook: as if a table changed at the very end, when the
	 * consumer has built (nearly) everything it was handed. */
	if (r == 0 && getenv("NETRIG_TEST_STREAM_INTR"))
		stream_reset(st);
	pthread_mutex_lock(&st->mu);
	if (r == 0 && st->publish_failed)
		r = nr_os_error_set(&e, -ENOMEM, "out of memory");
	st->r = r;
	st->err = e;
	st->finished = true;
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
	return NULL;
}

int nr_os_route_stream_start(struct nr_netns *ns, int family, const uint32_t *tables,
			     size_t ntables, struct nr_os_route_stream **ret,
			     struct nr_os_error *err)
{
	struct nr_os_route_stream *st = calloc(1, sizeof(*st));
	int r;

	if (!st || !(st->rd.snap = calloc(1, sizeof(*st->rd.snap))) ||
	    (tables && !(st->tables = calloc(ntables ? ntables : 1, sizeof(*tables))))) {
		r = nr_os_error_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	if (tables && ntables)
		memcpy(st->tables, tables, ntables * sizeof(*tables));
	st->ntables = ntables;
	st->family = family;
	r = nr_nlsock_open(ns, &st->sock, err);
	if (r < 0)
		goto fail;
	pthread_mutex_init(&st->mu, NULL);
	pthread_cond_init(&st->cv, NULL);
	if (pthread_create(&st->tid, NULL, stream_run, st) != 0) {
		pthread_mutex_destroy(&st->mu);
		pthread_cond_destroy(&st->cv);
		r = nr_os_error_set(err, -EAGAIN, "cannot start a thread");
		goto fail;
	}
	*ret = st;
	return 0;
fail:
	if (st) {
		nr_nlsock_close(st->sock);
		nr_os_snapshot_free(st->rd.snap);
		free(st->tables);
		free(st);
	}
	return r;
}

struct nr_os_snapshot *nr_os_route_stream_next(struct nr_os_route_stream *st)
{
	struct nr_os_snapshot *snap = NULL;

	pthread_mutex_lock(&st->mu);
	while (!st->head && !st->finished)
		pthread_cond_wait(&st->cv, &st->mu);
	/* After an interruption nothing more is worth building. */
	if (st->head && !st->intr) {
		struct chunk_node *n = st->head;

		st->head = n->next;
		if (!st->head)
			st->tail = NULL;
		snap = n->snap;
		free(n);
	}
	pthread_mutex_unlock(&st->mu);
	return snap;
}

int nr_os_route_stream_end(struct nr_os_route_stream *st, bool cancel, bool *ret_intr,
			   struct nr_os_error *err)
{
	int r;

	if (!st)
		return 0;
	if (cancel)
		__atomic_store_n(&st->cancel, true, __ATOMIC_RELAXED);
	pthread_join(st->tid, NULL);
	while (st->head) {
		struct chunk_node *n = st->head;

		st->head = n->next;
		nr_os_snapshot_free(n->snap);
		free(n);
	}
	r = st->r;
	if (r < 0 && err)
		*err = st->err;
	if (ret_intr)
		*ret_intr = st->intr;
	pthread_mutex_destroy(&st->mu);
	pthread_cond_destroy(&st->cv);
	reader_done(&st->rd);
	nr_os_snapshot_free(st->rd.snap);
	nr_nlsock_close(st->sock);
	free(st->tables);
	free(st);
	return r;
}
