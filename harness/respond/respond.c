/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A host on a link in the loop (respond.h). Per wake-up: read up to a
 * batch of frames (the link's fd is level-triggered, so what is left
 * wakes the loop again and timers and signals are not starved by a
 * flood), feed each to the host, send what it queued at once, then arm
 * the timer for the host's next deadline.
 */
#include "respond/respond.h"

#include "netrig/arp.h"
#include "netrig/eth.h"
#include "netrig/icmp4.h"
#include "netrig/icmp6.h"
#include "netrig/ipv4.h"
#include "netrig/ipv6.h"
#include "netrig/ndp.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_DEFAULT 64u

struct nr_respond {
	struct nr_loop *loop;
	struct nr_link *link;
	struct nr_host *host;
	struct nr_respond_opts o;
	struct nr_loop_watch *watch;
	struct nr_timer timer;
	uint8_t *buf;
	size_t buf_len;
	struct nr_respond_stats stats;
	bool done;
	bool read_on;    /* read past the first frame of a wake-up (on_readable) */
	unsigned single; /* wake-ups in a row that took one frame without reading on */
};

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

/* Send what the host queued; false once the reply count is reached. */
static bool drain(struct nr_respond *r)
{
	const uint8_t *f;
	size_t len;
	char line[256];

	while (nr_host_output_peek(r->host, &f, &len) == 0) {
		bool reply;
		int e;

		reply = is_reply(f, len, nr_link_layer(r->link));
		if (reply && r->o.verbose)
			(void)nr_respond_describe(f, len, nr_link_layer(r->link), line,
						  sizeof(line));
		e = nr_link_send(r->link, f, len);
		nr_host_output_pop(r->host);
		if (e < 0) {
			r->stats.tx_errors++;
			continue;
		}
		r->stats.frames_out++;
		if (!reply)
			continue;
		r->stats.replies++;
		if (r->o.verbose) {
			fprintf(r->o.verbose, "%s\n", line);
			fflush(r->o.verbose);
		}
		if (r->o.count && r->stats.replies >= r->o.count) {
			r->done = true;
			nr_loop_stop(r->loop);
			return false;
		}
	}
	return true;
}

static void rearm(struct nr_respond *r)
{
	uint64_t now = nr_loop_now(r->loop);
	uint64_t d = nr_host_next_deadline(r->host, now);

	if (r->done || d == UINT64_MAX) {
		nr_loop_timer_cancel(r->loop, &r->timer);
		return;
	}
	if (!nr_timer_armed(&r->timer) || nr_timer_deadline(&r->timer) != d)
		(void)nr_loop_timer_arm(r->loop, &r->timer, d);
}

static void on_timer(struct nr_loop *l, struct nr_timer *t, void *arg)
{
	struct nr_respond *r = arg;

	(void)t;
	if (r->done)
		return;
	(void)nr_host_tick(r->host, nr_loop_now(l));
	drain(r);
	if (r->o.on_event && !r->done)
		r->o.on_event(r, r->o.arg);
	rearm(r);
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
			if (n != -EMSGSIZE)
				break; /* a link error: the next wake-up tries again */
			continue;
		}
		got++;
		r->stats.frames_in++;
		(void)nr_host_input(r->host, r->buf, (size_t)n, now);
		if (!drain(r))
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
	rearm(r);
}

int nr_respond_new(struct nr_loop *loop, struct nr_link *link, struct nr_host *host,
		   const struct nr_respond_opts *o, struct nr_respond **ret)
{
	struct nr_respond *r;
	uint8_t want;
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
	r->buf = malloc(r->buf_len);
	if (!r->buf) {
		e = -ENOMEM;
		goto fail;
	}
	e = nr_loop_fd_add(loop, nr_link_fd(link), NR_LOOP_READ, on_readable, r, &r->watch);
	if (e < 0)
		goto fail;
	rearm(r);
	*ret = r;
	return 0;
fail:
	free(r->buf);
	free(r);
	return e;
}

void nr_respond_free(struct nr_respond *r)
{
	if (!r)
		return;
	nr_loop_fd_remove(r->watch);
	nr_loop_timer_cancel(r->loop, &r->timer);
	free(r->buf);
	free(r);
}

void nr_respond_flush(struct nr_respond *r)
{
	if (!r || r->done)
		return;
	drain(r);
	rearm(r);
}

const struct nr_respond_stats *nr_respond_stats(const struct nr_respond *r)
{
	return &r->stats;
}

bool nr_respond_done(const struct nr_respond *r)
{
	return r && r->done;
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
