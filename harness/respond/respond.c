/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A host on a link in the loop (respond.h). Per wake-up: read up to a
 * batch of frames (the link's fd is level-triggered, so what is left
 * wakes the loop again and timers and signals are not starved by a
 * flood), feed each to the host, send what it queued at once, then arm
 * the timer for the host's next deadline.
 *
 * With io_uring the same, by completions: one multishot read on the
 * link's fd fills provided buffers, each frame read is one completion;
 * what the host queues is copied to a send slot and written by a request
 * that the loop's next wait submits. Counters, capture and --verbose
 * follow the write's completion, as they follow write() without a ring.
 */
#include "respond/respond_priv.h"

#include "netrig/kbuild.h"

#include "netrig/arp.h"
#include "netrig/eth.h"
#include "netrig/icmp4.h"
#include "netrig/icmp6.h"
#include "netrig/ipv4.h"
#include "netrig/ipv6.h"
#include "netrig/ndp.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/io_uring.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_DEFAULT 64u
/* IORING_OP_READ_MULTISHOT (Linux 6.7) is newer than some installed headers; probed. */
#define OP_READ_MULTISHOT 49u
#define RX_BUFS 64u   /* frames the kernel can read ahead of us */
#define TX_SLOTS 256u /* frames written and not yet completed */

/* ------------------------------------------------------------------ */
/* Describing frames                                                   */

static bool describe_arp(const uint8_t *p, size_t len, char *buf, size_t cap)
{
	struct nr_arp a;
	struct nr_addr spa, tpa;
	struct nr_lladdr sha;
	char s[NR_ADDR_STRLEN], t[NR_ADDR_STRLEN], m[NR_LLADDR_STRLEN];

	if (nr_arp_decode(p, len, &a, NULL) < 0 || !nr_arp_is_eth_ipv4(&a) ||
	    nr_arp_spa(&a, &spa) < 0 || nr_arp_tpa(&a, &tpa) < 0) {
		snprintf(buf, cap, "arp (malformed, %zu bytes)", len);
		return false;
	}
	nr_arp_sha(&a, &sha);
	nr_addr_format(&spa, s, sizeof(s));
	nr_addr_format(&tpa, t, sizeof(t));
	nr_lladdr_format(&sha, m, sizeof(m));
	if (a.op == NR_ARP_OP_REPLY) {
		snprintf(buf, cap, "arp reply %s is-at %s > %s", s, m, t);
		return true;
	}
	if (a.op == NR_ARP_OP_REQUEST) {
		snprintf(buf, cap, "arp request who-has %s tell %s", t, s);
		return false;
	}
	snprintf(buf, cap, "arp op %u", a.op);
	return false;
}

static bool describe_ip4(const uint8_t *p, size_t len, char *buf, size_t cap)
{
	struct nr_ipv4 ip;
	struct nr_icmp4 m;
	char s[NR_ADDR_STRLEN], d[NR_ADDR_STRLEN];

	if (nr_ipv4_decode(p, len, &ip, NULL) < 0) {
		snprintf(buf, cap, "ipv4 (malformed, %zu bytes)", len);
		return false;
	}
	nr_addr_format(&ip.src, s, sizeof(s));
	nr_addr_format(&ip.dst, d, sizeof(d));
	if (ip.proto == NR_IPPROTO_ICMP && !ip.mf && ip.frag_off == 0 &&
	    nr_icmp4_decode(ip.payload, ip.payload_len, &m, NULL) == 0 &&
	    (m.type == NR_ICMP4_ECHO_REPLY || m.type == NR_ICMP4_ECHO_REQUEST)) {
		bool reply = m.type == NR_ICMP4_ECHO_REPLY;

		snprintf(buf, cap, "echo %s %s > %s id %u seq %u len %zu",
			 reply ? "reply" : "request", s, d, m.id, m.seq, m.data_len);
		return reply;
	}
	snprintf(buf, cap, "ipv4 %s > %s proto %u len %zu", s, d, ip.proto, len);
	return false;
}

static bool describe_ip6(const uint8_t *p, size_t len, char *buf, size_t cap)
{
	struct nr_ipv6 ip;
	char s[NR_ADDR_STRLEN], d[NR_ADDR_STRLEN], t[NR_ADDR_STRLEN], m[NR_LLADDR_STRLEN];

	if (nr_ipv6_decode(p, len, &ip, NULL) < 0) {
		snprintf(buf, cap, "ipv6 (malformed, %zu bytes)", len);
		return false;
	}
	nr_addr_format(&ip.src, s, sizeof(s));
	nr_addr_format(&ip.dst, d, sizeof(d));
	if (ip.upper_proto == NR_IPPROTO_ICMPV6 && ip.upper_len >= 1) {
		uint8_t type = ip.upper[0];
		struct nr_icmp6 e;
		struct nr_ndp n;

		if ((type == NR_ICMP6_ECHO_REPLY || type == NR_ICMP6_ECHO_REQUEST) &&
		    nr_icmp6_decode(ip.upper, ip.upper_len, &ip.src, &ip.dst, &e, NULL) == 0) {
			bool reply = type == NR_ICMP6_ECHO_REPLY;

			snprintf(buf, cap, "echo6 %s %s > %s id %u seq %u len %zu",
				 reply ? "reply" : "request", s, d, e.id, e.seq, e.data_len);
			return reply;
		}
		if (type >= NR_ICMP6_ROUTER_SOLICIT && type <= NR_ICMP6_NEIGHBOR_ADVERT &&
		    nr_ndp_decode(ip.upper, ip.upper_len, &ip.src, &ip.dst, ip.hop_limit, &n,
				  NULL) == 0) {
			nr_addr_format(&n.target, t, sizeof(t));
			switch (type) {
			case NR_ICMP6_NEIGHBOR_ADVERT:
				m[0] = 0;
				if (n.has_tllao)
					nr_lladdr_format(&n.tllao, m, sizeof(m));
				snprintf(buf, cap, "na %s > %s target %s flags %s%s%s%s%s%s", s, d,
					 t, n.router ? "R" : "", n.solicited ? "S" : "",
					 n.override ? "O" : "",
					 !n.router && !n.solicited && !n.override ? "-" : "",
					 n.has_tllao ? " tllao " : "", m);
				return true;
			case NR_ICMP6_ROUTER_ADVERT:
				snprintf(buf, cap, "ra %s > %s prefixes %u lifetime %u", s, d,
					 n.n_prefix, n.router_lifetime);
				return true;
			case NR_ICMP6_NEIGHBOR_SOLICIT:
				snprintf(buf, cap, "ns %s > %s who-has %s", s, d, t);
				return false;
			default:
				snprintf(buf, cap, "rs %s > %s", s, d);
				return false;
			}
		}
		snprintf(buf, cap, "icmp6 %s > %s type %u len %zu", s, d, type, len);
		return false;
	}
	snprintf(buf, cap, "ipv6 %s > %s next %u len %zu", s, d, ip.upper_proto, len);
	return false;
}

bool nr_respond_describe(const uint8_t *frame, size_t len, enum nr_link_layer layer, char *buf,
			 size_t cap)
{
	if (!buf || cap == 0)
		return false;
	buf[0] = 0;
	if (!frame)
		return false;
	if (layer == NR_LINK_ETHERNET) {
		struct nr_eth e;

		if (nr_eth_decode(frame, len, &e, NULL) < 0) {
			snprintf(buf, cap, "ethernet (malformed, %zu bytes)", len);
			return false;
		}
		switch (e.ethertype) {
		case NR_ETHERTYPE_ARP:
			return describe_arp(e.payload, e.payload_len, buf, cap);
		case NR_ETHERTYPE_IPV4:
			return describe_ip4(e.payload, e.payload_len, buf, cap);
		case NR_ETHERTYPE_IPV6:
			return describe_ip6(e.payload, e.payload_len, buf, cap);
		default:
			snprintf(buf, cap, "ethertype 0x%04x len %zu", e.ethertype, len);
			return false;
		}
	}
	if (len >= 1 && frame[0] >> 4 == 4)
		return describe_ip4(frame, len, buf, cap);
	if (len >= 1 && frame[0] >> 4 == 6)
		return describe_ip6(frame, len, buf, cap);
	snprintf(buf, cap, "raw (%zu bytes)", len);
	return false;
}

/* ------------------------------------------------------------------ */
/* The loop side                                                       */

/*
 * Is a frame the host queued a reply? A peek at fixed offsets, not a
 * decode: the host built it (no VLAN tag, no IPv6 extension headers), and
 * this runs for every frame at full rate.
 */
static bool is_reply(const uint8_t *f, size_t len, enum nr_link_layer layer)
{
	uint16_t type = 0;

	if (layer == NR_LINK_ETHERNET) {
		if (len < NR_ETH_HLEN)
			return false;
		type = (uint16_t)(f[12] << 8 | f[13]);
		f += NR_ETH_HLEN;
		len -= NR_ETH_HLEN;
		if (type == NR_ETHERTYPE_ARP)
			return len >= 8 && f[6] == 0 && f[7] == NR_ARP_OP_REPLY;
	} else if (len >= 1) {
		type = f[0] >> 4 == 4 ? NR_ETHERTYPE_IPV4 : f[0] >> 4 == 6 ? NR_ETHERTYPE_IPV6 : 0;
	}
	if (type == NR_ETHERTYPE_IPV4 && len >= NR_IPV4_HLEN && f[9] == NR_IPPROTO_ICMP) {
		size_t ihl = (size_t)(f[0] & 0xf) * 4;

		return len > ihl && f[ihl] == NR_ICMP4_ECHO_REPLY;
	}
	if (type == NR_ETHERTYPE_IPV6 && len > NR_IPV6_HLEN && f[6] == NR_IPPROTO_ICMPV6)
		return f[NR_IPV6_HLEN] == NR_ICMP6_ECHO_REPLY ||
		       f[NR_IPV6_HLEN] == NR_ICMP6_NEIGHBOR_ADVERT ||
		       f[NR_IPV6_HLEN] == NR_ICMP6_ROUTER_ADVERT;
	return false;
}

/* A reply went out: counted, said with --verbose; false once --count is reached. */
static bool reply_sent(struct nr_respond *r, const uint8_t *f, size_t len)
{
	char line[256];

	r->stats.replies++;
	if (r->o.verbose) {
		(void)nr_respond_describe(f, len, nr_link_layer(r->link), line, sizeof(line));
		fprintf(r->o.verbose, "%s\n", line);
		fflush(r->o.verbose);
	}
	if (!r->o.count || r->stats.replies < r->o.count)
		return true;
	r->done = true;
	if (r->threaded) /* the loop is the loop thread's to stop */
		respond_poke(r);
	else
		nr_loop_stop(r->loop);
	return false;
}

static bool drain_ring(struct nr_respond *r);

bool respond_drain(struct nr_respond *r)
{
	const uint8_t *f;
	size_t len;

	if (r->ring_tx)
		return drain_ring(r);
	while (nr_host_output_peek(r->host, &f, &len) == 0) {
		bool reply = is_reply(f, len, nr_link_layer(r->link)), more = true;

		if (nr_link_send(r->link, f, len) < 0) {
			r->stats.tx_errors++;
		} else {
			r->stats.frames_out++;
			if (reply)
				more = reply_sent(r, f, len);
		}
		nr_host_output_pop(r->host);
		if (!more)
			return false;
	}
	return true;
}

void respond_frame_in(struct nr_respond *r, const uint8_t *f, size_t n, uint64_t now)
{
	nr_link_count_rx(r->link, f, n, r->buf_len);
	if (n > r->buf_len) {
		r->stats.rx_errors++;
		return;
	}
	r->stats.frames_in++;
	(void)nr_host_input(r->host, f, n, now);
	respond_drain(r);
}

void respond_rearm(struct nr_respond *r)
{
	uint64_t now = nr_loop_now(r->loop);
	uint64_t d = nr_host_next_deadline(r->host, now);

	if (r->done || d == UINT64_MAX) {
		nr_loop_timer_cancel(r->loop, &r->timer);
		r->armed = UINT64_MAX;
		return;
	}
	if (!nr_timer_armed(&r->timer) || nr_timer_deadline(&r->timer) != d) {
		if (nr_loop_timer_arm(r->loop, &r->timer, d) < 0) {
			/* Not armed: the next frame (or poke) tries again. */
			r->armed = UINT64_MAX;
			return;
		}
	}
	r->armed = d;
}

static void on_timer(struct nr_loop *l, struct nr_timer *t, void *arg)
{
	struct nr_respond *r = arg;

	(void)t;
	respond_lock(r);
	if (!r->done) {
		(void)nr_host_tick(r->host, nr_loop_now(l));
		respond_drain(r);
		if (r->o.on_event && !r->done)
			r->o.on_event(r, r->o.arg);
		respond_rearm(r);
	}
	respond_unlock(r);
}

/*
 * Read once more after a frame? The read that finds the queue empty is a
 * syscall spent for nothing, and with one request in flight (ping -f)
 * about half the reads after a reply come back empty; with requests
 * queued (ping -f -l 16) reading on is what saves a wait per frame. So
 * read on while reading on pays: after a wake-up whose only frame was
 * followed by an empty read, the next wake-ups take one frame each and
 * leave it to the (level-triggered) fd to wake the loop again, and every
 * PROBE_EVERY-th of them reads on to notice requests queueing up again.
 */
#define PROBE_EVERY 8u

static void on_readable(struct nr_loop *l, int fd, unsigned events, void *arg)
{
	struct nr_respond *r = arg;
	uint64_t now = nr_loop_now(l);
	size_t limit = r->read_on ? r->o.batch : 1;
	size_t got = 0;
	bool empty = false;

	(void)fd;
	(void)events;
	for (size_t i = 0; i < limit && !r->done; i++) {
		ssize_t n = nr_link_recv(r->link, r->buf, r->buf_len);

		if (n == -EAGAIN) {
			empty = true;
			break;
		}
		if (n < 0) {
			r->stats.rx_errors++;
			if (nr_tuntap_gone((int)n)) {
				/* Level-triggered, it would wake the loop for ever: stop. */
				r->failed = (int)n;
				r->done = true;
				nr_loop_stop(l);
				return;
			}
			if (n != -EMSGSIZE)
				break; /* a link error: the next wake-up tries again */
			continue;
		}
		got++;
		r->stats.frames_in++;
		(void)nr_host_input(r->host, r->buf, (size_t)n, now);
		if (!respond_drain(r))
			break;
		if (r->o.on_event)
			r->o.on_event(r, r->o.arg);
	}
	if (r->read_on) {
		r->read_on = !(empty && got <= 1);
		r->single = 0;
	} else if (++r->single >= PROBE_EVERY) {
		r->read_on = true;
	}
	respond_rearm(r);
}

/* ------------------------------------------------------------------ */
/* io_uring                                                            */

static void on_tx(struct nr_loop *l, struct nr_loop_op *op, int32_t res, uint32_t flags,
		  void *arg)
{
	struct tx_slot *s = arg;
	struct nr_respond *r = s->r;
	int err = res < 0 ? res : (size_t)res == s->len ? 0 : -EIO;

	(void)l;
	(void)op;
	(void)flags;
	nr_link_count_tx(r->link, s->buf, s->len, err);
	r->tx_free[r->ntx_free++] = (unsigned)(s - r->tx);
	if (err < 0) {
		r->stats.tx_errors++;
		if (s->reply && r->o.count) {
			/* Not sent after all: take frames again until --count replies are. */
			r->replies_queued--;
			r->enough = false;
		}
		return;
	}
	r->stats.frames_out++;
	if (s->reply && !r->done)
		(void)reply_sent(r, s->buf, s->len);
}

static void tx_drop(struct nr_respond *r, const uint8_t *f, size_t len, int err)
{
	nr_link_count_tx(r->link, f, len, err);
	r->stats.tx_errors++;
	nr_host_output_pop(r->host);
}

static bool drain_ring(struct nr_respond *r)
{
	const uint8_t *f;
	size_t len;

	while (!r->enough && nr_host_output_peek(r->host, &f, &len) == 0) {
		struct io_uring_sqe *sqe;
		struct tx_slot *s;

		/* No slot: a NIC's full queue, the frame is dropped (link.h, send). */
		if (r->ntx_free == 0 || len > r->buf_len) {
			tx_drop(r, f, len, r->ntx_free == 0 ? -ENOBUFS : -EMSGSIZE);
			continue;
		}
		s = &r->tx[r->tx_free[r->ntx_free - 1]];
		sqe = nr_loop_uring_sqe(r->loop, &s->op);
		if (!sqe) {
			tx_drop(r, f, len, -ENOBUFS);
			continue;
		}
		r->ntx_free--;
		/* The host's queue entry goes now; the write reads the slot later. */
		memcpy(s->buf, f, len);
		s->len = len;
		s->reply = is_reply(f, len, nr_link_layer(r->link));
		sqe->opcode = IORING_OP_WRITE;
		sqe->fd = nr_link_fd(r->link);
		sqe->addr = (uint64_t)(uintptr_t)s->buf;
		sqe->len = (uint32_t)len;
		nr_host_output_pop(r->host);
		if (s->reply && r->o.count && ++r->replies_queued >= r->o.count)
			r->enough = true;
	}
	return !r->enough;
}

static int rx_arm(struct nr_respond *r)
{
	struct io_uring_sqe *sqe = nr_loop_uring_sqe(r->loop, &r->rx_op);

	if (!sqe)
		return -EBUSY;
	sqe->opcode = OP_READ_MULTISHOT;
	sqe->fd = nr_link_fd(r->link);
	sqe->flags = IOSQE_BUFFER_SELECT;
	sqe->buf_group = nr_loop_bufs_group(r->rxb);
	r->rx_armed = true;
	r->rx_got = false;
	return 0;
}

static void on_readable(struct nr_loop *l, int fd, unsigned events, void *arg);

/*
 * The multishot read ended without a frame since it was armed: arming it
 * again would spin (a kernel refusing it for this fd, a link error), so
 * frames come in through epoll readiness from now on; writes stay on
 * the ring.
 */
static void rx_fall_back(struct nr_respond *r)
{
	r->ring_rx = false;
	if (nr_loop_fd_add(r->loop, nr_link_fd(r->link), NR_LOOP_READ, on_readable, r,
			   &r->watch) < 0)
		r->stats.rx_errors++;
}

static void on_rx(struct nr_loop *l, struct nr_loop_op *op, int32_t res, uint32_t flags,
		  void *arg)
{
	struct nr_respond *r = arg;

	(void)op;
	if (flags & IORING_CQE_F_BUFFER) {
		unsigned bid = flags >> IORING_CQE_BUFFER_SHIFT;
		const uint8_t *buf = nr_loop_bufs_get(r->rxb, bid);

		/* Past --count, frames are left alone as they are left queued without a ring. */
		if (res > 0 && buf && !r->done && !r->enough) {
			r->rx_got = true;
			respond_frame_in(r, buf, (size_t)res, nr_loop_now(l));
		}
		/* The host keeps nothing of the frame: the buffer goes back at once. */
		nr_loop_bufs_put(r->rxb, bid);
	} else if (res < 0 && res != -ENOBUFS) {
		/* -ENOBUFS: every buffer was taken; the frames wait in the device's queue. */
		r->stats.rx_errors++;
	}
	if (!(flags & IORING_CQE_F_MORE)) {
		r->rx_armed = false;
		if (res < 0 && res != -ENOBUFS && !r->rx_got)
			rx_fall_back(r);
		else if (rx_arm(r) < 0)
			rx_fall_back(r);
	}
	respond_rearm(r);
}

static void ring_done(struct nr_respond *r)
{
	free(r->tx);
	free(r->tx_mem);
	free(r->tx_free);
	nr_loop_bufs_free(r->rxb);
	r->tx = NULL;
	r->tx_mem = NULL;
	r->tx_free = NULL;
	r->rxb = NULL;
	r->ring_rx = r->ring_tx = false;
}

static int ring_setup(struct nr_respond *r)
{
	int e;

	e = nr_loop_uring_enable(r->loop, 0);
	if (e < 0)
		return e;
	if (!nr_loop_uring_supports(r->loop, OP_READ_MULTISHOT) ||
	    !nr_loop_uring_supports(r->loop, IORING_OP_WRITE))
		return -EOPNOTSUPP;
	/* One byte more than a frame: a longer one is seen as such, not cut to fit. */
	e = nr_loop_bufs_new(r->loop, RX_BUFS, r->buf_len + 1, &r->rxb);
	if (e < 0)
		return e;
	r->tx = calloc(TX_SLOTS, sizeof(*r->tx));
	r->tx_free = calloc(TX_SLOTS, sizeof(*r->tx_free));
	r->tx_mem = malloc(TX_SLOTS * r->buf_len);
	if (!r->tx || !r->tx_free || !r->tx_mem) {
		ring_done(r);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < TX_SLOTS; i++) {
		nr_loop_op_init(&r->tx[i].op, on_tx, &r->tx[i]);
		r->tx[i].op.quick = true; /* a TUN/TAP write does not wait */
		r->tx[i].r = r;
		r->tx[i].buf = r->tx_mem + (size_t)i * r->buf_len;
		r->tx_free[TX_SLOTS - 1 - i] = i;
	}
	r->ntx_free = TX_SLOTS;
	nr_loop_op_init(&r->rx_op, on_rx, r);
	r->ring_rx = r->ring_tx = true;
	e = rx_arm(r);
	if (e < 0) {
		ring_done(r);
		return e;
	}
	return 0;
}

/*
 * Cancel what is in flight and wait for it. false if some request could
 * not be stopped: its memory (and r, which holds the ops) must stay.
 */
static bool ring_stop(struct nr_respond *r)
{
	bool ok = true;

	if (!r->tx && !r->rxb)
		return true;
	ok &= nr_loop_op_cancel(r->loop, &r->rx_op) == 0;
	for (unsigned i = 0; r->tx && i < TX_SLOTS; i++)
		ok &= nr_loop_op_cancel(r->loop, &r->tx[i].op) == 0;
	return ok;
}

int nr_respond_new(struct nr_loop *loop, struct nr_link *link, struct nr_host *host,
		   const struct nr_respond_opts *o, struct nr_respond **ret)
{
	struct nr_respond *r;
	uint8_t want;
	bool thread;
	int e;

	if (!loop || !link || !host || !ret)
		return -EINVAL;
	want = nr_link_layer(link) == NR_LINK_ETHERNET ? NR_HOST_LINK_ETHERNET : NR_HOST_LINK_IP;
	if (nr_host_config(host)->link != want)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->loop = loop;
	r->link = link;
	r->host = host;
	if (o)
		r->o = *o;
	if (!r->o.batch)
		r->o.batch = BATCH_DEFAULT;
	r->read_on = true;
	nr_timer_init(&r->timer, on_timer, r);
	r->buf_len = nr_link_frame_max(link);
	r->buf = malloc(r->buf_len + 1); /* + 1: the link thread sees a frame too long */
	if (!r->buf) {
		e = -ENOMEM;
		goto fail;
	}
	r->armed = UINT64_MAX;
	r->poke = -1;
	/* Anything else asking for THREAD (not a frame fd, on_event) gets epoll. */
	thread = r->o.io == NR_RESPOND_IO_THREAD && nr_link_frame_fd(link) && !r->o.on_event;
	if (thread) {
		e = respond_thread_prepare(r);
		if (e < 0) {
			r->thread_err = e;
			thread = false;
		}
	}
	if (r->o.io != NR_RESPOND_IO_EPOLL && r->o.io != NR_RESPOND_IO_THREAD &&
	    nr_link_frame_fd(link) && !r->o.on_event) {
		e = ring_setup(r);
		if (e < 0 && r->o.io == NR_RESPOND_IO_URING)
			goto fail;
	} else if (r->o.io == NR_RESPOND_IO_URING) {
		e = -EOPNOTSUPP;
		goto fail;
	}
	if (!r->ring_rx && !thread) {
		e = nr_loop_fd_add(loop, nr_link_fd(link), NR_LOOP_READ, on_readable, r, &r->watch);
		if (e < 0)
			goto fail;
	}
	if (!thread)
		nr_loop_set_busy_poll(loop, r->o.busy_ns);
	respond_rearm(r);
	*ret = r;
	return 0;
fail:
	if (!ring_stop(r))
		return e; /* left allocated, as in nr_respond_free */
	ring_done(r);
	respond_thread_stop(r);
	free(r->buf);
	free(r);
	return e;
}

void respond_epoll_fallback(struct nr_respond *r)
{
	if (nr_loop_fd_add(r->loop, nr_link_fd(r->link), NR_LOOP_READ, on_readable, r,
			   &r->watch) < 0)
		r->stats.rx_errors++; /* nothing reads the link: counted, and said */
	nr_loop_set_busy_poll(r->loop, r->o.busy_ns);
}

void nr_respond_free(struct nr_respond *r)
{
	if (!r)
		return;
	nr_respond_stop(r);
	nr_loop_fd_remove(r->watch);
	nr_loop_timer_cancel(r->loop, &r->timer);
	/*
	 * The kernel may still write into the buffers of a request that
	 * would not stop: then they, and r with the ops, are left allocated.
	 */
	if (!ring_stop(r))
		return;
	ring_done(r);
	free(r->buf);
	free(r);
}

bool nr_respond_uring(const struct nr_respond *r)
{
	return r && (r->ring_rx || r->ring_tx);
}

void nr_respond_flush(struct nr_respond *r)
{
	if (!r)
		return;
	respond_lock(r);
	if (!r->done) {
		respond_drain(r);
		respond_rearm(r);
	}
	respond_unlock(r);
}

void nr_respond_stop(struct nr_respond *r)
{
	if (r)
		respond_thread_stop(r);
}


const struct nr_respond_stats *nr_respond_stats(const struct nr_respond *r)
{
	return &r->stats;
}

bool nr_respond_done(const struct nr_respond *r)
{
	return r && r->done;
}

int nr_respond_failed(const struct nr_respond *r)
{
	return r ? r->failed : 0;
}

static void counter(FILE *f, const char *prefix, const char *name, uint64_t v)
{
	if (v)
		fprintf(f, "%s%s: %" PRIu64 "\n", prefix, name, v);
}

void nr_respond_print_counters(const struct nr_respond *r, FILE *f)
{
	const struct nr_host_stats *hs = nr_host_stats(r->host);
	char prefix[64];

	/* The three headline numbers always, zero or not: scripts grep for them. */
	fprintf(f, "frames in: %" PRIu64 "\n", r->stats.frames_in);
	fprintf(f, "replies: %" PRIu64 "\n", r->stats.replies);
	fprintf(f, "frames out: %" PRIu64 "\n", r->stats.frames_out);
	counter(f, "", "link receive errors", r->stats.rx_errors);
	counter(f, "", "link send errors", r->stats.tx_errors);
	if (r->thread_err)
		fprintf(f, "link thread: not started (%s); frames went through the event loop\n",
			strerror(-r->thread_err));
	if (r->thread_tried && !r->thread_err && r->spin.max_ns) {
		const struct nr_spin_stats *ss = &r->spin.stats;

		fprintf(f, "busy poll: %" PRIu64 " of %" PRIu64 " windows spinning, %" PRIu64
			   " switches, %" PRIu64 " spins found a frame, %" PRIu64
			   " slept; last windows: %.2f us/frame asleep, %.2f spinning\n",
			ss->spin_windows, ss->windows, ss->switches, ss->hits, ss->misses,
			(double)r->spin.cost[0] / 1000.0, (double)r->spin.cost[1] / 1000.0);
	}
	for (int i = 0; i < NR_WIRE_REASON_COUNT; i++)
		counter(f, "host drop: ", nr_wire_reason_str((enum nr_wire_reason)i), hs->wire[i]);
	for (int i = 0; i < NR_HOST_DROP_COUNT; i++)
		counter(f, "host drop: ", nr_host_drop_str((enum nr_host_drop)i), hs->drop[i]);
	for (size_t k = 0; k < nr_host_responder_count(r->host); k++) {
		const struct nr_responder *rp = nr_host_responder_at(r->host, k);
		const struct nr_resp_stats *st = nr_responder_stats(rp);

		snprintf(prefix, sizeof(prefix), "%s ", nr_responder_name(rp));
		counter(f, prefix, "seen", st->seen);
		counter(f, prefix, "replies", st->replies);
		counter(f, prefix, "learned", st->learned);
		snprintf(prefix, sizeof(prefix), "%s drop: ", nr_responder_name(rp));
		for (int i = 0; i < NR_WIRE_REASON_COUNT; i++)
			counter(f, prefix, nr_wire_reason_str((enum nr_wire_reason)i), st->wire[i]);
		for (int i = 0; i < NR_RESP_DROP_COUNT; i++)
			counter(f, prefix, nr_resp_drop_str((enum nr_resp_drop)i), st->drop[i]);
	}
	fflush(f);
}
