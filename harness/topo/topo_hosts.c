/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A topology's emulated hosts on its lab's TUN/TAP devices (see
 * topo_hosts.h).
 *
 * respond/respond.h runs one host on an nr_link it may read alone; here a
 * device can carry several hosts and belongs to the lab (nr_lab closes
 * it), so the glue is a small one of its own: one reader per device that
 * offers each frame to every host on it, one timer per host.
 */
#include "topo/topo_hosts.h"

#include "netrig/host.h"
#include "netrig/kbuild.h"
#include "netrig/responder.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "topo/schema.h"

#define FRAME_MAX 65536u /* more than any TUN/TAP frame, whatever MTU the file set */
#define BATCH 64u        /* frames per wake-up before the timers get a turn */

struct th_dev;

struct th_host {
	struct nr_host *host;
	const struct nr_topo_host *model;
	struct th_dev *dev;
	struct nr_timer timer;
};

struct th_dev {
	struct nr_tuntap *tt; /* the lab's */
	struct nr_topo_hosts *all;
	struct nr_loop_watch *watch;
};

struct nr_topo_hosts {
	size_t nhosts, ndevs;
	struct th_host *hosts;
	struct th_dev *devs;
	struct nr_loop *loop; /* when attached */
	uint8_t *buf;
	struct nr_topo_hosts_stats stats;
	int signo; /* nr_topo_hosts_serve */
};

static int fail(struct nr_topo_error *err, const struct nr_topo *t, struct nr_topo_pos pos,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(struct nr_topo_error *err, const struct nr_topo *t, struct nr_topo_pos pos,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nr_topo_error_vset(err, t->path ? t->path : "<topology>", NULL, 0, pos.line, pos.col, fmt,
			   ap);
	va_end(ap);
	return -EINVAL;
}

/* The lab's device for a link: matched by node and name, not by order. */
static struct nr_tuntap *lab_device(const struct nr_lab *lab, const struct nr_topo_ifref *on)
{
	for (size_t i = 0; i < lab->ntuntap; i++)
		if (lab->tuntap_node[i] == on->node &&
		    strcmp(nr_tuntap_name(lab->tuntap[i]), on->ifname) == 0)
			return lab->tuntap[i];
	return NULL;
}

static uint32_t iface_mtu(const struct nr_topo *t, const struct nr_topo_ifref *on)
{
	for (size_t i = 0; i < t->nifaces; i++)
		if (t->ifaces[i].ref.node == on->node && strcmp(t->ifaces[i].ref.ifname, on->ifname) == 0)
			return t->ifaces[i].mtu ? t->ifaces[i].mtu : 1500;
	return 1500;
}

static int build_host(const struct nr_topo *t, const struct nr_topo_host *m,
		      struct nr_host **ret, struct nr_topo_error *err)
{
	const struct nr_topo_link *lk = &t->links[m->link];
	struct nr_host_config cfg;
	struct nr_host *h = NULL;
	char buf[NR_PREFIX_STRLEN];
	int r;

	nr_host_config_default(&cfg);
	cfg.link = lk->kind == NR_TOPO_TAP ? NR_HOST_LINK_ETHERNET : NR_HOST_LINK_IP;
	snprintf(cfg.ifname, sizeof(cfg.ifname), "%s", m->on.ifname);
	cfg.mtu = iface_mtu(t, &m->on);
	cfg.fixed_mac = m->fixed_mac;
	memcpy(cfg.mac, m->mac, 6);
	cfg.router = m->router;
	cfg.promisc = m->any; /* compatibility mode: whatever the destination MAC */
	r = nr_host_new(&cfg, &h);
	if (r < 0)
		return r == -ENOMEM ? r : fail(err, t, m->pos, "host: %s", strerror(-r));
	for (size_t i = 0; i < m->naddrs; i++) {
		const struct nr_topo_host_addr *a = &m->addrs[i];

		r = a->range ? nr_host_add_range(h, &a->p) : nr_host_add_addr(h, &a->p);
		if (r < 0) {
			if (r != -ENOMEM)
				r = fail(err, t, a->pos, "host address %s: %s",
					 nr_prefix_format(&a->p, buf, sizeof(buf)), strerror(-r));
			goto fail;
		}
	}
	for (size_t i = 0; i < m->nexclude; i++) {
		r = nr_host_exclude(h, &m->exclude[i]);
		if (r < 0 && r != -EEXIST) {
			if (r != -ENOMEM)
				r = fail(err, t, m->pos, "leaving %s out: %s",
					 nr_addr_format(&m->exclude[i], buf, sizeof(buf)),
					 strerror(-r));
			goto fail;
		}
	}
	for (size_t i = 0; i < m->nresp; i++) {
		r = nr_host_attach_by_name(h, m->resp[i].name, m->resp[i].options);
		if (r < 0) {
			if (r != -ENOMEM)
				r = fail(err, t, m->resp[i].pos, "responder %s (%s): %s",
					 m->resp[i].name, m->resp[i].options, strerror(-r));
			goto fail;
		}
	}
	*ret = h;
	return 0;
fail:
	nr_host_free(h);
	return r;
}

int nr_topo_hosts_new(const struct nr_topo *t, const struct nr_lab *lab,
		      struct nr_topo_hosts **ret, struct nr_topo_error *err)
{
	struct nr_topo_hosts *h = calloc(1, sizeof(*h));
	int r = -ENOMEM;

	if (!h)
		return -ENOMEM;
	h->hosts = calloc(t->nhosts ? t->nhosts : 1, sizeof(*h->hosts));
	h->devs = calloc(t->nhosts ? t->nhosts : 1, sizeof(*h->devs));
	if (!h->hosts || !h->devs)
		goto fail;
	for (size_t i = 0; i < t->nhosts; i++) {
		const struct nr_topo_host *m = &t->hosts[i];
		struct th_host *th = &h->hosts[i];
		struct nr_tuntap *tt = lab_device(lab, &m->on);
		size_t d;

		if (!tt) {
			r = fail(err, t, m->pos, "host: the lab holds no device %s:%s",
				 t->nodes[m->on.node].name, m->on.ifname);
			goto fail;
		}
		r = build_host(t, m, &th->host, err);
		if (r < 0)
			goto fail;
		h->nhosts++;
		for (d = 0; d < h->ndevs && h->devs[d].tt != tt; d++)
			;
		if (d == h->ndevs) {
			h->devs[d].tt = tt;
			h->devs[d].all = h;
			h->ndevs++;
		}
		th->model = m;
		th->dev = &h->devs[d];
	}
	*ret = h;
	return 0;
fail:
	nr_topo_hosts_free(h);
	return r;
}

static void detach(struct nr_topo_hosts *h)
{
	if (!h->loop)
		return;
	for (size_t i = 0; i < h->ndevs; i++) {
		nr_loop_fd_remove(h->devs[i].watch);
		h->devs[i].watch = NULL;
	}
	for (size_t i = 0; i < h->nhosts; i++)
		nr_loop_timer_cancel(h->loop, &h->hosts[i].timer);
	h->loop = NULL;
}

void nr_topo_hosts_free(struct nr_topo_hosts *h)
{
	if (!h)
		return;
	detach(h);
	for (size_t i = 0; i < h->nhosts; i++)
		nr_host_free(h->hosts[i].host);
	free(h->hosts);
	free(h->devs);
	free(h->buf);
	free(h);
}

size_t nr_topo_hosts_count(const struct nr_topo_hosts *h)
{
	return h->nhosts;
}

struct nr_host *nr_topo_hosts_at(struct nr_topo_hosts *h, size_t i)
{
	return i < h->nhosts ? h->hosts[i].host : NULL;
}

const struct nr_topo_hosts_stats *nr_topo_hosts_stats(const struct nr_topo_hosts *h)
{
	return &h->stats;
}

/* Write out what the host queued; a refused frame is dropped and counted. */
static void flush(struct th_host *th)
{
	struct nr_topo_hosts *all = th->dev->all;
	const uint8_t *f;
	size_t len;

	while (nr_host_output_peek(th->host, &f, &len) == 0) {
		ssize_t n = nr_tuntap_write(th->dev->tt, f, len);

		if (n == (ssize_t)len)
			all->stats.frames_out++;
		else
			all->stats.tx_errors++;
		nr_host_output_pop(th->host);
	}
}

static void rearm(struct th_host *th)
{
	struct nr_loop *loop = th->dev->all->loop;
	uint64_t d = nr_host_next_deadline(th->host, nr_loop_now(loop));

	if (d == UINT64_MAX)
		nr_loop_timer_cancel(loop, &th->timer);
	else
		(void)nr_loop_timer_arm(loop, &th->timer, d); /* -ENOMEM: the next frame re-arms */
}

static void on_timer(struct nr_loop *l, struct nr_timer *t, void *arg)
{
	struct th_host *th = arg;

	(void)t;
	(void)nr_host_tick(th->host, nr_loop_now(l));
	flush(th);
	rearm(th);
}

static void on_readable(struct nr_loop *l, int fd, unsigned events, void *arg)
{
	struct th_dev *dev = arg;
	struct nr_topo_hosts *all = dev->all;

	(void)fd;
	(void)events;
	for (unsigned b = 0; b < BATCH; b++) {
		ssize_t n = nr_tuntap_read(dev->tt, all->buf, FRAME_MAX);

		if (n == -EAGAIN || n == -EINTR)
			break;
		if (n <= 0) {
			/* Counted; level-triggered, so a device that keeps failing
			 * is retried no faster than the loop wakes. */
			all->stats.rx_errors++;
			if (nr_tuntap_gone(n)) {
				/* Deleted: it would wake the loop for ever. */
				nr_loop_fd_remove(dev->watch);
				dev->watch = NULL;
				all->stats.devs_gone++;
			}
			break;
		}
		all->stats.frames_in++;
		for (size_t i = 0; i < all->nhosts; i++) {
			struct th_host *th = &all->hosts[i];

			if (th->dev != dev)
				continue;
			(void)nr_host_input(th->host, all->buf, (size_t)n, nr_loop_now(l));
			flush(th);
		}
	}
	for (size_t i = 0; i < all->nhosts; i++)
		if (all->hosts[i].dev == dev)
			rearm(&all->hosts[i]);
}

int nr_topo_hosts_attach(struct nr_topo_hosts *h, struct nr_loop *loop)
{
	int r;

	if (h->loop)
		return -EBUSY;
	if (!h->buf) {
		h->buf = malloc(FRAME_MAX);
		if (!h->buf)
			return -ENOMEM;
	}
	h->loop = loop;
	for (size_t i = 0; i < h->nhosts; i++)
		nr_timer_init(&h->hosts[i].timer, on_timer, &h->hosts[i]);
	for (size_t i = 0; i < h->ndevs; i++) {
		int fd = nr_tuntap_fd(h->devs[i].tt);
		int fl = fcntl(fd, F_GETFL);

		/* Drained until -EAGAIN: the lab opened it blocking. */
		if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
			r = -errno;
			goto fail;
		}
		r = nr_loop_fd_add(loop, fd, NR_LOOP_READ, on_readable, &h->devs[i],
				   &h->devs[i].watch);
		if (r < 0)
			goto fail;
	}
	for (size_t i = 0; i < h->nhosts; i++)
		rearm(&h->hosts[i]);
	return 0;
fail:
	detach(h);
	return r;
}

static void on_signal(struct nr_loop *l, int signo, void *arg)
{
	struct nr_topo_hosts *h = arg;

	h->signo = signo;
	nr_loop_stop(l);
}

int nr_topo_hosts_serve(struct nr_topo_hosts *h, const sigset_t *set)
{
	struct nr_loop *loop = NULL;
	int r;

	h->signo = 0;
	r = nr_loop_new(NULL, &loop);
	for (int s = 1; r == 0 && s < NSIG; s++)
		if (sigismember(set, s) == 1)
			r = nr_loop_signal_add(loop, s, on_signal, h);
	if (r == 0)
		r = nr_topo_hosts_attach(h, loop);
	/* Nothing else can stop it: only a signal ends the wait. */
	while (r == 0 && h->signo == 0) {
		r = nr_loop_run(loop);
		if (r == NR_LOOP_IDLE)
			r = -EIO; /* cannot happen while signals are watched */
		else if (r > 0)
			r = 0;
	}
	detach(h);
	/* The signals stay blocked for the caller's teardown: the loop only
	 * unblocks what was not blocked before, and they were. */
	nr_loop_free(loop);
	return r < 0 ? r : h->signo;
}

static void counter(FILE *f, const char *what, const char *name, uint64_t v)
{
	if (v)
		fprintf(f, "    %s%s: %" PRIu64 "\n", what, name, v);
}

void nr_topo_hosts_print_counters(struct nr_topo_hosts *h, FILE *f)
{
	for (size_t i = 0; i < h->nhosts; i++) {
		struct nr_host *host = h->hosts[i].host;
		const struct nr_host_stats *hs = nr_host_stats(host);
		char p[NR_PREFIX_STRLEN];

		fprintf(f, "host on %s (line %u):", h->hosts[i].model->on.ifname,
			h->hosts[i].model->pos.line);
		for (size_t a = 0; a < nr_host_addr_count(host); a++)
			fprintf(f, " %s", nr_prefix_format(&nr_host_addr_at(host, a)->p, p, sizeof(p)));
		fprintf(f, "\n");
		counter(f, "", "frames in", hs->rx);
		counter(f, "", "frames out", hs->tx);
		counter(f, "", "replies", hs->replies);
		for (size_t d = 0; d < NR_HOST_DROP_COUNT; d++)
			counter(f, "drop: ", nr_host_drop_str((enum nr_host_drop)d), hs->drop[d]);
		for (size_t k = 0; k < nr_host_responder_count(host); k++) {
			const struct nr_responder *r = nr_host_responder_at(host, k);
			const struct nr_resp_stats *rs = nr_responder_stats(r);

			fprintf(f, "  %s: %" PRIu64 " seen, %" PRIu64 " replies\n",
				nr_responder_name(r), rs->seen, rs->replies);
		}
	}
	if (h->stats.rx_errors || h->stats.devs_gone)
		fprintf(f, "devices: %" PRIu64 " read errors, %" PRIu64 " deleted under the lab\n",
			h->stats.rx_errors, h->stats.devs_gone);
}
