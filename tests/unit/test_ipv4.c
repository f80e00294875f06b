/* SPDX-License-Identifier: BSD-2-Clause */
/* IPv4 header: Scapy fixtures, every check with its reason, encode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "netrig/csum.h"
#include "netrig/ipv4.h"

/* Scapy: IP(src="198.51.100.1", dst="198.51.100.2", id=0x1234, ttl=64,
 * flags="DF")/ICMP(id=0x4242, seq=7)/b"netrig" */
static const uint8_t echo[] = {
	0x45, 0x00, 0x00, 0x22, /* v4, IHL 5; tos 0; total length 34 */
	0x12, 0x34, 0x40, 0x00, /* id 0x1234; DF, offset 0 */
	0x40, 0x01, 0xd4, 0x3c, /* ttl 64; proto ICMP; checksum */
	0xc6, 0x33, 0x64, 0x01, /* src 198.51.100.1 */
	0xc6, 0x33, 0x64, 0x02, /* dst 198.51.100.2 */
	0x08, 0x00, 0x69, 0x77, 0x42, 0x42, 0x00, 0x07, /* ICMP echo request */
	0x6e, 0x65, 0x74, 0x72, 0x69, 0x67,             /* "netrig" */
};

/* Scapy: IP(src="198.51.100.1", dst="198.51.100.2", id=1, ttl=1,
 * options=[IPOption_Router_Alert()])/UDP(sport=1000, dport=2000)/b"hi" */
static const uint8_t with_opts[] = {
	0x46, 0x00, 0x00, 0x22, /* v4, IHL 6; total 34 */
	0x00, 0x01, 0x00, 0x00, /* id 1; no flags */
	0x01, 0x11, 0xd0, 0x5b, /* ttl 1; UDP; checksum */
	0xc6, 0x33, 0x64, 0x01, /* src */
	0xc6, 0x33, 0x64, 0x02, /* dst */
	0x94, 0x04, 0x00, 0x00, /* option: router alert (RFC 2113) */
	0x03, 0xe8, 0x07, 0xd0, 0x00, 0x0a, 0x37, 0x4e, /* UDP header */
	0x68, 0x69,                                     /* "hi" */
};

static void test_decode_echo(void **state)
{
	struct nr_ipv4 h;
	struct nr_buf o;

	(void)state;
	assert_int_equal(nr_ipv4_decode(echo, sizeof(echo), &h, NULL), 0);
	assert_int_equal(h.ihl, 5);
	assert_int_equal(h.tos, 0);
	assert_int_equal(h.total_len, 34);
	assert_int_equal(h.id, 0x1234);
	assert_false(h.reserved_flag);
	assert_true(h.df);
	assert_false(h.mf);
	assert_int_equal(h.frag_off, 0);
	assert_int_equal(h.ttl, 64);
	assert_int_equal(h.proto, NR_IPPROTO_ICMP);
	assert_int_equal(h.checksum, 0xd43c);
	assert_int_equal(h.src.family, AF_INET);
	assert_int_equal(nr_addr_v4(&h.src), 0xc6336401);
	assert_int_equal(nr_addr_v4(&h.dst), 0xc6336402);
	assert_null(h.opts);
	assert_int_equal(h.opts_len, 0);
	nr_ipv4_options(&h, &o);
	assert_int_equal(nr_buf_remaining(&o), 0);
	assert_ptr_equal(h.payload, echo + 20);
	assert_int_equal(h.payload_len, 14);
}

static void test_decode_options(void **state)
{
	struct nr_ipv4 h;
	struct nr_buf o;
	uint8_t type, len;

	(void)state;
	assert_int_equal(nr_ipv4_decode(with_opts, sizeof(with_opts), &h, NULL), 0);
	assert_int_equal(h.ihl, 6);
	assert_int_equal(h.ttl, 1);
	assert_int_equal(h.proto, NR_IPPROTO_UDP);
	assert_false(h.df);
	assert_int_equal(h.opts_len, 4);
	assert_ptr_equal(h.opts, with_opts + 20);
	nr_ipv4_options(&h, &o);
	assert_int_equal(nr_buf_get_u8(&o, &type), 0);
	assert_int_equal(type, 0x94);
	assert_int_equal(nr_buf_get_u8(&o, &len), 0);
	assert_int_equal(len, 4);
	assert_int_equal(nr_buf_skip(&o, 3), -EBADMSG); /* bounded by IHL */
	assert_ptr_equal(h.payload, with_opts + 24);
	assert_int_equal(h.payload_len, 10);
}

static void test_truncated(void **state)
{
	struct nr_ipv4 h;
	enum nr_wire_reason why;

	(void)state;
	/* Short of the fixed header, of IHL, of total length: all truncated. */
	for (size_t n = 0; n < sizeof(with_opts); n++) {
		why = NR_WIRE_OK;
		assert_int_equal(nr_ipv4_decode(with_opts, n, &h, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_TRUNCATED);
	}
	for (size_t n = 0; n < sizeof(echo); n++) {
		why = NR_WIRE_OK;
		assert_int_equal(nr_ipv4_decode(echo, n, &h, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_TRUNCATED);
	}
	/* Trailing bytes (Ethernet padding) are not payload. */
	{
		uint8_t padded[46] = {0};

		memcpy(padded, echo, sizeof(echo));
		assert_int_equal(nr_ipv4_decode(padded, sizeof(padded), &h, NULL), 0);
		assert_int_equal(h.payload_len, 14);
	}
}

/* Copy echo, apply a change, fix the checksum (unless told not to), decode. */
static int decode_patched(size_t at, uint8_t v, bool fix_csum, enum nr_wire_reason *why)
{
	uint8_t p[sizeof(echo)];
	struct nr_ipv4 h;

	memcpy(p, echo, sizeof(p));
	p[at] = v;
	if (fix_csum) {
		p[10] = 0;
		p[11] = 0;
		nr_store_be16(p + 10, nr_csum(p, 20));
	}
	return nr_ipv4_decode(p, sizeof(p), &h, why);
}

static void test_bad(void **state)
{
	enum nr_wire_reason why = NR_WIRE_OK;

	(void)state;
	assert_int_equal(decode_patched(0, 0x65, true, &why), -EBADMSG); /* version 6 */
	assert_int_equal(why, NR_WIRE_BAD_VERSION);
	assert_int_equal(decode_patched(0, 0x44, true, &why), -EBADMSG); /* IHL 4 */
	assert_int_equal(why, NR_WIRE_BAD_LENGTH);
	assert_int_equal(decode_patched(0, 0x40, true, &why), -EBADMSG); /* IHL 0 */
	assert_int_equal(why, NR_WIRE_BAD_LENGTH);
	assert_int_equal(decode_patched(3, 19, true, &why), -EBADMSG); /* total < header */
	assert_int_equal(why, NR_WIRE_BAD_LENGTH);
	assert_int_equal(decode_patched(3, 35, true, &why), -EBADMSG); /* total > buffer */
	assert_int_equal(why, NR_WIRE_TRUNCATED);
	assert_int_equal(decode_patched(8, 0x3f, false, &why), -EBADMSG); /* ttl changed */
	assert_int_equal(why, NR_WIRE_BAD_CHECKSUM);
	assert_int_equal(decode_patched(11, 0x3d, false, &why), -EBADMSG); /* checksum itself */
	assert_int_equal(why, NR_WIRE_BAD_CHECKSUM);
	{
		uint8_t p[sizeof(echo)];
		struct nr_ipv4 h;

		memcpy(p, echo, sizeof(p));
		p[6] = 0x1f; /* offset 8191: 8191 * 8 + 14 bytes goes past 65535 */
		p[7] = 0xff;
		p[10] = p[11] = 0;
		nr_store_be16(p + 10, nr_csum(p, 20));
		assert_int_equal(nr_ipv4_decode(p, sizeof(p), &h, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_BAD_FRAGMENT);
		/* The largest offset that still fits: (65535 - 14) / 8 = 8190. */
		p[6] = 0x5f; /* DF + offset 0x1ffe */
		p[7] = 0xfe;
		p[10] = p[11] = 0;
		nr_store_be16(p + 10, nr_csum(p, 20));
		assert_int_equal(nr_ipv4_decode(p, sizeof(p), &h, NULL), 0);
		assert_int_equal(h.frag_off, 8190);
		assert_true(h.df);
		/* Reserved flag and MF decode as seen. */
		p[6] = 0xa0;
		p[7] = 0x01;
		p[10] = p[11] = 0;
		nr_store_be16(p + 10, nr_csum(p, 20));
		assert_int_equal(nr_ipv4_decode(p, sizeof(p), &h, NULL), 0);
		assert_true(h.reserved_flag);
		assert_true(h.mf);
		assert_false(h.df);
		assert_int_equal(h.frag_off, 1);
	}
}

static void test_encode(void **state)
{
	uint8_t out[64];
	struct nr_ipv4 h;

	(void)state;
	assert_int_equal(nr_ipv4_decode(with_opts, sizeof(with_opts), &h, NULL), 0);
	assert_int_equal(nr_ipv4_encoded_len(&h), sizeof(with_opts));
	assert_int_equal(nr_ipv4_encode(&h, out, sizeof(out)), (int)sizeof(with_opts));
	assert_memory_equal(out, with_opts, sizeof(with_opts));
	for (size_t cap = 0; cap < sizeof(with_opts); cap++) {
		memset(out, 0xee, sizeof(out));
		assert_int_equal(nr_ipv4_encode(&h, out, cap), -EMSGSIZE);
		for (size_t i = 0; i < sizeof(out); i++)
			assert_int_equal(out[i], 0xee);
	}
	/* From scratch: the echo fixture, checksum computed. */
	memset(&h, 0, sizeof(h));
	h.id = 0x1234;
	h.df = true;
	h.ttl = 64;
	h.proto = NR_IPPROTO_ICMP;
	nr_addr_set_v4(&h.src, 0xc6336401);
	nr_addr_set_v4(&h.dst, 0xc6336402);
	h.payload = echo + 20;
	h.payload_len = 14;
	assert_int_equal(nr_ipv4_encode(&h, out, sizeof(out)), 34);
	assert_memory_equal(out, echo, sizeof(echo));
	/* Invalid structs. */
	h.opts_len = 3;
	h.opts = with_opts + 20;
	assert_int_equal(nr_ipv4_encode(&h, out, sizeof(out)), -EINVAL);
	h.opts_len = 44;
	assert_int_equal(nr_ipv4_encode(&h, out, sizeof(out)), -EINVAL);
	h.opts_len = 0;
	h.frag_off = 8192;
	assert_int_equal(nr_ipv4_encode(&h, out, sizeof(out)), -EINVAL);
	h.frag_off = 0;
	h.dst.family = AF_INET6;
	assert_int_equal(nr_ipv4_encode(&h, out, sizeof(out)), -EINVAL);
	h.dst.family = AF_INET;
	h.payload_len = 65535 - 19;
	assert_int_equal(nr_ipv4_encode(&h, out, sizeof(out)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_echo), cmocka_unit_test(test_decode_options),
		cmocka_unit_test(test_truncated),   cmocka_unit_test(test_bad),
		cmocka_unit_test(test_encode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
