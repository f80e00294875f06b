/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A topology into the kernel, in phases. A phase queues requests on each
 * namespace's builder and ends with one flush per namespace (one sendmsg
 * carrying them all, one read loop for the acks); its cost is one round
 * trip per namespace plus the kernel's own work, so there are as few as
 * the dependencies allow:
 *   1. journal every namespace name, then create the namespaces on a
 *      second thread (the creator), each with netrig's defaults (see
 *      node_defaults: no DAD on link-local addresses) and the node's
 *      sysctls that name no interface (forwarding, conf.default.*)
 *      written inside before it gets its name, so every interface made
 *      later inherits them; its netlink socket and fd are opened while
 *      the creator is still inside (no setns later). Namespace creation
 *      is mostly the kernel's work (setup_net, sleeping on RCU and locks
 *      part of the time), so on 2 CPUs it runs beside phase 3:
 *   3. [flush whenever the next link needs a namespace not made yet, and
 *      at the end] lo up; bridges and veth pairs (MAC, MTU, group and alias set
 *      in the creating request; up at creation too, except a veth's peer,
 *      which the kernel cannot open before the pair is joined: ENOTCONN),
 *      TUN/TAP (ioctl, held open). The kernel echoes every new link
 *      (NLM_F_ECHO) with its index and a veth's peer's, so nothing later
 *      looks an index up by name.
 *   4. [flush, only if any] macvlan and vxlan (their parent exists now)
 *   5. sysctls of one interface (net.ipv6.conf.eth0.accept_dad); when
 *      there are any, links are made down in 3 and brought up in 6 so the
 *      values are in place first
 *   6. [flush] link state (veth peers up, from their own namespace's
 *      socket), settings of interfaces not made in 3-4 (lo, TUN/TAP),
 *      bridge ports, then addresses, then routes, rules, neighbours: the
 *      kernel runs a datagram's requests in order, so a route finds the
 *      connected route of an address queued before it
 * Every queued request carries a tag naming its element, so the first
 * refusal becomes FILE:LINE:COL.
 */
#include "topo/topo_apply.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

struct tagrec {
	struct nr_topo_pos pos;
	const char *what; /* "link", "route"... */
};

struct ifcache {
	int node;
	char name[NR_IFNAMSIZ];
	int index;
};

struct ctx {
	const struct nr_topo *t;
	struct nr_run *run;
	struct nr_topo_error *err;
	char (*nsname)[NR_RUN_NSNAME_MAX];
	struct nr_netns **ns;
	struct nr_kb **kb;
	size_t ncreated;
	struct tagrec *tags;
	size_t ntags, captags;
	struct ifcache *ifc;
	size_t nifc, capifc;
	bool *iface_done; /* set in the creating request */
	int (*lidx)[2];    /* per link: echoed ifindex of ends[0], ends[1] (veth peer) */
	bool iface_sysctls; /* some node has a sysctl naming one interface */
	struct nr_lab *lab;
	uint32_t group;
	char alias[32];
	struct creator *cr;
};

/* Per node: what the creator writes inside a new namespace. */
struct node_sys {
	struct nr_knetns_sysctl *s;
	const struct nr_topo_sysctl **from; /* NULL: netrig's default */
	char (*path)[128];
	size_t n;
};

/*
 * The creator thread and what it shares with the main thread (under mu):
 * nodes [0, ready) have their namespace, c->ns[i] and c->kb[i]; the main
 * thread touches a node only once it is below ready. stop asks the
 * creator to make no more; fail says why it stopped on its own.
 */
struct creator {
	pthread_t tid;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t ready;
	bool stop, fail;
	struct ctx *c;
	struct node_sys *sys;
	/* Set by the creator before it raises fail. */
	int err;
	size_t err_node;
	size_t err_sysctl; /* index into sys[err_node].s, or SIZE_MAX */
	struct nr_os_error oe;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Line n (1-based) of path, without its newline; "" if unreadable. */
static void source_line(const char *path, unsigned n, char *buf, size_t cap)
{
	FILE *f = path && n ? fopen(path, "r") : NULL;
	unsigned line = 1;
	int c;
	size_t k = 0;

	buf[0] = '\0';
	if (!f)
		return;
	while (line < n && (c = getc(f)) != EOF)
		if (c == '\n')
			line++;
	while (line == n && (c = getc(f)) != EOF && c != '\n')
		if (k + 1 < cap)
			buf[k++] = (char)c;
	buf[k] = '\0';
	fclose(f);
}

static int fail_at(struct ctx *c, struct nr_topo_pos pos, int e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_at(struct ctx *c, struct nr_topo_pos pos, int e, const char *fmt, ...)
{
	va_list ap;

	if (c->err) {
		memset(c->err, 0, sizeof(*c->err));
		snprintf(c->err->path, sizeof(c->err->path), "%s",
			 c->t->path ? c->t->path : c->t->name);
		c->err->pos = pos;
		va_start(ap, fmt);
		vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
		va_end(ap);
		source_line(c->t->path, pos.line, c->err->line, sizeof(c->err->line));
	}
	return e < 0 ? e : -EIO;
}

static int tag(struct ctx *c, int node, struct nr_topo_pos pos, const char *what)
{
	if (c->ntags == c->captags) {
		size_t n = c->captags ? c->captags * 2 : 256;
		struct tagrec *p = realloc(c->tags, n * sizeof(*p));

		if (!p)
			return -ENOMEM;
		c->tags = p;
		c->captags = n;
	}
	c->tags[c->ntags] = (struct tagrec){ .pos = pos, .what = what };
	nr_kb_tag(c->kb[node], (long)c->ntags);
	c->ntags++;
	return 0;
}

static int ifc_add(struct ctx *c, int node, const char *name, int idx)
{
	if (c->nifc == c->capifc) {
		size_t n = c->capifc ? c->capifc * 2 : 64;
		struct ifcache *p = realloc(c->ifc, n * sizeof(*p));

		if (!p)
			return -ENOMEM;
		c->ifc = p;
		c->capifc = n;
	}
	c->ifc[c->nifc].node = node;
	snprintf(c->ifc[c->nifc].name, sizeof(c->ifc[c->nifc].name), "%s", name);
	c->ifc[c->nifc].index = idx;
	c->nifc++;
	return 0;
}

/* An interface's index: learned from the kernel's echo when netrig made
 * it, else (lo, TUN/TAP, a kernel without echo) asked once by name. */
static int ifindex(struct ctx *c, int node, const char *name)
{
	int idx, r;

	for (size_t i = 0; i < c->nifc; i++)
		if (c->ifc[i].node == node && !strcmp(c->ifc[i].name, name))
			return c->ifc[i].index;
	idx = nr_kb_ifindex(c->kb[node], name);
	if (idx <= 0)
		return idx < 0 ? idx : -ENODEV;
	r = ifc_add(c, node, name, idx);
	return r < 0 ? r : idx;
}

static long find_iface(const struct nr_topo *t, const struct nr_topo_ifref *ref)
{
	for (size_t i = 0; i < t->nifaces; i++)
		if (t->ifaces[i].ref.node == ref->node &&
		    !strcmp(t->ifaces[i].ref.ifname, ref->ifname))
			return (long)i;
	return -1;
}

/* Creation options for a new link: its interface settings, tagged. */
static struct nr_klink_opts link_opts(struct ctx *c, const struct nr_topo_ifref *ref)
{
	/* State: the caller's choice (links()). */
	struct nr_klink_opts o = { .up = -1, .group = c->group, .alias = c->alias };
	long i = find_iface(c->t, ref);

	if (i >= 0) {
		const struct nr_topo_iface *f = &c->t->ifaces[i];

		o.mac = f->mac;
		o.mtu = f->mtu;
		c->iface_done[i] = true;
	}
	return o;
}

/* The state an interface made by a link is to be in: up unless told. */
static int link_up(const struct ctx *c, const struct nr_topo_ifref *ref)
{
	long i = find_iface(c->t, ref);

	if (i >= 0 && c->t->ifaces[i].up != NR_TOPO_TRI_UNSET)
		return c->t->ifaces[i].up;
	return 1;
}

/* A sysctl that names one interface: net.ipv{4,6}.{conf,neigh}.IF.* with
 * IF neither "all" nor "default". */
static bool sysctl_per_iface(const char *key)
{
	static const char *const pre[] = { "net.ipv4.conf.", "net.ipv6.conf.", "net.ipv4.neigh.",
					   "net.ipv6.neigh." };

	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		size_t n = strlen(pre[i]);

		if (!strncmp(key, pre[i], n))
			return strncmp(key + n, "all.", 4) && strncmp(key + n, "default.", 8);
	}
	return false;
}

static int sysctls(struct ctx *c, bool per_iface)
{
	for (size_t i = 0; i < c->t->nnodes; i++) {
		const struct nr_topo_node *nd = &c->t->nodes[i];

		for (size_t k = 0; k < nd->nsysctls; k++) {
			const struct nr_topo_sysctl *s = &nd->sysctls[k];
			struct nr_os_error oe = { 0 };
			int r;

			if (sysctl_per_iface(s->key) != per_iface)
				continue;
			r = nr_ksysctl_set(c->ns[i], s->key, s->value, &oe);
			if (r < 0)
				return fail_at(c, s->pos, r, "sysctl %s = %s: %s", s->key, s->value,
					       oe.msg[0] ? oe.msg : strerror(-r));
		}
	}
	return 0;
}

/*
 * What netrig writes into every new namespace before any interface
 * exists. DAD off for the link-local addresses of the interfaces to come
 * (conf.default is what they inherit): while a link-local address is
 * tentative the kernel sends no neighbour solicitation for a packet it
 * forwards (ndisc_send_ns needs a usable link-local source), so for the
 * first second after `up` routers drop what they should forward, and a
 * lab's first IPv6 ping is lost. The topology's addresses have nodad
 * already; a node with an address that asks for DAD (nodad: false) keeps
 * the kernel's default, and the node's own sysctls are written after
 * these, so they win.
 */
static size_t node_defaults(const struct ctx *c, size_t node, struct nr_knetns_sysctl *ret)
{
	static const struct nr_knetns_sysctl no_dad = { .path = "net/ipv6/conf/default/accept_dad",
							.value = "0" };
	const struct nr_topo *t = c->t;

	for (size_t i = 0; i < t->nifaces; i++) {
		const struct nr_topo_iface *f = &t->ifaces[i];

		if ((size_t)f->ref.node != node)
			continue;
		for (size_t k = 0; k < f->naddrs; k++)
			if (f->addrs[k].local.addr.family == AF_INET6 && !f->addrs[k].nodad)
				return 0;
	}
	ret[0] = no_dad;
	return 1;
}

/* The node's namespace-wide sysctls, as paths under /proc/sys, after
 * netrig's defaults (so the node's own win). */
static int node_sysctls(struct ctx *c, size_t node, struct node_sys *ns)
{
	const struct nr_topo_node *nd = &c->t->nodes[node];
	size_t cap = nd->nsysctls + 1;
	struct nr_knetns_sysctl def[1];
	size_t ndef = node_defaults(c, node, def);

	ns->s = calloc(cap, sizeof(*ns->s));
	ns->from = calloc(cap, sizeof(*ns->from));
	ns->path = calloc(cap, sizeof(*ns->path));
	if (!ns->s || !ns->from || !ns->path)
		return -ENOMEM;
	for (size_t k = 0; k < ndef; k++)
		ns->s[ns->n++] = def[k];
	for (size_t k = 0; k < nd->nsysctls; k++) {
		const struct nr_topo_sysctl *sy = &nd->sysctls[k];
		struct nr_os_error oe = { 0 };
		int r;

		if (sysctl_per_iface(sy->key))
			continue;
		if (!sy->value[0] || strchr(sy->value, '\n'))
			return fail_at(c, sy->pos, -EINVAL, "sysctl %s: bad value", sy->key);
		r = nr_ksysctl_path(sy->key, ns->path[ns->n], sizeof(ns->path[ns->n]), &oe);
		if (r < 0)
			return fail_at(c, sy->pos, r, "sysctl %s = %s: %s", sy->key, sy->value,
				       oe.msg);
		ns->from[ns->n] = sy;
		ns->s[ns->n] = (struct nr_knetns_sysctl){ .path = ns->path[ns->n],
							  .value = sy->value,
							  .required = true };
		ns->n++;
	}
	return 0;
}

struct inside_arg {
	struct ctx *c;
	size_t node;
};

/* In the new namespace, named already: its fd and its builder's socket. */
static int open_inside(void *arg, struct nr_os_error *err)
{
	struct inside_arg *a = arg;
	struct ctx *c = a->c;
	int r = nr_netns_open(c->nsname[a->node], &c->ns[a->node], err);

	if (r == 0)
		r = nr_kb_open(NULL, &c->kb[a->node], err);
	if (r < 0) {
		nr_netns_close(c->ns[a->node]);
		c->ns[a->node] = NULL;
	}
	return r;
}

static void *creator_run(void *arg)
{
	struct creator *cr = arg;
	struct ctx *c = cr->c;
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	struct nr_os_error oe = { 0 };
	int r = 0;

	if (home < 0) {
		r = -errno;
		snprintf(oe.msg, sizeof(oe.msg), "opening /proc/thread-self/ns/net: %s",
			 strerror(-r));
	}
	for (size_t i = 0; r == 0 && i < c->t->nnodes; i++) {
		struct inside_arg ia = { c, i };
		size_t failed = SIZE_MAX;
		struct nr_knetns_create_opts o = {
			.reserved = true,
			.sysctls = cr->sys[i].s,
			.nsysctls = cr->sys[i].n,
			.have_home = true,
			.home_fd = home,
			.inside = open_inside,
			.arg = &ia,
			.ret_failed_sysctl = &failed,
		};
		bool stop;

		pthread_mutex_lock(&cr->mu);
		stop = cr->stop;
		pthread_mutex_unlock(&cr->mu);
		if (stop)
			break;
		r = nr_knetns_create_with(c->nsname[i], &o, &oe);
		pthread_mutex_lock(&cr->mu);
		if (r < 0) {
			cr->err_node = i;
			cr->err_sysctl = failed;
		} else {
			cr->ready = i + 1;
		}
		pthread_cond_signal(&cr->cv);
		pthread_mutex_unlock(&cr->mu);
	}
	if (home >= 0)
		close(home);
	pthread_mutex_lock(&cr->mu);
	if (r < 0) {
		cr->err = r;
		cr->oe = oe;
		cr->fail = true;
		if (home < 0)
			cr->err_node = cr->ready;
	}
	pthread_cond_signal(&cr->cv);
	pthread_mutex_unlock(&cr->mu);
	return NULL;
}

/* Stop the creator and wait for it: after this, the main thread alone
 * owns c->ns and c->kb (teardown closes what it made). */
static void creator_end(struct ctx *c)
{
	struct creator *cr = c->cr;

	if (!cr)
		return;
	if (cr->started) {
		pthread_mutex_lock(&cr->mu);
		cr->stop = true;
		pthread_mutex_unlock(&cr->mu);
		pthread_join(cr->tid, NULL);
	}
	pthread_mutex_destroy(&cr->mu);
	pthread_cond_destroy(&cr->cv);
	for (size_t i = 0; cr->sys && i < c->t->nnodes; i++) {
		free(cr->sys[i].s);
		free(cr->sys[i].from);
		free(cr->sys[i].path);
	}
	free(cr->sys);
	free(cr);
	c->cr = NULL;
}

/*
 * Wait until nodes [0, upto) exist; their first use queues lo's state and
 * tag. A creator failure becomes FILE:LINE:COL of the node, or of the
 * sysctl the kernel refused.
 */
static int nodes_ready(struct ctx *c, size_t upto)
{
	struct creator *cr = c->cr;
	size_t ready;
	bool fail;
	int r;

	if (upto <= c->ncreated)
		return 0;
	pthread_mutex_lock(&cr->mu);
	while (cr->ready < upto && !cr->fail)
		pthread_cond_wait(&cr->cv, &cr->mu);
	ready = cr->ready;
	fail = cr->fail && ready < upto;
	pthread_mutex_unlock(&cr->mu);
	/* Nodes up to ready are usable even when a later one failed. */
	for (size_t i = c->ncreated; i < ready && i < upto; i++) {
		/* lo carries the run's tag: `clean` removes a namespace no
		 * journal names only with it (run.c, clean_orphan). */
		struct nr_klink_opts lo = { .up = 1, .group = c->group, .alias = c->alias };

		c->ncreated = i + 1;
		r = tag(c, (int)i, c->t->nodes[i].pos, "node");
		if (r == 0)
			r = nr_kb_link_set(c->kb[i], "lo", &lo);
		if (r < 0)
			return fail_at(c, c->t->nodes[i].pos, r, "node %s: lo: %s",
				       c->t->nodes[i].name, strerror(-r));
	}
	if (fail) {
		const struct nr_topo_node *nd = &c->t->nodes[cr->err_node];
		const struct node_sys *ns = &cr->sys[cr->err_node];

		if (cr->err_sysctl < ns->n && ns->from[cr->err_sysctl]) {
			const struct nr_topo_sysctl *sy = ns->from[cr->err_sysctl];

			return fail_at(c, sy->pos, cr->err, "sysctl %s = %s: %s", sy->key,
				       sy->value, cr->oe.msg);
		}
		return fail_at(c, nd->pos, cr->err, "node %s: %s", nd->name, cr->oe.msg);
	}
	return 0;
}

/* Phase 1: names journaled and reserved, then the creator started. */
static int create_nodes(struct ctx *c)
{
	const struct nr_topo *t = c->t;
	const char **names = calloc(t->nnodes ? t->nnodes : 1, sizeof(*names));
	struct nr_os_error oe = { 0 };
	struct creator *cr;
	int r;

	if (!names)
		return -ENOMEM;
	cr = calloc(1, sizeof(*cr));
	if (!cr) {
		free(names);
		return -ENOMEM;
	}
	pthread_mutex_init(&cr->mu, NULL);
	pthread_cond_init(&cr->cv, NULL);
	cr->c = c;
	c->cr = cr;
	cr->sys = calloc(t->nnodes ? t->nnodes : 1, sizeof(*cr->sys));
	if (!cr->sys) {
		free(names);
		return -ENOMEM;
	}
	for (size_t i = 0; i < t->nnodes; i++) {
		r = nr_run_ns_name(nr_run_id(c->run), t->nodes[i].name, c->nsname[i],
				   sizeof(c->nsname[i]));
		if (r < 0) {
			free(names);
			return fail_at(c, t->nodes[i].pos, r, "node name '%s' too long",
				       t->nodes[i].name);
		}
		names[i] = c->nsname[i];
		/* Refused keys before anything exists. */
		r = node_sysctls(c, i, &cr->sys[i]);
		if (r < 0) {
			free(names);
			return r;
		}
	}
	/* In the journal (fsync'd) before the first one exists. */
	r = nr_run_add_ns(c->run, names, t->nnodes, &oe);
	if (r == 0)
		r = nr_knetns_prepare(&oe);
	if (r == 0)
		r = nr_knetns_reserve(names, t->nnodes, &oe);
	free(names);
	if (r < 0)
		return fail_at(c, (struct nr_topo_pos){ 0, 0 }, r, "%s", oe.msg);
	/* The creator inherits this thread's signal mask: signals stay with
	 * the main thread, which looks at them between phases. */
	r = -pthread_create(&cr->tid, NULL, creator_run, cr);
	if (r < 0)
		return fail_at(c, (struct nr_topo_pos){ 0, 0 }, r, "starting a thread: %s",
			       strerror(-r));
	cr->started = true;
	return 0;
}

/* Flush the queues of nodes [0, upto), in order; the first refusal
 * names its element. */
static int flush_upto(struct ctx *c, size_t upto)
{
	for (size_t i = 0; i < upto; i++) {
		struct nr_os_error oe = { 0 };
		long failed = -1;
		int r = nr_kb_flush(c->kb[i], &failed, &oe);

		if (r < 0) {
			struct nr_topo_pos pos = c->t->nodes[i].pos;
			const char *what = "node";

			if (failed >= 0 && (size_t)failed < c->ntags) {
				pos = c->tags[failed].pos;
				what = c->tags[failed].what;
			}
			return fail_at(c, pos, r, "%s: %s", what, oe.msg[0] ? oe.msg : strerror(-r));
		}
	}
	return 0;
}

static int flush_all(struct ctx *c)
{
	return flush_upto(c, c->t->nnodes);
}

/*
 * Phase 3's pace: the namespaces a link needs, [0, upto). When the
 * creator is not there yet, what is queued goes now, so the kernel builds
 * links while the creator makes the next namespace.
 */
static int need_nodes(struct ctx *c, size_t upto)
{
	size_t ready;
	int r;

	if (upto <= c->ncreated)
		return 0;
	pthread_mutex_lock(&c->cr->mu);
	ready = c->cr->ready;
	pthread_mutex_unlock(&c->cr->mu);
	if (ready < upto) {
		r = flush_upto(c, c->ncreated);
		if (r < 0)
			return r;
	}
	return nodes_ready(c, upto);
}

static int add_tuntap(struct ctx *c, const struct nr_topo_link *l)
{
	struct nr_tuntap_opts o = {
		.mode = l->kind == NR_TOPO_TAP ? NR_TUNTAP_TAP : NR_TUNTAP_TUN,
		.pi = l->pi,
		.vnet_hdr = l->vnet_hdr,
		.multi_queue = l->multi_queue,
		.persist = l->persist,
		.owner = (uid_t)-1,
		.group = (gid_t)-1,
	};
	struct nr_lab *lab = c->lab;
	struct nr_os_error oe = { 0 };
	struct nr_tuntap **tt;
	int *tn, r;

	tt = realloc(lab->tuntap, (lab->ntuntap + 1) * sizeof(*tt));
	if (!tt)
		return -ENOMEM;
	lab->tuntap = tt;
	tn = realloc(lab->tuntap_node, (lab->ntuntap + 1) * sizeof(*tn));
	if (!tn)
		return -ENOMEM;
	lab->tuntap_node = tn;
	r = nr_tuntap_open(c->ns[l->ends[0].node], l->ends[0].ifname, &o,
			   &lab->tuntap[lab->ntuntap], &oe);
	if (r < 0)
		return fail_at(c, l->pos, r, "%s %s: %s", l->kind == NR_TOPO_TAP ? "tap" : "tun",
			       l->ends[0].ifname, oe.msg);
	lab->tuntap_node[lab->ntuntap++] = l->ends[0].node;
	return 0;
}

static const char *kind_name(enum nr_topo_link_kind k)
{
	switch (k) {
	case NR_TOPO_VETH: return "veth";
	case NR_TOPO_TUN: return "tun";
	case NR_TOPO_TAP: return "tap";
	case NR_TOPO_BRIDGE: return "bridge";
	case NR_TOPO_MACVLAN: return "macvlan";
	case NR_TOPO_VXLAN: return "vxlan";
	}
	return "link";
}

/* Whether a link is made in phase 3 (or 4: its parent must exist first). */
static bool first_phase(enum nr_topo_link_kind k)
{
	return k == NR_TOPO_VETH || k == NR_TOPO_BRIDGE || k == NR_TOPO_TUN || k == NR_TOPO_TAP;
}

/* After a flush: the indexes the kernel echoed go into the cache. */
static int learn_indexes(struct ctx *c, bool first)
{
	const struct nr_topo *t = c->t;
	int r;

	for (size_t i = 0; i < t->nlinks; i++) {
		const struct nr_topo_link *l = &t->links[i];

		if (first != first_phase(l->kind))
			continue;
		for (int e = 0; e < (l->kind == NR_TOPO_VETH ? 2 : 1); e++) {
			if (c->lidx[i][e] <= 0)
				continue; /* not echoed: looked up when needed */
			r = ifc_add(c, l->ends[e].node, l->ends[e].ifname, c->lidx[i][e]);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* Phase 3 (first) or 4 (!first). */
static int links(struct ctx *c, bool first)
{
	const struct nr_topo *t = c->t;
	bool any = false;
	int r;

	for (size_t i = 0; i < t->nlinks; i++) {
		const struct nr_topo_link *l = &t->links[i];
		int n0 = l->ends[0].node;
		struct nr_klink_opts o;

		if (first != first_phase(l->kind))
			continue;
		any = true;
		if (first) {
			size_t need = (size_t)n0 + 1;

			if (l->kind == NR_TOPO_VETH && (size_t)l->ends[1].node >= need)
				need = (size_t)l->ends[1].node + 1;
			r = need_nodes(c, need);
			if (r < 0)
				return r;
		}
		if (l->kind == NR_TOPO_TUN || l->kind == NR_TOPO_TAP) {
			r = add_tuntap(c, l);
			if (r < 0)
				return r;
			continue;
		}
		r = tag(c, n0, l->pos, "link");
		if (r < 0)
			return r;
		o = link_opts(c, &l->ends[0]);
		/* Up in the creating request saves one per link; not when a
		 * sysctl of an interface must be written before it is up. */
		if (!c->iface_sysctls && (l->kind == NR_TOPO_VETH || l->kind == NR_TOPO_BRIDGE))
			o.up = link_up(c, &l->ends[0]);
		switch (l->kind) {
		case NR_TOPO_VETH: {
			struct nr_klink_opts po = link_opts(c, &l->ends[1]);

			/* The kernel creates the peer without an alias; the group
			 * still tags it. Its state comes in phase 6. */
			po.alias = NULL;

			r = nr_kb_veth(c->kb[n0], l->ends[0].ifname, c->ns[l->ends[1].node],
				       l->ends[1].ifname, &o, &po);
			if (r == 0)
				r = nr_kb_want_index(c->kb[n0], &c->lidx[i][0], &c->lidx[i][1]);
			break;
		}
		case NR_TOPO_BRIDGE:
			r = nr_kb_bridge(c->kb[n0], l->ends[0].ifname, &o);
			if (r == 0)
				r = nr_kb_want_index(c->kb[n0], &c->lidx[i][0], NULL);
			break;
		case NR_TOPO_MACVLAN:
			r = nr_kb_macvlan(c->kb[n0], l->ends[0].ifname, l->parent,
					  l->macvlan_mode[0] ? l->macvlan_mode : "bridge", &o);
			if (r == 0)
				r = nr_kb_want_index(c->kb[n0], &c->lidx[i][0], NULL);
			break;
		case NR_TOPO_VXLAN: {
			struct nr_kvxlan v = { .vni = l->vni,
					       .local = l->vx_local,
					       .remote = l->vx_remote,
					       .group = l->vx_group,
					       .port = l->vx_port ? l->vx_port : 4789,
					       .dev = l->vx_dev[0] ? l->vx_dev : NULL };

			r = nr_kb_vxlan(c->kb[n0], l->ends[0].ifname, &v, &o);
			if (r == 0)
				r = nr_kb_want_index(c->kb[n0], &c->lidx[i][0], NULL);
			break;
		}
		default:
			r = -EINVAL;
		}
		if (r < 0)
			return fail_at(c, l->pos, r, "%s %s: %s", kind_name(l->kind),
				       l->ends[0].ifname, strerror(-r));
		nr_run_note(c->run, t->nodes[n0].name, kind_name(l->kind), l->ends[0].ifname);
		if (l->kind == NR_TOPO_VETH)
			nr_run_note(c->run, t->nodes[l->ends[1].node].name, "veth",
				    l->ends[1].ifname);
	}
	/* Phase 3 always flushes: every node's lo state is queued in it. */
	if (!first && !any)
		return 0;
	if (first) {
		r = nodes_ready(c, t->nnodes);
		if (r < 0)
			return r;
		creator_end(c);
	}
	r = flush_all(c);
	if (r == 0)
		r = learn_indexes(c, first);
	return r;
}

/* Phase 6, first part: interfaces not configured at creation, bridge ports. */
static int settings(struct ctx *c)
{
	const struct nr_topo *t = c->t;
	int r;

	for (size_t i = 0; i < t->nlinks; i++) {
		const struct nr_topo_link *l = &t->links[i];

		if (l->kind == NR_TOPO_TUN || l->kind == NR_TOPO_TAP) {
			/* Made by ioctl: the tag and default state come now. */
			struct nr_klink_opts o = link_opts(c, &l->ends[0]);

			o.up = link_up(c, &l->ends[0]);
			r = tag(c, l->ends[0].node, l->pos, "link");
			if (r == 0)
				r = nr_kb_link_set(c->kb[l->ends[0].node], l->ends[0].ifname, &o);
			if (r < 0)
				return fail_at(c, l->pos, r, "%s: %s", l->ends[0].ifname,
					       strerror(-r));
			nr_run_note(c->run, t->nodes[l->ends[0].node].name, kind_name(l->kind),
				    l->ends[0].ifname);
		}
		for (int e = 0; e < (l->kind == NR_TOPO_VETH ? 2 : 1); e++) {
			struct nr_klink_opts o = { .up = link_up(c, &l->ends[e]) };

			if (l->kind == NR_TOPO_TUN || l->kind == NR_TOPO_TAP)
				break;
			/* Already in its state since its creating request. */
			if (e == 0 && !c->iface_sysctls &&
			    (l->kind == NR_TOPO_VETH || l->kind == NR_TOPO_BRIDGE))
				continue;
			r = tag(c, l->ends[e].node, l->pos, "link");
			if (r == 0)
				r = nr_kb_link_set(c->kb[l->ends[e].node], l->ends[e].ifname, &o);
			if (r < 0)
				return fail_at(c, l->pos, r, "%s: %s", l->ends[e].ifname,
					       strerror(-r));
		}
		if (l->kind != NR_TOPO_BRIDGE)
			continue;
		for (size_t p = 0; p < l->nports; p++) {
			struct nr_klink_opts o = { .up = -1, .master = l->ends[0].ifname };

			r = tag(c, l->ports[p].node, l->pos, "bridge port");
			if (r == 0)
				r = nr_kb_link_set(c->kb[l->ports[p].node], l->ports[p].ifname, &o);
			if (r < 0)
				return fail_at(c, l->pos, r, "bridge port %s: %s", l->ports[p].ifname,
					       strerror(-r));
		}
	}
	for (size_t i = 0; i < t->nifaces; i++) {
		const struct nr_topo_iface *f = &t->ifaces[i];
		struct nr_klink_opts o = { .mac = f->mac, .mtu = f->mtu, .up = f->up };

		if (c->iface_done[i])
			continue;
		if (o.up == NR_TOPO_TRI_UNSET)
			o.up = 1;
		r = tag(c, f->ref.node, f->pos, "interface");
		if (r == 0)
			r = nr_kb_link_set(c->kb[f->ref.node], f->ref.ifname, &o);
		if (r < 0)
			return fail_at(c, f->pos, r, "interface %s: %s", f->ref.ifname,
				       strerror(-r));
	}
	return 0;
}

static int addresses(struct ctx *c)
{
	const struct nr_topo *t = c->t;
	int r;

	for (size_t i = 0; i < t->nifaces; i++) {
		const struct nr_topo_iface *f = &t->ifaces[i];
		int idx;

		if (!f->naddrs)
			continue;
		idx = ifindex(c, f->ref.node, f->ref.ifname);
		if (idx < 0)
			return fail_at(c, f->pos, idx, "no interface %s in node %s",
				       f->ref.ifname, t->nodes[f->ref.node].name);
		for (size_t k = 0; k < f->naddrs; k++) {
			const struct nr_topo_addr *a = &f->addrs[k];

			r = tag(c, f->ref.node, a->pos, "address");
			if (r == 0)
				r = nr_kb_addr(c->kb[f->ref.node], idx, &a->local, &a->peer,
					       a->nodad);
			if (r < 0)
				return fail_at(c, a->pos, r, "address: %s", strerror(-r));
		}
	}
	return 0;
}

static int routes_rules_neigh(struct ctx *c)
{
	const struct nr_topo *t = c->t;
	struct nr_nexthop nh[NR_ROUTE_MAX_NH];
	int r;

	for (size_t i = 0; i < t->nroutes; i++) {
		const struct nr_topo_route *rt = &t->routes[i];
		struct nr_route route = rt->r;

		if (rt->nnh > NR_ROUTE_MAX_NH)
			return fail_at(c, rt->pos, -E2BIG, "route: more than %d nexthops",
				       NR_ROUTE_MAX_NH);
		for (size_t k = 0; k < rt->nnh; k++) {
			const struct nr_topo_nexthop *h = &rt->nh[k];

			memset(&nh[k], 0, sizeof(nh[k]));
			nh[k].gw = h->gw;
			nh[k].weight = h->weight ? h->weight : 1;
			nh[k].flags = h->onlink ? NR_RTNH_F_ONLINK : 0;
			if (h->dev[0]) {
				int idx = ifindex(c, rt->node, h->dev);

				if (idx < 0)
					return fail_at(c, rt->pos, idx, "route: no device %s in node %s",
						       h->dev, t->nodes[rt->node].name);
				nh[k].ifindex = idx;
			}
		}
		route.nh_count = (uint16_t)rt->nnh;
		route.nh = rt->nnh ? nh : NULL;
		r = tag(c, rt->node, rt->pos, "route");
		if (r == 0)
			r = nr_kb_route(c->kb[rt->node], &route);
		if (r < 0)
			return fail_at(c, rt->pos, r, "route: %s", strerror(-r));
	}
	for (size_t i = 0; i < t->nrules; i++) {
		const struct nr_topo_rule *ru = &t->rules[i];

		r = tag(c, ru->node, ru->pos, "rule");
		if (r == 0)
			r = nr_kb_rule(c->kb[ru->node], &ru->r);
		if (r < 0)
			return fail_at(c, ru->pos, r, "rule: %s", strerror(-r));
	}
	for (size_t i = 0; i < t->nneigh; i++) {
		const struct nr_topo_neigh *ne = &t->neigh[i];
		int idx = ifindex(c, ne->node, ne->dev);

		if (idx < 0)
			return fail_at(c, ne->pos, idx, "neighbour: no device %s in node %s", ne->dev,
				       t->nodes[ne->node].name);
		r = tag(c, ne->node, ne->pos, "neighbour");
		if (r == 0)
			r = nr_kb_neigh(c->kb[ne->node], idx, &ne->addr, &ne->lladdr,
					ne->state ? ne->state : 0x80, ne->router);
		if (r < 0)
			return fail_at(c, ne->pos, r, "neighbour: %s", strerror(-r));
	}
	return flush_all(c);
}

static bool cancelled(const struct nr_topo_apply_opts *o)
{
	return o && o->cancelled && o->cancelled(o->arg);
}

/* Close what pins the namespaces: sockets and namespace fds. */
static void close_handles(struct ctx *c)
{
	for (size_t i = 0; i < c->t->nnodes; i++) {
		if (c->kb && c->kb[i])
			nr_kb_close(c->kb[i]);
		if (c->ns && c->ns[i])
			nr_netns_close(c->ns[i]);
	}
	free(c->kb);
	free(c->ns);
	c->kb = NULL;
	c->ns = NULL;
}

int nr_topo_apply(const struct nr_topo *t, struct nr_run *run, const struct nr_topo_apply_opts *o,
		  struct nr_lab **ret, struct nr_topo_error *err)
{
	struct ctx c = { .t = t, .run = run, .err = err };
	uint64_t t0 = mono_ns();
	size_t n = t->nnodes ? t->nnodes : 1;
	int r;

	c.group = nr_run_group(nr_run_id(run));
	snprintf(c.alias, sizeof(c.alias), "netrig:%s", nr_run_id(run));
	c.nsname = calloc(n, sizeof(*c.nsname));
	c.ns = calloc(n, sizeof(*c.ns));
	c.kb = calloc(n, sizeof(*c.kb));
	c.iface_done = calloc(t->nifaces ? t->nifaces : 1, sizeof(*c.iface_done));
	c.lidx = calloc(t->nlinks ? t->nlinks : 1, sizeof(*c.lidx));
	c.lab = calloc(1, sizeof(*c.lab));
	if (!c.nsname || !c.ns || !c.kb || !c.iface_done || !c.lidx || !c.lab) {
		r = fail_at(&c, (struct nr_topo_pos){ 0, 0 }, -ENOMEM, "out of memory");
		goto out;
	}

	for (size_t i = 0; i < t->nnodes; i++)
		for (size_t k = 0; k < t->nodes[i].nsysctls; k++)
			if (sysctl_per_iface(t->nodes[i].sysctls[k].key))
				c.iface_sysctls = true;

	/* Each phase, then a look at pending signals. */
	/* Phase 2 is in 1: the creator writes namespace-wide sysctls. */
	r = create_nodes(&c);
	if (r == 0 && !cancelled(o))
		r = links(&c, true);
	if (r == 0 && !cancelled(o))
		r = links(&c, false);
	if (r == 0 && !cancelled(o))
		r = sysctls(&c, true);
	/* Phase 6: one flush for state, addresses and routes. */
	if (r == 0 && !cancelled(o)) {
		r = settings(&c);
		if (r == 0)
			r = addresses(&c);
		if (r == 0)
			r = routes_rules_neigh(&c);
	}
	if (r == 0 && cancelled(o))
		r = fail_at(&c, (struct nr_topo_pos){ 0, 0 }, -EINTR, "interrupted during setup");
	if (r == -ENOMEM && err && !err->msg[0])
		fail_at(&c, (struct nr_topo_pos){ 0, 0 }, r, "out of memory");
out:
	creator_end(&c);
	close_handles(&c);
	if (r < 0) {
		struct nr_os_error oe = { 0 };
		unsigned tmo = o && o->teardown_timeout_ms ? o->teardown_timeout_ms : 10000;

		nr_lab_free(c.lab);
		c.lab = NULL;
		/* Everything made so far goes, journal last. */
		if (nr_run_teardown(run, tmo, NULL, &oe) < 0 && err) {
			size_t l = strlen(err->msg);

			snprintf(err->msg + l, sizeof(err->msg) - l, " (and teardown failed: %s)",
				 oe.msg);
		}
	} else {
		c.lab->setup_ns = mono_ns() - t0;
		*ret = c.lab;
		c.lab = NULL;
	}
	free(c.nsname);
	free(c.iface_done);
	free(c.lidx);
	free(c.tags);
	free(c.ifc);
	nr_lab_free(c.lab);
	return r;
}

void nr_lab_free(struct nr_lab *lab)
{
	if (!lab)
		return;
	for (size_t i = 0; i < lab->ntuntap; i++)
		nr_tuntap_close(lab->tuntap[i]);
	free(lab->tuntap);
	free(lab->tuntap_node);
	free(lab);
}
