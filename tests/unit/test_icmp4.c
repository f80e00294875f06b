/* SPDX-License-Identifier: BSD-2-Clause */
/* ICMPv4: echo and an error quoting a UDP datagram (Scapy fixtures). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "netrig/csum.h"
#include "netrig/icmp4.h"
#include "netrig/ipv4.h"

/* Scapy: ICMP(id=0x4242, seq=7)/b"netrig" (inside the IPv4 echo fixture) */
static const uint8_t echo[] = {
	0x08, 0x00,             /* type 8 echo request, code 0 */
	0x69, 0x77,             /* checksum */
	0x42, 0x42, 0x00, 0x07, /* id 0x4242, seq 7 */
	0x6e, 0x65, 0x74, 0x72, 0x69, 0x67, /* "netrig" */
};

/* Scapy: IP(src="198.51.100.2", dst="198.51.100.1", id=2)/ICMP(type=3, code=3)/
 * IP(src="198.51.100.1", dst="198.51.100.2", id=9)/UDP(sport=1000, dport=53)/b"q" */
static const uint8_t unreach_ip[] = {
	0x45, 0x00, 0x00, 0x39, 0x00, 0x02, 0x00, 0x00, /* outer IPv4, total 57 */
	0x40, 0x01, 0x26, 0x58, 0xc6, 0x33, 0x64, 0x02,
	0xc6, 0x33, 0x64, 0x01,
	0x03, 0x03,             /* type 3 destination unreachable, code 3 port */
	0x51, 0x82,             /* checksum */
	0x00, 0x00, 0x00, 0x00, /* unused */
	0x45, 0x00, 0x00, 0x1d, /* quoted IPv4: IHL 5, total 29 */
	0x00, 0x09, 0x00, 0x00, /* id 9 */
	0x40, 0x11, 0x26, 0x5d, /* ttl 64, UDP */
	0xc6, 0x33, 0x64, 0x01, /* src 198.51.100.1 */
	0xc6, 0x33, 0x64, 0x02, /* dst 198.51.100.2 */
	0x03, 0xe8, 0x00, 0x35, 0x00, 0x09, 0x36, 0x54, /* quoted UDP 1000 -> 53 */
	0x71,                                           /* "q" */
};
#define UNREACH_OFF 20
#define UNREACH_LEN (sizeof(unreach_ip) - UNREACH_OFF)

static void test_decode_echo(void **state)
{
	struct nr_icmp4 m;

	(void)state;
	assert_int_equal(nr_icmp4_decode(echo, sizeof(echo), &m, NULL), 0);
	assert_int_equal(m.type, NR_ICMP4_ECHO_REQUEST);
	assert_int_equal(m.code, 0);
	assert_int_equal(m.checksum, 0x6977);
	assert_int_equal(m.rest, 0x42420007);
	assert_int_equal(m.id, 0x4242);
	assert_int_equal(m.seq, 7);
	assert_ptr_equal(m.data, echo + 8);
	assert_int_equal(m.data_len, 6);
	assert_true(nr_icmp4_has_id(m.type));
	assert_false(nr_icmp4_is_error(m.type));
}

static void test_decode_unreach(void **state)
{
	const uint8_t *msg = unreach_ip + UNREACH_OFF;
	struct nr_icmp4_quote q;
	struct nr_icmp4 m;
	struct nr_ipv4 ip;

	(void)state;
	/* Through the IPv4 decoder first, as a receiver would. */
	assert_int_equal(nr_ipv4_decode(unreach_ip, sizeof(unreach_ip), &ip, NULL), 0);
	assert_int_equal(ip.proto, NR_IPPROTO_ICMP);
	assert_int_equal(nr_icmp4_decode(ip.payload, ip.payload_len, &m, NULL), 0);
	assert_int_equal(m.type, NR_ICMP4_DEST_UNREACH);
	assert_int_equal(m.code, NR_ICMP4_PORT_UNREACH);
	assert_int_equal(m.rest, 0);
	assert_int_equal(m.id, 0);
	assert_int_equal(m.seq, 0);
	assert_ptr_equal(m.data, msg + 8);
	assert_int_equal(m.data_len, 29);
	assert_true(nr_icmp4_is_error(m.type));
	assert_int_equal(nr_icmp4_quote_decode(&m, &q, NULL), 0);
	assert_int_equal(q.proto, NR_IPPROTO_UDP);
	assert_int_equal(q.id, 9);
	assert_int_equal(nr_addr_v4(&q.src), 0xc6336401);
	assert_int_equal(nr_addr_v4(&q.dst), 0xc6336402);
	assert_ptr_equal(q.transport, msg + 28);
	assert_int_equal(q.transport_len, 9);
	assert_int_equal(nr_load_be16(q.transport + 2), 53);
}

static void test_bad(void **state)
{
	uint8_t p[UNREACH_LEN];
	struct nr_icmp4_quote q;
	struct nr_icmp4 m;
	enum nr_wire_reason why;

	(void)state;
	for (size_t n = 0; n < 8; n++) {
		why = NR_WIRE_OK;
		assert_int_equal(nr_icmp4_decode(echo, n, &m, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_TRUNCATED);
	}
	/* Cutting the payload breaks the checksum. */
	for (size_t n = 8; n < sizeof(echo); n++) {
		why = NR_WIRE_OK;
		assert_int_equal(nr_icmp4_decode(echo, n, &m, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_BAD_CHECKSUM);
	}
	/* A code past the last defined for type 3 (checksum fixed up). */
	memcpy(p, unreach_ip + UNREACH_OFF, sizeof(p));
	p[1] = 16;
	p[2] = p[3] = 0;
	nr_store_be16(p + 2, nr_csum(p, sizeof(p)));
	assert_int_equal(nr_icmp4_decode(p, sizeof(p), &m, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_BAD_CODE);
	/* Time exceeded code 2 is out of range too; code 1 is fine. */
	p[0] = NR_ICMP4_TIME_EXCEEDED;
	p[1] = 2;
	p[2] = p[3] = 0;
	nr_store_be16(p + 2, nr_csum(p, sizeof(p)));
	assert_int_equal(nr_icmp4_decode(p, sizeof(p), &m, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_BAD_CODE);
	p[1] = 1;
	p[2] = p[3] = 0;
	nr_store_be16(p + 2, nr_csum(p, sizeof(p)));
	assert_int_equal(nr_icmp4_decode(p, sizeof(p), &m, NULL), 0);

	/* Quotes: every cut short of IPv4 header + 8 bytes is truncated. */
	for (size_t n = 0; n < 28; n++) {
		m.data_len = n;
		why = NR_WIRE_OK;
		assert_int_equal(nr_icmp4_quote_decode(&m, &q, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_TRUNCATED);
	}
	m.data_len = 28;
	assert_int_equal(nr_icmp4_quote_decode(&m, &q, NULL), 0);
	assert_int_equal(q.transport_len, 8);
	/* A quote that is not IPv4, or has IHL < 5. */
	{
		uint8_t quote[28];

		memcpy(quote, unreach_ip + UNREACH_OFF + 8, sizeof(quote));
		m.data = quote;
		quote[0] = 0x65;
		assert_int_equal(nr_icmp4_quote_decode(&m, &q, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_BAD_VERSION);
		quote[0] = 0x44;
		assert_int_equal(nr_icmp4_quote_decode(&m, &q, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_BAD_LENGTH);
		/* IHL 6: the 8 transport bytes are no longer all there. */
		quote[0] = 0x46;
		assert_int_equal(nr_icmp4_quote_decode(&m, &q, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_TRUNCATED);
	}
	/* Echo has no quote. */
	assert_int_equal(nr_icmp4_decode(echo, sizeof(echo), &m, NULL), 0);
	assert_int_equal(nr_icmp4_quote_decode(&m, &q, &why), -EPROTONOSUPPORT);
	assert_int_equal(why, NR_WIRE_BAD_TYPE);
}

static void test_encode(void **state)
{
	uint8_t out[64];
	struct nr_icmp4 m = {0};

	(void)state;
	/* An echo reply built from the request, in place. */
	m.type = NR_ICMP4_ECHO_REQUEST;
	m.id = 0x4242;
	m.seq = 7;
	m.rest = 0xffffffff; /* ignored for echo */
	m.data = echo + 8;
	m.data_len = 6;
	assert_int_equal(nr_icmp4_encoded_len(&m), sizeof(echo));
	assert_int_equal(nr_icmp4_encode(&m, out, sizeof(out)), (int)sizeof(echo));
	assert_memory_equal(out, echo, sizeof(echo));
	for (size_t cap = 0; cap < sizeof(echo); cap++) {
		memset(out, 0xee, sizeof(out));
		assert_int_equal(nr_icmp4_encode(&m, out, cap), -EMSGSIZE);
		for (size_t i = 0; i < sizeof(out); i++)
			assert_int_equal(out[i], 0xee);
	}
	/* The error builder reproduces Scapy's port unreachable. */
	nr_icmp4_error_init(&m, NR_ICMP4_DEST_UNREACH, NR_ICMP4_PORT_UNREACH, 0,
			    unreach_ip + UNREACH_OFF + 8, 29);
	assert_int_equal(nr_icmp4_encode(&m, out, sizeof(out)), (int)UNREACH_LEN);
	assert_memory_equal(out, unreach_ip + UNREACH_OFF, UNREACH_LEN);
	/* ... and cuts a long datagram to 548 bytes. */
	{
		static uint8_t big[2000];

		nr_icmp4_error_init(&m, NR_ICMP4_TIME_EXCEEDED, 0, 0, big, sizeof(big));
		assert_int_equal(m.data_len, NR_ICMP4_QUOTE_MAX);
		assert_int_equal(nr_icmp4_encoded_len(&m), 556);
	}
	/* A fragmentation-needed carries the MTU in rest. */
	nr_icmp4_error_init(&m, NR_ICMP4_DEST_UNREACH, NR_ICMP4_FRAG_NEEDED, 1400,
			    unreach_ip + UNREACH_OFF + 8, 28);
	assert_int_equal(nr_icmp4_encode(&m, out, sizeof(out)), 36);
	{
		struct nr_icmp4 d;

		assert_int_equal(nr_icmp4_decode(out, 36, &d, NULL), 0);
		assert_int_equal(d.rest, 1400);
		assert_int_equal(d.code, NR_ICMP4_FRAG_NEEDED);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_echo), cmocka_unit_test(test_decode_unreach),
		cmocka_unit_test(test_bad),         cmocka_unit_test(test_encode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
