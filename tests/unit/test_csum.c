/* SPDX-License-Identifier: BSD-2-Clause */
/* Internet checksum: RFC 1071's example, odd pieces, pseudo-headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "netrig/csum.h"

/* RFC 1071 section 3: the sum of these words is 0x2ddf0, folded 0xddf2. */
static const uint8_t rfc1071[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};

static void test_rfc1071_example(void **state)
{
	struct nr_csum c;

	(void)state;
	nr_csum_init(&c);
	nr_csum_add(&c, rfc1071, sizeof(rfc1071));
	assert_int_equal(nr_csum_fold(&c), 0xddf2);
	assert_int_equal(nr_csum_final(&c), 0x220d);
	assert_int_equal(nr_csum(rfc1071, sizeof(rfc1071)), 0x220d);
	assert_false(nr_csum_verify(&c));
	/* With the checksum appended the whole verifies. */
	nr_csum_add_be16(&c, 0x220d);
	assert_true(nr_csum_verify(&c));
	assert_int_equal(nr_csum_final(&c), 0);
}

static void test_odd_pieces(void **state)
{
	uint8_t data[37];
	uint16_t whole;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 37 + 11);
	whole = nr_csum(data, sizeof(data));
	/* Every split into two pieces, and one into 1-byte pieces, sums the same. */
	for (size_t cut = 0; cut <= sizeof(data); cut++) {
		struct nr_csum c;

		nr_csum_init(&c);
		nr_csum_add(&c, data, cut);
		nr_csum_add(&c, data + cut, sizeof(data) - cut);
		assert_int_equal(nr_csum_final(&c), whole);
	}
	{
		struct nr_csum c;

		nr_csum_init(&c);
		for (size_t i = 0; i < sizeof(data); i++)
			nr_csum_add(&c, data + i, 1);
		assert_int_equal(nr_csum_final(&c), whole);
	}
	/* An odd trailing byte counts as the high byte of a zero-padded word. */
	{
		static const uint8_t one[] = {0xab};

		assert_int_equal(nr_csum(one, 1), (uint16_t)~0xab00);
	}
}

static void test_ipv4_header(void **state)
{
	/* Scapy: IP(src="198.51.100.1", dst="198.51.100.2", id=0x1234, ttl=64,
	 * flags="DF")/ICMP(...): header checksum 0xd43c. */
	uint8_t hdr[] = {
		0x45, 0x00, 0x00, 0x22, /* v4, IHL 5, tos 0, total 34 */
		0x12, 0x34, 0x40, 0x00, /* id 0x1234, DF */
		0x40, 0x01, 0xd4, 0x3c, /* ttl 64, ICMP, checksum 0xd43c */
		0xc6, 0x33, 0x64, 0x01, /* 198.51.100.1 */
		0xc6, 0x33, 0x64, 0x02, /* 198.51.100.2 */
	};

	(void)state;
	assert_int_equal(nr_csum(hdr, sizeof(hdr)), 0);
	hdr[10] = 0;
	hdr[11] = 0;
	assert_int_equal(nr_csum(hdr, sizeof(hdr)), 0xd43c);
	hdr[15] ^= 1;
	assert_int_not_equal(nr_csum(hdr, sizeof(hdr)), 0xd43c);
}

static void test_pseudo6(void **state)
{
	/* Scapy: IPv6(src="2001:db8::1", dst="2001:db8::2")/ICMPv6EchoRequest(
	 * id=0x1234, seq=1, data=b"netrig"): checksum 0xc5cd. */
	uint8_t msg[] = {
		0x80, 0x00, 0xc5, 0xcd, /* echo request, code 0, checksum */
		0x12, 0x34, 0x00, 0x01, /* id, seq */
		'n',  'e',  't',  'r',  'i', 'g',
	};
	uint8_t s[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	uint8_t d[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	struct nr_addr src, dst;
	struct nr_csum c;

	(void)state;
	nr_addr_set_v6(&src, s);
	nr_addr_set_v6(&dst, d);
	nr_csum_init(&c);
	nr_csum_add_pseudo6(&c, &src, &dst, sizeof(msg), 58);
	nr_csum_add(&c, msg, sizeof(msg));
	assert_true(nr_csum_verify(&c));
	/* The same message from another source does not verify. */
	src.bytes[15] = 3;
	nr_csum_init(&c);
	nr_csum_add_pseudo6(&c, &src, &dst, sizeof(msg), 58);
	nr_csum_add(&c, msg, sizeof(msg));
	assert_false(nr_csum_verify(&c));
}

static void test_pseudo4(void **state)
{
	/* Scapy: IP(src="198.51.100.1", dst="198.51.100.2")/UDP(sport=1000,
	 * dport=2000)/b"hi": UDP checksum 0x374e (pseudo-header included). */
	const uint8_t udp[] = {
		0x03, 0xe8, 0x07, 0xd0, /* ports 1000 -> 2000 */
		0x00, 0x0a, 0x37, 0x4e, /* length 10, checksum */
		'h',  'i',
	};
	struct nr_addr src, dst;
	struct nr_csum c;

	(void)state;
	nr_addr_set_v4(&src, 0xc6336401);
	nr_addr_set_v4(&dst, 0xc6336402);
	nr_csum_init(&c);
	nr_csum_add_pseudo4(&c, &src, &dst, 17, sizeof(udp));
	nr_csum_add(&c, udp, sizeof(udp));
	assert_true(nr_csum_verify(&c));
	nr_csum_init(&c);
	nr_csum_add_pseudo4(&c, &src, &dst, 6, sizeof(udp)); /* wrong protocol */
	nr_csum_add(&c, udp, sizeof(udp));
	assert_false(nr_csum_verify(&c));
}

/* The word-at-a-time path against the RFC 1071 definition, one 16-bit
 * word at a time, on random data split into random pieces (odd offsets
 * and lengths included). */
static uint16_t naive_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)p[i] << 8 | (i + 1 < len ? p[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void test_against_definition(void **state)
{
	uint8_t buf[600];
	uint64_t x = 0x243f6a8885a308d3ull;

	(void)state;
	for (unsigned round = 0; round < 5000; round++) {
		size_t len = 0, off = 0;
		struct nr_csum c;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		len = (size_t)(x % sizeof(buf));
		for (size_t i = 0; i < len; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* Mostly 0xff bytes in some rounds: many carries. */
			buf[i] = (round % 3 == 0) ? 0xff : (uint8_t)x;
		}
		nr_csum_init(&c);
		while (off < len) {
			size_t piece;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			piece = 1 + (size_t)(x % 37);
			if (piece > len - off)
				piece = len - off;
			nr_csum_add(&c, buf + off, piece);
			off += piece;
		}
		assert_int_equal(nr_csum_final(&c), naive_csum(buf, len));
		assert_int_equal(nr_csum(buf, len), naive_csum(buf, len));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example), cmocka_unit_test(test_odd_pieces),
		cmocka_unit_test(test_ipv4_header),     cmocka_unit_test(test_pseudo6),
		cmocka_unit_test(test_pseudo4),         cmocka_unit_test(test_against_definition),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
