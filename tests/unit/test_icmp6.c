/* SPDX-License-Identifier: BSD-2-Clause */
/* ICMPv6: echo with the pseudo-header checksum (Scapy fixture), errors, encode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "netrig/icmp6.h"
#include "netrig/ipv6.h"

/* Scapy: IPv6(src="2001:db8::1", dst="2001:db8::2", hlim=64)/
 * ICMPv6EchoRequest(id=0x1234, seq=1, data=b"netrig") */
static const uint8_t echo_ip[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x3a, 0x40, /* payload 14, ICMPv6, hlim 64 */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, /* src */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* dst */
	0x80, 0x00,             /* type 128 echo request, code 0 */
	0xc5, 0xcd,             /* checksum (pseudo-header included) */
	0x12, 0x34, 0x00, 0x01, /* id, seq */
	0x6e, 0x65, 0x74, 0x72, 0x69, 0x67, /* "netrig" */
};

static void addrs(struct nr_addr *src, struct nr_addr *dst)
{
	uint8_t s[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	uint8_t d[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

	nr_addr_set_v6(src, s);
	nr_addr_set_v6(dst, d);
}

static void test_decode_echo(void **state)
{
	struct nr_addr src, dst;
	struct nr_icmp6 m;
	struct nr_ipv6 ip;

	(void)state;
	addrs(&src, &dst);
	assert_int_equal(nr_ipv6_decode(echo_ip, sizeof(echo_ip), &ip, NULL), 0);
	assert_int_equal(ip.upper_proto, NR_IPPROTO_ICMPV6);
	assert_int_equal(nr_icmp6_decode(ip.upper, ip.upper_len, &ip.src, &ip.dst, &m, NULL), 0);
	assert_int_equal(m.type, NR_ICMP6_ECHO_REQUEST);
	assert_int_equal(m.code, 0);
	assert_int_equal(m.checksum, 0xc5cd);
	assert_int_equal(m.rest, 0x12340001);
	assert_int_equal(m.id, 0x1234);
	assert_int_equal(m.seq, 1);
	assert_ptr_equal(m.data, echo_ip + 48);
	assert_int_equal(m.data_len, 6);
	assert_false(nr_icmp6_is_error(m.type));
	/* The same bytes between other addresses fail the checksum. */
	{
		enum nr_wire_reason why = NR_WIRE_OK;

		assert_int_equal(nr_icmp6_decode(ip.upper, ip.upper_len, &dst, &src, &m, NULL), 0);
		src.bytes[15] = 9;
		assert_int_equal(nr_icmp6_decode(ip.upper, ip.upper_len, &src, &dst, &m, &why),
				 -EBADMSG);
		assert_int_equal(why, NR_WIRE_BAD_CHECKSUM);
	}
}

static void test_bad(void **state)
{
	const uint8_t *msg = echo_ip + 40;
	struct nr_addr src, dst;
	struct nr_icmp6 m;
	enum nr_wire_reason why;

	(void)state;
	addrs(&src, &dst);
	for (size_t n = 0; n < 8; n++) {
		why = NR_WIRE_OK;
		assert_int_equal(nr_icmp6_decode(msg, n, &src, &dst, &m, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_TRUNCATED);
	}
	for (size_t n = 8; n < 14; n++) {
		why = NR_WIRE_OK;
		assert_int_equal(nr_icmp6_decode(msg, n, &src, &dst, &m, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_BAD_CHECKSUM);
	}
}

static void test_encode_echo_reply(void **state)
{
	struct nr_addr src, dst;
	struct nr_icmp6 m, d;
	uint8_t out[64];

	(void)state;
	addrs(&src, &dst);
	assert_int_equal(nr_icmp6_decode(echo_ip + 40, 14, &src, &dst, &m, NULL), 0);
	/* Re-encoding the request gives Scapy's bytes. */
	assert_int_equal(nr_icmp6_encoded_len(&m), 14);
	assert_int_equal(nr_icmp6_encode(&m, &src, &dst, out, sizeof(out)), 14);
	assert_memory_equal(out, echo_ip + 40, 14);
	for (size_t cap = 0; cap < 14; cap++) {
		memset(out, 0xee, sizeof(out));
		assert_int_equal(nr_icmp6_encode(&m, &src, &dst, out, cap), -EMSGSIZE);
		for (size_t i = 0; i < sizeof(out); i++)
			assert_int_equal(out[i], 0xee);
	}
	/* The reply goes back: swap the addresses, change the type. */
	m.type = NR_ICMP6_ECHO_REPLY;
	assert_int_equal(nr_icmp6_encode(&m, &dst, &src, out, sizeof(out)), 14);
	assert_int_equal(out[0], 129);
	assert_int_equal(nr_icmp6_decode(out, 14, &dst, &src, &d, NULL), 0);
	assert_int_equal(d.id, 0x1234);
	assert_int_equal(d.seq, 1);
	assert_memory_equal(d.data, "netrig", 6);
	/* IPv4 addresses cannot make a pseudo-header. */
	src.family = AF_INET;
	assert_int_equal(nr_icmp6_encode(&m, &src, &dst, out, sizeof(out)), -EINVAL);
}

static void test_error_quote(void **state)
{
	struct nr_addr src, dst;
	struct nr_icmp6_quote q;
	struct nr_icmp6 m, d;
	uint8_t out[1400];
	enum nr_wire_reason why = NR_WIRE_OK;

	(void)state;
	addrs(&src, &dst);
	/* Packet too big for the echo request, MTU 1280. */
	nr_icmp6_error_init(&m, NR_ICMP6_PACKET_TOO_BIG, 0, 1280, echo_ip, sizeof(echo_ip));
	assert_int_equal(nr_icmp6_encode(&m, &dst, &src, out, sizeof(out)), 8 + 54);
	assert_int_equal(nr_icmp6_decode(out, 62, &dst, &src, &d, NULL), 0);
	assert_int_equal(d.type, NR_ICMP6_PACKET_TOO_BIG);
	assert_int_equal(d.rest, 1280);
	assert_int_equal(d.id, 0);
	assert_true(nr_icmp6_is_error(d.type));
	assert_int_equal(nr_icmp6_quote_decode(&d, &q, NULL), 0);
	assert_int_equal(q.next_header, NR_IPPROTO_ICMPV6);
	assert_true(nr_addr_eq(&q.src, &src));
	assert_true(nr_addr_eq(&q.dst, &dst));
	assert_int_equal(q.payload_len, 14);
	assert_ptr_equal(q.payload, out + 8 + 40);
	/* Quotes short of an IPv6 header; a quote that is not IPv6. */
	for (size_t n = 0; n < 40; n++) {
		d.data_len = n;
		assert_int_equal(nr_icmp6_quote_decode(&d, &q, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_TRUNCATED);
	}
	d.data_len = 54;
	out[8] = 0x45;
	assert_int_equal(nr_icmp6_quote_decode(&d, &q, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_BAD_VERSION);
	/* Echo is not an error. */
	d.type = NR_ICMP6_ECHO_REPLY;
	assert_int_equal(nr_icmp6_quote_decode(&d, &q, &why), -EPROTONOSUPPORT);
	assert_int_equal(why, NR_WIRE_BAD_TYPE);
	/* The quote is cut to fit the minimum MTU. */
	{
		static uint8_t big[1500];

		nr_icmp6_error_init(&m, NR_ICMP6_DEST_UNREACH, 4, 0, big, sizeof(big));
		assert_int_equal(m.data_len, NR_ICMP6_QUOTE_MAX);
		assert_int_equal(nr_icmp6_encoded_len(&m) + 40, 1280);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_echo),       cmocka_unit_test(test_bad),
		cmocka_unit_test(test_encode_echo_reply), cmocka_unit_test(test_error_quote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
