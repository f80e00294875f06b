/* SPDX-License-Identifier: BSD-2-Clause */
/* ARP: Scapy fixtures, each value check with its reason, truncation, encode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "netrig/arp.h"

/* Scapy: ARP(op=1, hwsrc="02:00:00:00:00:01", psrc="192.0.2.1", pdst="192.0.2.2") */
static const uint8_t request[] = {
	0x00, 0x01,                         /* htype Ethernet */
	0x08, 0x00,                         /* ptype IPv4 */
	0x06, 0x04,                         /* hlen 6, plen 4 */
	0x00, 0x01,                         /* op request */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* sha */
	0xc0, 0x00, 0x02, 0x01,             /* spa 192.0.2.1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* tha unknown */
	0xc0, 0x00, 0x02, 0x02,             /* tpa 192.0.2.2 */
};

/* A generic one: htype 6 (IEEE 802), ptype 0x86dd, hlen 2, plen 16; reply. */
static const uint8_t generic[] = {
	0x00, 0x06, 0x86, 0xdd, 0x02, 0x10, 0x00, 0x02, /* htype, ptype, hlen, plen, op */
	0xaa, 0xbb,                                     /* sha */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, /* spa */
	0xcc, 0xdd,                                     /* tha */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* tpa */
};

static void test_decode_request(void **state)
{
	static const uint8_t zero6[6];
	struct nr_arp a;
	struct nr_addr ip;
	struct nr_lladdr ll;

	(void)state;
	assert_int_equal(nr_arp_decode(request, sizeof(request), &a, NULL), 0);
	assert_int_equal(a.htype, 1);
	assert_int_equal(a.ptype, 0x0800);
	assert_int_equal(a.hlen, 6);
	assert_int_equal(a.plen, 4);
	assert_int_equal(a.op, NR_ARP_OP_REQUEST);
	assert_memory_equal(a.sha, request + 8, 6);
	assert_memory_equal(a.spa, request + 14, 4);
	assert_memory_equal(a.tha, zero6, 6);
	assert_memory_equal(a.tpa, request + 24, 4);
	assert_true(nr_arp_is_eth_ipv4(&a));
	assert_int_equal(nr_arp_spa(&a, &ip), 0);
	assert_int_equal(ip.family, AF_INET);
	assert_int_equal(nr_addr_v4(&ip), 0xc0000201);
	assert_int_equal(nr_arp_tpa(&a, &ip), 0);
	assert_int_equal(nr_addr_v4(&ip), 0xc0000202);
	nr_arp_sha(&a, &ll);
	assert_int_equal(ll.len, 6);
	assert_int_equal(ll.bytes[5], 0x01);
	/* Ethernet padding after the 28 bytes is ignored. */
	{
		uint8_t padded[46] = {0};

		memcpy(padded, request, sizeof(request));
		assert_int_equal(nr_arp_decode(padded, sizeof(padded), &a, NULL), 0);
		assert_int_equal(a.op, NR_ARP_OP_REQUEST);
	}
}

static void test_decode_generic(void **state)
{
	struct nr_arp a;
	struct nr_addr ip;
	struct nr_lladdr ll;

	(void)state;
	assert_int_equal(nr_arp_decode(generic, sizeof(generic), &a, NULL), 0);
	assert_int_equal(a.htype, 6);
	assert_int_equal(a.ptype, 0x86dd);
	assert_int_equal(a.hlen, 2);
	assert_int_equal(a.plen, 16);
	assert_int_equal(a.op, NR_ARP_OP_REPLY);
	assert_int_equal(a.sha[0], 0xaa);
	assert_int_equal(a.sha[1], 0xbb);
	assert_int_equal(a.sha[2], 0); /* past hlen: zero */
	assert_memory_equal(a.spa, generic + 10, 16);
	assert_int_equal(a.tha[0], 0xcc);
	assert_memory_equal(a.tpa, generic + 28, 16);
	assert_false(nr_arp_is_eth_ipv4(&a));
	assert_int_equal(nr_arp_spa(&a, &ip), -EAFNOSUPPORT);
	nr_arp_tha(&a, &ll);
	assert_int_equal(ll.len, 2);
	assert_int_equal(ll.bytes[1], 0xdd);
}

static void test_truncated(void **state)
{
	struct nr_arp a;
	enum nr_wire_reason why;

	(void)state;
	for (size_t n = 0; n < sizeof(request); n++) {
		why = NR_WIRE_OK;
		assert_int_equal(nr_arp_decode(request, n, &a, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_TRUNCATED);
	}
	for (size_t n = 0; n < sizeof(generic); n++) {
		why = NR_WIRE_OK;
		assert_int_equal(nr_arp_decode(generic, n, &a, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_TRUNCATED);
	}
}

/* Patch one byte of the request and expect a reason. */
static void expect_bad(size_t at, uint8_t v, enum nr_wire_reason want)
{
	uint8_t p[sizeof(request)];
	struct nr_arp a;
	enum nr_wire_reason why = NR_WIRE_OK;

	memcpy(p, request, sizeof(p));
	p[at] = v;
	assert_int_equal(nr_arp_decode(p, sizeof(p), &a, &why), -EBADMSG);
	assert_int_equal(why, want);
}

static void test_bad_values(void **state)
{
	(void)state;
	expect_bad(1, 0x00, NR_WIRE_BAD_HTYPE);   /* htype 0 */
	expect_bad(2, 0x05, NR_WIRE_BAD_PTYPE);   /* ptype 0x0500: not an ethertype */
	expect_bad(4, 0x08, NR_WIRE_BAD_HLEN);    /* Ethernet with hlen 8 */
	expect_bad(4, 0x00, NR_WIRE_BAD_HLEN);    /* hlen 0 */
	expect_bad(5, 0x10, NR_WIRE_BAD_PLEN);    /* IPv4 with plen 16 */
	expect_bad(5, 0x00, NR_WIRE_BAD_PLEN);    /* plen 0 */
	expect_bad(7, 0x00, NR_WIRE_BAD_OP);      /* op 0 */
	expect_bad(7, 0x05, NR_WIRE_BAD_OP);      /* op 5: unassigned */
	{
		/* Generic lengths past what the struct holds. */
		uint8_t p[sizeof(generic)];
		struct nr_arp a;
		enum nr_wire_reason why = NR_WIRE_OK;

		memcpy(p, generic, sizeof(p));
		p[4] = NR_ARP_HLEN_MAX + 1;
		assert_int_equal(nr_arp_decode(p, sizeof(p), &a, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_BAD_HLEN);
		memcpy(p, generic, sizeof(p));
		p[5] = NR_ARP_PLEN_MAX + 1;
		assert_int_equal(nr_arp_decode(p, sizeof(p), &a, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_BAD_PLEN);
	}
	{
		/* RARP and InARP operations are accepted. */
		uint8_t p[sizeof(request)];
		struct nr_arp a;

		memcpy(p, request, sizeof(p));
		for (uint8_t op = 3; op <= 9; op++) {
			p[7] = op;
			assert_int_equal(nr_arp_decode(p, sizeof(p), &a, NULL),
					 (op <= 4 || op >= 8) ? 0 : -EBADMSG);
		}
	}
}

static void test_encode(void **state)
{
	static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x01};
	uint8_t out[64];
	struct nr_addr spa, tpa;
	struct nr_arp a;

	(void)state;
	nr_addr_set_v4(&spa, 0xc0000201);
	nr_addr_set_v4(&tpa, 0xc0000202);
	nr_arp_init_eth_ipv4(&a, NR_ARP_OP_REQUEST, mac, &spa, NULL, &tpa);
	assert_int_equal(nr_arp_encoded_len(&a), 28);
	assert_int_equal(nr_arp_encode(&a, out, sizeof(out)), 28);
	assert_memory_equal(out, request, sizeof(request));
	for (size_t cap = 0; cap < 28; cap++) {
		memset(out, 0xee, sizeof(out));
		assert_int_equal(nr_arp_encode(&a, out, cap), -EMSGSIZE);
		for (size_t i = 0; i < sizeof(out); i++)
			assert_int_equal(out[i], 0xee);
	}
	assert_int_equal(nr_arp_decode(generic, sizeof(generic), &a, NULL), 0);
	assert_int_equal(nr_arp_encoded_len(&a), sizeof(generic));
	assert_int_equal(nr_arp_encode(&a, out, sizeof(out)), (int)sizeof(generic));
	assert_memory_equal(out, generic, sizeof(generic));
	a.op = 7;
	assert_int_equal(nr_arp_encode(&a, out, sizeof(out)), -EINVAL);
	a.op = 1;
	a.hlen = 0;
	assert_int_equal(nr_arp_encode(&a, out, sizeof(out)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_request), cmocka_unit_test(test_decode_generic),
		cmocka_unit_test(test_truncated),      cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_encode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
