/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The in-memory link pair: round trip both ways, FIFO order, the queue
 * bound (a full queue drops and says so), short receive buffers, frame
 * size limits, closing one end, readiness of the fd as the loop sees it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "link/link.h"
#include "loop/loop.h"

/* An ARP request, Ethernet, 42 bytes. */
static const uint8_t arp_request[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dst: broadcast */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* src: mem0 */
	0x08, 0x06,                         /* ethertype ARP */
	0x00, 0x01, 0x08, 0x00,             /* htype Ethernet, ptype IPv4 */
	0x06, 0x04, 0x00, 0x01,             /* hlen 6, plen 4, op request */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* sender MAC */
	0xc0, 0x00, 0x02, 0x01,             /* sender IP 192.0.2.1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* target MAC unknown */
	0xc0, 0x00, 0x02, 0x02,             /* target IP 192.0.2.2 */
};

static bool readable(const struct nr_link *l)
{
	struct pollfd p = {.fd = nr_link_fd(l), .events = POLLIN};

	/* Timeout 0: a snapshot of readiness, no waiting. */
	assert_true(poll(&p, 1, 0) >= 0);
	return (p.revents & POLLIN) != 0;
}

static void test_defaults(void **state)
{
	struct nr_link *a, *b;
	struct nr_lladdr mac;
	char text[NR_LLADDR_STRLEN];

	(void)state;
	assert_int_equal(nr_link_mem_pair(NULL, &a, &b), 0);
	assert_string_equal(nr_link_kind(a), "mem");
	assert_string_equal(nr_link_name(a), "mem0");
	assert_string_equal(nr_link_name(b), "mem1");
	assert_int_equal(nr_link_layer(a), NR_LINK_ETHERNET);
	assert_int_equal(nr_link_mtu(a), 1500);
	assert_int_equal(nr_link_frame_max(a), 1518);
	assert_int_equal(nr_link_lladdr(a, &mac), 0);
	assert_string_equal(nr_lladdr_format(&mac, text, sizeof(text)), "02:00:00:00:00:01");
	assert_int_equal(nr_link_lladdr(b, &mac), 0);
	assert_string_equal(nr_lladdr_format(&mac, text, sizeof(text)), "02:00:00:00:00:02");
	assert_true(nr_link_fd(a) >= 0);
	assert_true(nr_link_fd(a) != nr_link_fd(b));
	nr_link_close(a);
	nr_link_close(b);
	nr_link_close(NULL);
}

static void test_options(void **state)
{
	struct nr_link_mem_opts o = {
		.layer = NR_LINK_RAW_IP, .mtu = 1280, .queue_len = 2,
		.name_a = "tunA", .name_b = "tunB",
	};
	struct nr_link *a, *b;
	struct nr_lladdr mac;

	(void)state;
	assert_int_equal(nr_link_mem_pair(&o, &a, &b), 0);
	assert_string_equal(nr_link_name(b), "tunB");
	assert_int_equal(nr_link_layer(b), NR_LINK_RAW_IP);
	assert_int_equal(nr_link_frame_max(b), 1280);
	assert_int_equal(nr_link_lladdr(a, &mac), 0);
	assert_int_equal(mac.len, 0); /* layer 3: no link-layer address */
	nr_link_close(a);
	nr_link_close(b);

	/* Given MACs are kept. */
	memset(&o, 0, sizeof(o));
	assert_int_equal(nr_lladdr_parse("02:aa:bb:cc:dd:ee", &o.mac_b), 0);
	assert_int_equal(nr_link_mem_pair(&o, &a, &b), 0);
	assert_int_equal(nr_link_lladdr(b, &mac), 0);
	assert_true(nr_lladdr_eq(&mac, &o.mac_b));
	nr_link_close(a);
	nr_link_close(b);

	/* Refused options. */
	a = b = NULL;
	o = (struct nr_link_mem_opts){.layer = 7};
	assert_int_equal(nr_link_mem_pair(&o, &a, &b), -EINVAL);
	o = (struct nr_link_mem_opts){.mtu = 70000};
	assert_int_equal(nr_link_mem_pair(&o, &a, &b), -EINVAL);
	assert_null(a);
	assert_null(b);
}

static void test_round_trip(void **state)
{
	struct nr_link *a, *b;
	uint8_t buf[1518], padded[60];
	const struct nr_link_stats *sa, *sb;

	(void)state;
	assert_int_equal(nr_link_mem_pair(NULL, &a, &b), 0);
	assert_false(readable(b));
	assert_int_equal(nr_link_recv(b, buf, sizeof(buf)), -EAGAIN);
	assert_int_equal(nr_link_send(a, arp_request, sizeof(arp_request)), 0);
	assert_true(readable(b));
	assert_false(readable(a)); /* nothing comes back to the sender */
	assert_int_equal(nr_link_recv(b, buf, sizeof(buf)), sizeof(arp_request));
	assert_memory_equal(buf, arp_request, sizeof(arp_request));
	assert_false(readable(b));
	assert_int_equal(nr_link_recv(b, buf, sizeof(buf)), -EAGAIN);
	/* And back, padded to Ethernet's 60-byte minimum. */
	memset(padded, 0, sizeof(padded));
	memcpy(padded, arp_request, sizeof(arp_request));
	assert_int_equal(nr_link_send(b, padded, sizeof(padded)), 0);
	assert_int_equal(nr_link_recv(a, buf, sizeof(buf)), 60);
	assert_memory_equal(buf, padded, sizeof(padded));
	sa = nr_link_stats(a);
	sb = nr_link_stats(b);
	assert_int_equal(sa->tx_frames, 1);
	assert_int_equal(sa->tx_bytes, sizeof(arp_request));
	assert_int_equal(sa->rx_frames, 1);
	assert_int_equal(sa->rx_bytes, 60);
	assert_int_equal(sb->rx_frames, 1);
	assert_int_equal(sb->rx_bytes, sizeof(arp_request));
	assert_int_equal(sb->tx_frames, 1);
	assert_int_equal(sb->tx_errors, 0);
	nr_link_close(a);
	nr_link_close(b);
}

static void test_queue_bound_and_order(void **state)
{
	struct nr_link_mem_opts o = {.queue_len = 4};
	struct nr_link *a, *b;
	uint8_t frame[64], buf[1518];

	(void)state;
	assert_int_equal(nr_link_mem_pair(&o, &a, &b), 0);
	/* Three rounds so the ring wraps around. */
	for (int round = 0; round < 3; round++) {
		for (uint8_t i = 0; i < 4; i++) {
			memset(frame, 0x10 * round + i, sizeof(frame));
			assert_int_equal(nr_link_send(a, frame, sizeof(frame) - i), 0);
		}
		/* The fifth does not fit: dropped, counted, said. */
		assert_int_equal(nr_link_send(a, frame, sizeof(frame)), -ENOBUFS);
		for (uint8_t i = 0; i < 4; i++) {
			assert_int_equal(nr_link_recv(b, buf, sizeof(buf)), sizeof(frame) - i);
			assert_int_equal(buf[0], 0x10 * round + i);
		}
		assert_int_equal(nr_link_recv(b, buf, sizeof(buf)), -EAGAIN);
		assert_false(readable(b));
	}
	assert_int_equal(nr_link_stats(a)->tx_errors, 3);
	assert_int_equal(nr_link_stats(a)->tx_frames, 12);
	assert_int_equal(nr_link_stats(b)->rx_frames, 12);
	nr_link_close(a);
	nr_link_close(b);
}

static void test_sizes(void **state)
{
	struct nr_link *a, *b;
	static uint8_t big[1519];
	uint8_t small[16];

	(void)state;
	assert_int_equal(nr_link_mem_pair(NULL, &a, &b), 0);
	assert_int_equal(nr_link_send(a, big, 1519), -EMSGSIZE); /* MTU + 18 + 1 */
	assert_int_equal(nr_link_send(a, big, 0), -EINVAL);
	assert_int_equal(nr_link_send(a, big, 1518), 0);         /* exactly the limit */
	assert_int_equal(nr_link_stats(a)->tx_errors, 2);
	/* A buffer too short: the frame is consumed and counted, not cut. */
	assert_int_equal(nr_link_send(a, arp_request, sizeof(arp_request)), 0);
	assert_int_equal(nr_link_recv(b, small, sizeof(small)), -EMSGSIZE);
	assert_int_equal(nr_link_stats(b)->rx_too_long, 1);
	assert_int_equal(nr_link_stats(b)->rx_frames, 0);
	assert_int_equal(nr_link_recv(b, big, sizeof(big)), sizeof(arp_request));
	assert_memory_equal(big, arp_request, sizeof(arp_request));
	assert_int_equal(nr_link_recv(b, big, sizeof(big)), -EAGAIN);
	nr_link_close(a);
	nr_link_close(b);
}

static void test_close_one_end(void **state)
{
	struct nr_link *a, *b;
	uint8_t buf[1518];

	(void)state;
	assert_int_equal(nr_link_mem_pair(NULL, &a, &b), 0);
	assert_int_equal(nr_link_send(a, arp_request, sizeof(arp_request)), 0);
	nr_link_close(a);
	/* What was queued stays readable; nothing can be sent to the closed end. */
	assert_int_equal(nr_link_recv(b, buf, sizeof(buf)), sizeof(arp_request));
	assert_int_equal(nr_link_send(b, arp_request, sizeof(arp_request)), -ENOTCONN);
	nr_link_close(b);
}

struct drain {
	struct nr_link *link;
	int frames;
};

static void on_readable(struct nr_loop *l, int fd, unsigned events, void *arg)
{
	struct drain *d = arg;
	uint8_t buf[1518];
	ssize_t n;

	(void)l;
	(void)fd;
	assert_true(events & NR_LOOP_READ);
	while ((n = nr_link_recv(d->link, buf, sizeof(buf))) > 0)
		d->frames++;
	assert_int_equal(n, -EAGAIN);
}

/* The loop sees an end readable exactly while it holds frames. */
static void test_with_loop(void **state)
{
	struct nr_fake_clock fc;
	struct nr_loop *l;
	struct nr_link *a, *b;
	struct drain d = {0};
	struct nr_loop_watch *w;

	(void)state;
	nr_fake_clock_init(&fc, 0);
	assert_int_equal(nr_loop_new(&fc.clock, &l), 0);
	assert_int_equal(nr_link_mem_pair(NULL, &a, &b), 0);
	d.link = b;
	assert_int_equal(nr_loop_fd_add(l, nr_link_fd(b), NR_LOOP_READ, on_readable, &d, &w), 0);
	assert_int_equal(nr_loop_run_iterations(l, 10), NR_LOOP_IDLE);
	assert_int_equal(d.frames, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(nr_link_send(a, arp_request, sizeof(arp_request)), 0);
	assert_int_equal(nr_loop_run_iterations(l, 10), NR_LOOP_IDLE);
	assert_int_equal(d.frames, 3);
	assert_int_equal(nr_loop_stats(l)->fd_events, 1);
	nr_loop_fd_remove(w);
	nr_loop_free(l);
	nr_link_close(a);
	nr_link_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),     cmocka_unit_test(test_options),
		cmocka_unit_test(test_round_trip),   cmocka_unit_test(test_queue_bound_and_order),
		cmocka_unit_test(test_sizes),        cmocka_unit_test(test_close_one_end),
		cmocka_unit_test(test_with_loop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
