/* SPDX-License-Identifier: BSD-2-Clause */
/* IPv6 header and extension-header walk: Scapy fixture, each reason, encode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "netrig/buf.h"
#include "netrig/ipv6.h"

/* Scapy: IPv6(src="2001:db8::1", dst="2001:db8::2", hlim=64, fl=0x12345)/
 * IPv6ExtHdrHopByHop()/IPv6ExtHdrDestOpt()/IPv6ExtHdrFragment(id=0xabcdef01,
 * offset=0, m=1)/ICMPv6EchoRequest(id=1, seq=2, data=b"ab") */
static const uint8_t ext3[] = {
	0x60, 0x01, 0x23, 0x45, /* v6, tclass 0, flow 0x12345 */
	0x00, 0x22, 0x00, 0x40, /* payload 34, next header 0 (hop-by-hop), hop limit 64 */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, /* src */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* dst */
	0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, /* HBH: next 60, len 0, PadN */
	0x2c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, /* dest opts: next 44, PadN */
	0x3a, 0x00, 0x00, 0x01, 0xab, 0xcd, 0xef, 0x01, /* fragment: next 58, off 0, M, id */
	0x80, 0x00, 0xc2, 0xe0, 0x00, 0x01, 0x00, 0x02, /* ICMPv6 echo request */
	0x61, 0x62,                                     /* "ab" */
};

static void test_decode_ext(void **state)
{
	uint8_t s[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	struct nr_ipv6 h;

	(void)state;
	assert_int_equal(nr_ipv6_decode(ext3, sizeof(ext3), &h, NULL), 0);
	assert_int_equal(h.tclass, 0);
	assert_int_equal(h.flow, 0x12345);
	assert_int_equal(h.next_header, NR_IPPROTO_HOPOPTS);
	assert_int_equal(h.hop_limit, 64);
	assert_int_equal(h.src.family, AF_INET6);
	assert_memory_equal(h.src.bytes, s, 16);
	assert_int_equal(h.dst.bytes[15], 2);
	assert_ptr_equal(h.payload, ext3 + 40);
	assert_int_equal(h.payload_len, 34);
	assert_int_equal(h.n_ext, 3);
	assert_int_equal(h.ext[0].type, NR_IPPROTO_HOPOPTS);
	assert_int_equal(h.ext[0].off, 40);
	assert_int_equal(h.ext[0].len, 8);
	assert_int_equal(h.ext[1].type, NR_IPPROTO_DSTOPTS);
	assert_int_equal(h.ext[1].off, 48);
	assert_int_equal(h.ext[1].len, 8);
	assert_int_equal(h.ext[2].type, NR_IPPROTO_FRAGMENT);
	assert_int_equal(h.ext[2].off, 56);
	assert_int_equal(h.ext[2].len, 8);
	assert_true(h.is_fragment);
	assert_int_equal(h.frag_off, 0);
	assert_true(h.frag_more);
	assert_int_equal(h.frag_id, 0xabcdef01);
	assert_int_equal(h.upper_proto, NR_IPPROTO_ICMPV6);
	assert_int_equal(h.upper_off, 64);
	assert_ptr_equal(h.upper, ext3 + 64);
	assert_int_equal(h.upper_len, 10);
}

/* A packet: fixed header with next header nh, then body (ext headers and upper layer). */
static size_t build(uint8_t *out, uint8_t nh, const uint8_t *body, size_t body_len)
{
	memset(out, 0, NR_IPV6_HLEN);
	out[0] = 0x60;
	nr_store_be16(out + 4, (uint16_t)body_len);
	out[6] = nh;
	out[7] = 255;
	out[8] = 0x20; /* 2001:db8::1 -> 2001:db8::2 */
	out[9] = 0x01;
	out[10] = 0x0d;
	out[11] = 0xb8;
	out[23] = 1;
	memcpy(out + 24, out + 8, 15);
	out[39] = 2;
	memcpy(out + NR_IPV6_HLEN, body, body_len);
	return NR_IPV6_HLEN + body_len;
}

static void test_routing_ah(void **state)
{
	/* routing (type 0-less: segments left 0, 24 bytes) -> AH (16 bytes) -> UDP */
	static const uint8_t body[] = {
		0x33, 0x02, 0x04, 0x00, 0, 0, 0, 0, /* routing: next 51 (AH), len 2 -> 24 bytes */
		0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0,
		0x11, 0x02, 0x00, 0x00,             /* AH: next 17, payload len 2 -> 16 bytes */
		0x00, 0x00, 0x01, 0x00,             /* SPI */
		0x00, 0x00, 0x00, 0x01,             /* sequence */
		0xaa, 0xbb, 0xcc, 0xdd,             /* ICV */
		0x03, 0xe8, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00, /* UDP header */
	};
	uint8_t p[128];
	size_t n = build(p, NR_IPPROTO_ROUTING, body, sizeof(body));
	struct nr_ipv6 h;

	(void)state;
	assert_int_equal(nr_ipv6_decode(p, n, &h, NULL), 0);
	assert_int_equal(h.n_ext, 2);
	assert_int_equal(h.ext[0].type, NR_IPPROTO_ROUTING);
	assert_int_equal(h.ext[0].len, 24);
	assert_int_equal(h.ext[1].type, NR_IPPROTO_AH);
	assert_int_equal(h.ext[1].off, 64);
	assert_int_equal(h.ext[1].len, 16);
	assert_false(h.is_fragment);
	assert_int_equal(h.upper_proto, 17);
	assert_int_equal(h.upper_off, 80);
	assert_int_equal(h.upper_len, 8);
	/* AH shorter than its fixed 12 bytes: payload len 0 -> 8 bytes. */
	p[40 + 24 + 1] = 0;
	assert_int_equal(nr_ipv6_decode(p, n, &h, NULL), -EBADMSG);
	{
		enum nr_wire_reason why = NR_WIRE_OK;

		assert_int_equal(nr_ipv6_decode(p, n, &h, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_BAD_LENGTH);
	}
}

static void test_non_first_fragment(void **state)
{
	/* Fragment at offset 8 (64 bytes): what follows is data, even if it
	 * looks like a header. */
	static const uint8_t body[] = {
		0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x07, /* next 0 (!), off 8, M 0, id 7 */
		0x3c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* data */
	};
	uint8_t p[128];
	size_t n = build(p, NR_IPPROTO_FRAGMENT, body, sizeof(body));
	struct nr_ipv6 h;

	(void)state;
	assert_int_equal(nr_ipv6_decode(p, n, &h, NULL), 0);
	assert_int_equal(h.n_ext, 1);
	assert_true(h.is_fragment);
	assert_int_equal(h.frag_off, 8);
	assert_false(h.frag_more);
	assert_int_equal(h.frag_id, 7);
	assert_int_equal(h.upper_proto, 0);
	assert_int_equal(h.upper_off, 48);
	assert_int_equal(h.upper_len, 8);
	/* An offset whose data would end past 65535 bytes. */
	p[40 + 2] = 0xff;
	p[40 + 3] = 0xf8; /* offset 8191 */
	{
		enum nr_wire_reason why = NR_WIRE_OK;

		assert_int_equal(nr_ipv6_decode(p, n, &h, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_BAD_FRAGMENT);
	}
}

static void test_truncated(void **state)
{
	struct nr_ipv6 h;
	enum nr_wire_reason why;

	(void)state;
	/* Short of the header, or of payload length. */
	for (size_t n = 0; n < sizeof(ext3); n++) {
		why = NR_WIRE_OK;
		assert_int_equal(nr_ipv6_decode(ext3, n, &h, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_TRUNCATED);
	}
	/* Payload length cut inside each extension header: the walk sees the cut. */
	for (uint16_t plen = 0; plen < 24; plen++) {
		uint8_t p[sizeof(ext3)];

		memcpy(p, ext3, sizeof(p));
		nr_store_be16(p + 4, plen);
		why = NR_WIRE_OK;
		assert_int_equal(nr_ipv6_decode(p, sizeof(p), &h, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_TRUNCATED);
	}
	/* Cut right after the fragment header: an empty upper layer is fine. */
	{
		uint8_t p[sizeof(ext3)];

		memcpy(p, ext3, sizeof(p));
		nr_store_be16(p + 4, 24);
		assert_int_equal(nr_ipv6_decode(p, sizeof(p), &h, NULL), 0);
		assert_int_equal(h.upper_len, 0);
		assert_null(h.upper);
		assert_int_equal(h.payload_len, 24);
	}
}

static void test_bad(void **state)
{
	uint8_t p[256];
	struct nr_ipv6 h;
	enum nr_wire_reason why = NR_WIRE_OK;

	(void)state;
	memcpy(p, ext3, sizeof(ext3));
	p[0] = 0x40;
	assert_int_equal(nr_ipv6_decode(p, sizeof(ext3), &h, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_BAD_VERSION);

	/* Hop-by-hop after destination options. */
	{
		static const uint8_t body[] = {
			0x00, 0x00, 0x01, 0x04, 0, 0, 0, 0, /* dest opts -> HBH */
			0x3b, 0x00, 0x01, 0x04, 0, 0, 0, 0, /* HBH -> no next header */
		};
		size_t n = build(p, NR_IPPROTO_DSTOPTS, body, sizeof(body));

		assert_int_equal(nr_ipv6_decode(p, n, &h, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_HBH_NOT_FIRST);
	}
	/* 8 destination options headers are allowed, 9 are not. */
	for (unsigned count = 8; count <= 9; count++) {
		uint8_t body[9 * 8];
		size_t n;

		/* each header: next = destination options, length 0, PadN of 4 */
		for (unsigned i = 0; i < count * 8; i++)
			body[i] = (uint8_t[8]){0x3c, 0x00, 0x01, 0x04, 0, 0, 0, 0}[i % 8];
		body[(count - 1) * 8] = NR_IPPROTO_NONE;
		n = build(p, NR_IPPROTO_DSTOPTS, body, count * 8);
		if (count == 8) {
			assert_int_equal(nr_ipv6_decode(p, n, &h, NULL), 0);
			assert_int_equal(h.n_ext, 8);
			assert_int_equal(h.upper_proto, NR_IPPROTO_NONE);
			assert_int_equal(h.upper_len, 0);
		} else {
			assert_int_equal(nr_ipv6_decode(p, n, &h, &why), -EBADMSG);
			assert_int_equal(why, NR_WIRE_TOO_MANY_EXT);
		}
	}
	/* An extension header whose length runs past the payload. */
	{
		static const uint8_t body[] = {0x3b, 0x01, 0x01, 0x04, 0, 0, 0, 0}; /* says 16 */
		size_t n = build(p, NR_IPPROTO_DSTOPTS, body, sizeof(body));

		assert_int_equal(nr_ipv6_decode(p, n, &h, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_TRUNCATED);
	}
}

static void test_encode(void **state)
{
	uint8_t out[128];
	struct nr_ipv6 h;

	(void)state;
	assert_int_equal(nr_ipv6_decode(ext3, sizeof(ext3), &h, NULL), 0);
	assert_int_equal(nr_ipv6_encoded_len(&h), sizeof(ext3));
	assert_int_equal(nr_ipv6_encode(&h, out, sizeof(out)), (int)sizeof(ext3));
	assert_memory_equal(out, ext3, sizeof(ext3));
	for (size_t cap = 0; cap < sizeof(ext3); cap++) {
		memset(out, 0xee, sizeof(out));
		assert_int_equal(nr_ipv6_encode(&h, out, cap), -EMSGSIZE);
		for (size_t i = 0; i < sizeof(out); i++)
			assert_int_equal(out[i], 0xee);
	}
	/* In place: decode a copy, change the hop limit, encode over it. */
	memcpy(out, ext3, sizeof(ext3));
	assert_int_equal(nr_ipv6_decode(out, sizeof(ext3), &h, NULL), 0);
	h.hop_limit = 63;
	h.tclass = 0xb8;
	assert_int_equal(nr_ipv6_encode(&h, out, sizeof(out)), (int)sizeof(ext3));
	assert_int_equal(out[7], 63);
	assert_int_equal(out[0], 0x6b);
	assert_int_equal(out[1], 0x81);
	assert_memory_equal(out + 40, ext3 + 40, sizeof(ext3) - 40);
	h.flow = 0x100000;
	assert_int_equal(nr_ipv6_encode(&h, out, sizeof(out)), -EINVAL);
	h.flow = 0;
	h.src.family = AF_INET;
	assert_int_equal(nr_ipv6_encode(&h, out, sizeof(out)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_ext), cmocka_unit_test(test_routing_ah),
		cmocka_unit_test(test_non_first_fragment), cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad),        cmocka_unit_test(test_encode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
