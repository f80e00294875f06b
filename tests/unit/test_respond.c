/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The respond glue on an in-memory pair and a fake clock:
 *
 *   test (peer end) <-- mem pair --> host end: nr_respond(host, loop)
 *
 * Frames written by the test come back as replies through the loop;
 * --count stops the loop; malformed frames are counted, never answered;
 * the host's resolution timers run from the loop (retries, then failure)
 * with time moving only by the fake clock's jumps; verbose lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link/link.h"
#include "loop/loop.h"
#include "netrig/arp.h"
#include "netrig/eth.h"
#include "netrig/host.h"
#include "netrig/icmp4.h"
#include "netrig/icmp6.h"
#include "netrig/ipv4.h"
#include "netrig/ipv6.h"
#include "respond/respond.h"

#define START 1000000000ull

static const uint8_t peer_mac[6] = {0x02, 0xaa, 0x00, 0x00, 0x00, 0x01};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

struct rig {
	struct nr_fake_clock fc;
	struct nr_loop *loop;
	struct nr_link *peer, *hostend;
	struct nr_host *host;
	struct nr_respond *resp;
	char *out;
	size_t out_len;
	FILE *verbose;
};

static struct nr_addr addr(const char *s)
{
	struct nr_addr a;

	assert_int_equal(nr_addr_parse(s, AF_UNSPEC, &a), 0);
	return a;
}

static void rig_up(struct rig *g, enum nr_link_layer layer, uint64_t count, const char *answer)
{
	struct nr_link_mem_opts mo = {.layer = layer};
	struct nr_host_config cfg;
	struct nr_respond_opts ro = {.count = count};
	struct nr_prefix p;
	char list[64], *save = NULL;

	memset(g, 0, sizeof(*g));
	nr_fake_clock_init(&g->fc, START);
	assert_int_equal(nr_loop_new(&g->fc.clock, &g->loop), 0);
	assert_int_equal(nr_link_mem_pair(&mo, &g->peer, &g->hostend), 0);
	nr_host_config_default(&cfg);
	cfg.link = layer == NR_LINK_ETHERNET ? NR_HOST_LINK_ETHERNET : NR_HOST_LINK_IP;
	assert_int_equal(nr_host_new(&cfg, &g->host), 0);
	assert_int_equal(nr_prefix_parse("203.0.113.0/24", AF_INET, 0, &p), 0);
	assert_int_equal(nr_host_add_range(g->host, &p), 0);
	/* The requester's address, a hole in the range (the kernel's own, in real use). */
	{
		struct nr_addr hole = addr("203.0.113.1");

		assert_int_equal(nr_host_exclude(g->host, &hole), 0);
	}
	assert_int_equal(nr_prefix_parse("2001:db8::5/64", AF_INET6, NR_PREFIX_PARSE_HOST_BITS, &p),
			 0);
	assert_int_equal(nr_host_add_addr(g->host, &p), 0);
	snprintf(list, sizeof(list), "%s", answer);
	for (char *n = strtok_r(list, ",", &save); n; n = strtok_r(NULL, ",", &save))
		assert_int_equal(nr_host_attach_by_name(g->host, n, ""), 0);
	g->verbose = open_memstream(&g->out, &g->out_len);
	assert_non_null(g->verbose);
	ro.verbose = g->verbose;
	assert_int_equal(nr_respond_new(g->loop, g->hostend, g->host, &ro, &g->resp), 0);
}

static void rig_down(struct rig *g)
{
	nr_respond_free(g->resp);
	nr_host_free(g->host);
	nr_link_close(g->peer);
	nr_link_close(g->hostend);
	nr_loop_free(g->loop);
	fclose(g->verbose);
	free(g->out);
}

static size_t arp_request(uint8_t *f, const char *spa, const char *tpa)
{
	struct nr_arp a;
	struct nr_addr s = addr(spa), t = addr(tpa);

	memcpy(f, bcast, 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	nr_arp_init_eth_ipv4(&a, NR_ARP_OP_REQUEST, peer_mac, &s, NULL, &t);
	assert_int_equal(nr_arp_encode(&a, f + 14, 28), 28);
	memset(f + 42, 0, 18);
	return 60;
}

/* An echo request as a raw IP packet (id 0x1234, the sequence number, 16 bytes 0xa5). */
static size_t echo4(uint8_t *p, const char *src, const char *dst, uint16_t seq)
{
	uint8_t data[16], icmp[64];
	struct nr_icmp4 m;
	struct nr_ipv4 ip;
	int n;

	memset(data, 0xa5, sizeof(data));
	memset(&m, 0, sizeof(m));
	m.type = NR_ICMP4_ECHO_REQUEST;
	m.id = 0x1234;
	m.seq = seq;
	m.data = data;
	m.data_len = sizeof(data);
	n = nr_icmp4_encode(&m, icmp, sizeof(icmp));
	assert_int_equal(n, 24);
	memset(&ip, 0, sizeof(ip));
	ip.ttl = 64;
	ip.proto = NR_IPPROTO_ICMP;
	ip.src = addr(src);
	ip.dst = addr(dst);
	ip.payload = icmp;
	ip.payload_len = (size_t)n;
	n = nr_ipv4_encode(&ip, p, 100);
	assert_int_equal(n, 44);
	return 44;
}

static size_t echo6(uint8_t *p, const char *src, const char *dst, uint16_t seq)
{
	uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8}, icmp[64];
	struct nr_addr s = addr(src), d = addr(dst);
	struct nr_icmp6 m;
	struct nr_ipv6 ip;
	int n;

	memset(&m, 0, sizeof(m));
	m.type = NR_ICMP6_ECHO_REQUEST;
	m.id = 7;
	m.seq = seq;
	m.data = data;
	m.data_len = sizeof(data);
	n = nr_icmp6_encode(&m, &s, &d, icmp, sizeof(icmp));
	assert_int_equal(n, 16);
	memset(&ip, 0, sizeof(ip));
	ip.next_header = NR_IPPROTO_ICMPV6;
	ip.hop_limit = 64;
	ip.src = s;
	ip.dst = d;
	ip.payload = icmp;
	ip.payload_len = (size_t)n;
	n = nr_ipv6_encode(&ip, p, 100);
	assert_int_equal(n, 56);
	return 56;
}

static void test_arp_reply_through_loop(void **state)
{
	struct rig g;
	uint8_t f[100];
	ssize_t n;
	struct nr_eth e;
	struct nr_arp a;
	struct nr_addr spa;

	(void)state;
	rig_up(&g, NR_LINK_ETHERNET, 0, "arp");
	assert_int_equal(nr_link_send(g.peer, f, arp_request(f, "203.0.113.1", "203.0.113.9")),
			 0);
	assert_int_equal(nr_loop_run(g.loop), NR_LOOP_IDLE);
	n = nr_link_recv(g.peer, f, sizeof(f));
	assert_int_equal(n, 60);
	assert_int_equal(nr_eth_decode(f, (size_t)n, &e, NULL), 0);
	assert_memory_equal(e.dst, peer_mac, 6);
	assert_int_equal(nr_arp_decode(e.payload, 28, &a, NULL), 0);
	assert_int_equal(a.op, NR_ARP_OP_REPLY);
	assert_int_equal(nr_arp_spa(&a, &spa), 0);
	{
		struct nr_addr want = addr("203.0.113.9");

		assert_true(nr_addr_eq(&spa, &want));
	}
	assert_int_equal(nr_link_recv(g.peer, f, sizeof(f)), -EAGAIN);
	assert_int_equal(nr_respond_stats(g.resp)->frames_in, 1);
	assert_int_equal(nr_respond_stats(g.resp)->replies, 1);
	fflush(g.verbose);
	assert_string_equal(g.out, "arp reply 203.0.113.9 is-at 02:00:cb:00:71:09 > 203.0.113.1\n");
	/* A foreign target: read, not answered, counted by the responder. */
	assert_int_equal(nr_link_send(g.peer, f, arp_request(f, "203.0.113.1", "192.0.2.1")), 0);
	assert_int_equal(nr_loop_run(g.loop), NR_LOOP_IDLE);
	assert_int_equal(nr_link_recv(g.peer, f, sizeof(f)), -EAGAIN);
	assert_int_equal(nr_respond_stats(g.resp)->frames_in, 2);
	assert_int_equal(nr_respond_stats(g.resp)->replies, 1);
	assert_int_equal(nr_responder_stats(nr_host_responder_at(g.host, 0))->drop[NR_RESP_DROP_NOT_MINE],
			 1);
	rig_down(&g);
}

static void test_count_stops_the_loop(void **state)
{
	struct rig g;
	uint8_t p[100];
	ssize_t n;
	struct nr_ipv4 ip;
	struct nr_icmp4 m;

	(void)state;
	rig_up(&g, NR_LINK_RAW_IP, 2, "echo,echo6");
	for (uint16_t seq = 1; seq <= 3; seq++)
		assert_int_equal(nr_link_send(g.peer, p, echo4(p, "198.51.100.1", "203.0.113.7", seq)),
				 0);
	assert_int_equal(nr_loop_run(g.loop), NR_LOOP_STOPPED);
	assert_true(nr_respond_done(g.resp));
	assert_int_equal(nr_respond_stats(g.resp)->replies, 2);
	for (uint16_t seq = 1; seq <= 2; seq++) {
		n = nr_link_recv(g.peer, p, sizeof(p));
		assert_int_equal(n, 44);
		assert_int_equal(nr_ipv4_decode(p, (size_t)n, &ip, NULL), 0);
		{
			struct nr_addr want = addr("203.0.113.7");

			assert_true(nr_addr_eq(&ip.src, &want));
		}
		assert_int_equal(nr_icmp4_decode(ip.payload, ip.payload_len, &m, NULL), 0);
		assert_int_equal(m.type, NR_ICMP4_ECHO_REPLY);
		assert_int_equal(m.seq, seq);
		assert_int_equal(m.data_len, 16);
		assert_int_equal(m.data[15], 0xa5);
	}
	/* The third request is left unread: the count was reached first. */
	assert_int_equal(nr_link_recv(g.peer, p, sizeof(p)), -EAGAIN);
	fflush(g.verbose);
	assert_string_equal(g.out, "echo reply 203.0.113.7 > 198.51.100.1 id 4660 seq 1 len 16\n"
				   "echo reply 203.0.113.7 > 198.51.100.1 id 4660 seq 2 len 16\n");
	rig_down(&g);
}

/*
 * How many frames one wake-up reads: all that are queued while reading on
 * pays; after a wake-up whose one frame was followed by an empty read, one
 * frame per wake-up (the level-triggered fd wakes the loop again), until
 * every 8th such wake-up reads on again. Every request is answered either
 * way; the loop's fd callback count tells the wake-ups.
 */
static void send_echoes(struct rig *g, unsigned n, uint16_t *seq)
{
	uint8_t p[100];

	for (unsigned i = 0; i < n; i++, (*seq)++)
		assert_int_equal(nr_link_send(g->peer, p, echo4(p, "198.51.100.1", "203.0.113.7", *seq)),
				 0);
}

static void test_reads_per_wakeup(void **state)
{
	/* frames queued, then wake-ups expected to answer them */
	static const unsigned steps[][2] = {
		{3, 1}, /* reading on from the start: one wake-up drains three */
		{1, 1}, /* one frame, then an empty read: stop reading on */
		{3, 3}, /* one frame per wake-up */
		{5, 5}, /* ... the 8th single wake-up turns reading on again */
		{3, 1}, /* drained in one wake-up again */
	};
	struct rig g;
	uint8_t p[100];
	uint16_t seq = 1;
	uint64_t replies = 0;

	(void)state;
	rig_up(&g, NR_LINK_RAW_IP, 0, "echo");
	for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		uint64_t before = nr_loop_stats(g.loop)->fd_events;

		send_echoes(&g, steps[k][0], &seq);
		assert_int_equal(nr_loop_run(g.loop), NR_LOOP_IDLE);
		assert_int_equal(nr_loop_stats(g.loop)->fd_events - before, steps[k][1]);
		replies += steps[k][0];
		assert_int_equal(nr_respond_stats(g.resp)->replies, replies);
		for (unsigned i = 0; i < steps[k][0]; i++)
			assert_int_equal(nr_link_recv(g.peer, p, sizeof(p)), 44);
		assert_int_equal(nr_link_recv(g.peer, p, sizeof(p)), -EAGAIN);
	}
	rig_down(&g);
}

static void test_echo6_and_malformed(void **state)
{
	struct rig g;
	uint8_t p[100];
	size_t len;
	char *text = NULL;
	size_t text_len = 0;
	FILE *f;

	(void)state;
	rig_up(&g, NR_LINK_RAW_IP, 0, "echo,echo6");
	assert_int_equal(nr_link_send(g.peer, p, echo6(p, "2001:db8::1", "2001:db8::5", 9)), 0);
	/* The same request with its checksum broken, then cut short, then not IP at all. */
	len = echo6(p, "2001:db8::1", "2001:db8::5", 10);
	p[42] ^= 0xff;
	assert_int_equal(nr_link_send(g.peer, p, len), 0);
	assert_int_equal(nr_link_send(g.peer, p, 30), 0);
	memset(p, 0x11, 40);
	assert_int_equal(nr_link_send(g.peer, p, 40), 0);
	assert_int_equal(nr_loop_run(g.loop), NR_LOOP_IDLE);
	assert_int_equal(nr_respond_stats(g.resp)->frames_in, 4);
	assert_int_equal(nr_respond_stats(g.resp)->replies, 1);
	assert_int_equal(nr_link_recv(g.peer, p, sizeof(p)), 56);
	assert_int_equal(nr_link_recv(g.peer, p, sizeof(p)), -EAGAIN);
	fflush(g.verbose);
	assert_string_equal(g.out, "echo6 reply 2001:db8::5 > 2001:db8::1 id 7 seq 9 len 8\n");
	/* The counters name each drop. */
	f = open_memstream(&text, &text_len);
	nr_respond_print_counters(g.resp, f);
	fclose(f);
	assert_non_null(strstr(text, "frames in: 4\nreplies: 1\n"));
	assert_non_null(strstr(text, "echo6 drop: "));
	assert_non_null(strstr(text, "host drop: "));
	free(text);
	rig_down(&g);
}

/* The host's resolution timers run from the loop: three solicitations, then failure. */
static void test_timers_run_on_the_loop(void **state)
{
	struct rig g;
	struct nr_addr dst = addr("2001:db8::99");
	struct nr_lladdr ll;
	uint8_t f[200];
	int ns = 0;

	(void)state;
	rig_up(&g, NR_LINK_ETHERNET, 0, "ndp");
	assert_int_equal(nr_host_resolve(g.host, &dst, START, &ll), -EINPROGRESS);
	/* Queued outside the loop: sent by the flush, the retries by the timer. */
	assert_int_equal(nr_link_recv(g.peer, f, sizeof(f)), -EAGAIN);
	nr_respond_flush(g.resp);
	assert_true(nr_link_recv(g.peer, f, sizeof(f)) > 0);
	assert_int_equal(nr_link_recv(g.peer, f, sizeof(f)), -EAGAIN);
	assert_int_equal(nr_loop_run(g.loop), NR_LOOP_IDLE);
	while (nr_link_recv(g.peer, f, sizeof(f)) > 0)
		ns++;
	assert_int_equal(ns, 2);
	assert_int_equal(nr_host_resolve_poll(g.host, &dst, &ll), -EHOSTUNREACH);
	assert_true(g.fc.now > START);
	assert_int_equal(nr_respond_stats(g.resp)->replies, 0);
	assert_int_equal(nr_respond_stats(g.resp)->frames_out, 3);
	rig_down(&g);
}

static void test_bad_arguments(void **state)
{
	struct rig g;
	struct nr_respond *r = NULL;
	struct nr_link *a, *b;
	struct nr_link_mem_opts mo = {.layer = NR_LINK_RAW_IP};

	(void)state;
	rig_up(&g, NR_LINK_ETHERNET, 0, "arp");
	/* An Ethernet host on a raw-IP link. */
	assert_int_equal(nr_link_mem_pair(&mo, &a, &b), 0);
	assert_int_equal(nr_respond_new(g.loop, b, g.host, NULL, &r), -EINVAL);
	assert_null(r);
	assert_int_equal(nr_respond_new(NULL, g.hostend, g.host, NULL, &r), -EINVAL);
	nr_respond_free(NULL);
	nr_link_close(a);
	nr_link_close(b);
	rig_down(&g);
}

/*
 * io_uring needs a link whose fd moves whole frames (TUN, TAP): on the
 * in-memory pair, insisting fails and nothing is left behind; auto and
 * epoll use epoll and answer.
 */
static void test_io_choice_on_mem_link(void **state)
{
	static const enum nr_respond_io ios[] = {NR_RESPOND_IO_AUTO, NR_RESPOND_IO_EPOLL};
	struct nr_respond_opts ro = {.io = NR_RESPOND_IO_URING};
	struct nr_respond *r = NULL;
	uint8_t f[100];
	size_t n;
	struct rig g;

	(void)state;
	rig_up(&g, NR_LINK_RAW_IP, 1, "echo");
	assert_false(nr_link_frame_fd(g.hostend));
	assert_false(nr_respond_uring(g.resp));
	nr_respond_free(g.resp);
	g.resp = NULL;
	assert_int_equal(nr_respond_new(g.loop, g.hostend, g.host, &ro, &r), -EOPNOTSUPP);
	assert_null(r);
	assert_false(nr_loop_uring_enabled(g.loop));
	for (size_t i = 0; i < sizeof(ios) / sizeof(ios[0]); i++) {
		ro = (struct nr_respond_opts){.io = ios[i], .count = 1};
		assert_int_equal(nr_respond_new(g.loop, g.hostend, g.host, &ro, &g.resp), 0);
		assert_false(nr_respond_uring(g.resp));
		n = echo4(f, "203.0.113.1", "203.0.113.9", (uint16_t)i);
		assert_int_equal(nr_link_send(g.peer, f, n), 0);
		assert_int_equal(nr_loop_run(g.loop), NR_LOOP_STOPPED);
		assert_int_equal(nr_respond_stats(g.resp)->replies, 1);
		assert_int_equal(nr_link_recv(g.peer, f, sizeof(f)), (ssize_t)n);
		assert_int_equal(f[20], NR_ICMP4_ECHO_REPLY);
		nr_respond_free(g.resp);
		g.resp = NULL;
	}
	rig_down(&g);
}

static void test_describe(void **state)
{
	uint8_t p[100];
	char line[200];

	(void)state;
	assert_false(nr_respond_describe(p, echo4(p, "192.0.2.2", "192.0.2.1", 5), NR_LINK_RAW_IP,
					 line, sizeof(line)));
	assert_string_equal(line, "echo request 192.0.2.2 > 192.0.2.1 id 4660 seq 5 len 16");
	assert_false(nr_respond_describe(p, arp_request(p, "198.51.100.1", "198.51.100.2"),
					 NR_LINK_ETHERNET, line, sizeof(line)));
	assert_string_equal(line, "arp request who-has 198.51.100.2 tell 198.51.100.1");
	memset(p, 0, 8);
	assert_false(nr_respond_describe(p, 8, NR_LINK_ETHERNET, line, sizeof(line)));
	assert_string_equal(line, "ethernet (malformed, 8 bytes)");
	assert_false(nr_respond_describe(p, 8, NR_LINK_RAW_IP, line, sizeof(line)));
	assert_string_equal(line, "raw (8 bytes)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_reply_through_loop),
		cmocka_unit_test(test_count_stops_the_loop),
		cmocka_unit_test(test_reads_per_wakeup),
		cmocka_unit_test(test_echo6_and_malformed),
		cmocka_unit_test(test_timers_run_on_the_loop),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_io_choice_on_mem_link),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
