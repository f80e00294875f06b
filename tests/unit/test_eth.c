/* SPDX-License-Identifier: BSD-2-Clause */
/* Ethernet II and 802.1Q: fixtures from Scapy, truncations, 802.3, encode bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "netrig/eth.h"

/* Scapy: Ether(dst="ff:ff:ff:ff:ff:ff", src="02:00:00:00:00:01")/ARP(...) */
static const uint8_t untagged[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dst: broadcast */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* src */
	0x08, 0x06,                         /* ethertype ARP */
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, /* ARP payload, 28 bytes */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0xc0, 0x00, 0x02, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x02,
};

/* Scapy: Ether(dst="02:00:00:00:00:02", src="02:00:00:00:00:01")/
 * Dot1Q(prio=5, id=1, vlan=100)/ARP(op=2, ...) */
static const uint8_t tagged[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, /* dst */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* src */
	0x81, 0x00,                         /* TPID 802.1Q */
	0xb0, 0x64,                         /* TCI: PCP 5 (101), DEI 1, VID 100 */
	0x08, 0x06,                         /* ethertype ARP */
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, /* ARP reply, 28 bytes */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0xc0, 0x00, 0x02, 0x01,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0xc0, 0x00, 0x02, 0x02,
};

static void test_decode_untagged(void **state)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t src[6] = {0x02, 0, 0, 0, 0, 0x01};
	struct nr_eth e;

	(void)state;
	assert_int_equal(nr_eth_decode(untagged, sizeof(untagged), &e, NULL), 0);
	assert_memory_equal(e.dst, bcast, 6);
	assert_memory_equal(e.src, src, 6);
	assert_false(e.has_vlan);
	assert_int_equal(e.pcp, 0);
	assert_false(e.dei);
	assert_int_equal(e.vid, 0);
	assert_int_equal(e.ethertype, NR_ETHERTYPE_ARP);
	assert_int_equal(e.payload_off, 14);
	assert_int_equal(e.payload_len, 28);
	assert_ptr_equal(e.payload, untagged + 14);
}

static void test_decode_tagged(void **state)
{
	static const uint8_t dst[6] = {0x02, 0, 0, 0, 0, 0x02};
	struct nr_eth e;

	(void)state;
	assert_int_equal(nr_eth_decode(tagged, sizeof(tagged), &e, NULL), 0);
	assert_memory_equal(e.dst, dst, 6);
	assert_int_equal(e.src[5], 0x01);
	assert_true(e.has_vlan);
	assert_int_equal(e.pcp, 5);
	assert_true(e.dei);
	assert_int_equal(e.vid, 100);
	assert_int_equal(e.ethertype, NR_ETHERTYPE_ARP);
	assert_int_equal(e.payload_off, 18);
	assert_int_equal(e.payload_len, 28);
	assert_ptr_equal(e.payload, tagged + 18);
}

static void test_truncated(void **state)
{
	struct nr_eth e;
	enum nr_wire_reason why;

	(void)state;
	/* Every length short of the header, untagged (14) and tagged (18). */
	for (size_t n = 0; n < 14; n++) {
		why = NR_WIRE_OK;
		assert_int_equal(nr_eth_decode(untagged, n, &e, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_TRUNCATED);
	}
	for (size_t n = 0; n < 18; n++) {
		why = NR_WIRE_OK;
		assert_int_equal(nr_eth_decode(tagged, n, &e, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_TRUNCATED);
	}
	/* Exactly a header: an empty payload is fine. */
	assert_int_equal(nr_eth_decode(untagged, 14, &e, NULL), 0);
	assert_int_equal(e.payload_len, 0);
	assert_int_equal(nr_eth_decode(NULL, 0, &e, NULL), -EBADMSG);
}

static void test_8023(void **state)
{
	uint8_t f[sizeof(untagged)];
	struct nr_eth e = {0};
	enum nr_wire_reason why = NR_WIRE_OK;

	(void)state;
	memcpy(f, untagged, sizeof(f));
	f[12] = 0x05; /* 0x05dc = 1500: an 802.3 length, not a type */
	f[13] = 0xdc;
	e.ethertype = 0x1234;
	assert_int_equal(nr_eth_decode(f, sizeof(f), &e, &why), -EPROTONOSUPPORT);
	assert_int_equal(why, NR_WIRE_NOT_ETHERNET_II);
	assert_int_equal(e.ethertype, 0x1234); /* ret untouched on failure */
	/* Same inside a tag. */
	memcpy(f, tagged, 18);
	f[16] = 0x00;
	f[17] = 0x40;
	assert_int_equal(nr_eth_decode(f, 18, &e, &why), -EPROTONOSUPPORT);
	assert_int_equal(why, NR_WIRE_NOT_ETHERNET_II);
	/* 0x0600 is the first ethertype. */
	f[16] = 0x06;
	f[17] = 0x00;
	assert_int_equal(nr_eth_decode(f, 18, &e, NULL), 0);
}

static void test_encode(void **state)
{
	uint8_t out[64];
	struct nr_eth e;

	(void)state;
	assert_int_equal(nr_eth_decode(tagged, sizeof(tagged), &e, NULL), 0);
	assert_int_equal(nr_eth_encoded_len(&e), sizeof(tagged));
	assert_int_equal(nr_eth_encode(&e, out, sizeof(out)), (int)sizeof(tagged));
	assert_memory_equal(out, tagged, sizeof(tagged));
	/* Every cap short of the frame: -EMSGSIZE and not one byte written. */
	for (size_t cap = 0; cap < sizeof(tagged); cap++) {
		memset(out, 0xee, sizeof(out));
		assert_int_equal(nr_eth_encode(&e, out, cap), -EMSGSIZE);
		for (size_t i = 0; i < sizeof(out); i++)
			assert_int_equal(out[i], 0xee);
	}
	/* Drop the tag: the untagged form of the same payload. */
	e.has_vlan = false;
	assert_int_equal(nr_eth_encode(&e, out, sizeof(out)), 42);
	assert_int_equal(out[12], 0x08);
	assert_int_equal(out[13], 0x06);
	assert_memory_equal(out + 14, tagged + 18, 28);
	/* Bad values. */
	e.has_vlan = true;
	e.vid = 4096;
	assert_int_equal(nr_eth_encode(&e, out, sizeof(out)), -EINVAL);
	e.vid = 1;
	e.pcp = 8;
	assert_int_equal(nr_eth_encode(&e, out, sizeof(out)), -EINVAL);
	e.pcp = 0;
	e.ethertype = 0x05ff;
	assert_int_equal(nr_eth_encode(&e, out, sizeof(out)), -EINVAL);
}

static void test_encode_in_place(void **state)
{
	/* The payload is already where it goes: encode writes the header around it. */
	uint8_t buf[14 + 4] = {[14] = 0xde, 0xad, 0xbe, 0xef};
	struct nr_eth e = {
		.dst = {0x02, 0, 0, 0, 0, 0x02},
		.src = {0x02, 0, 0, 0, 0, 0x01},
		.ethertype = NR_ETHERTYPE_IPV4,
		.payload = buf + 14,
		.payload_len = 4,
	};
	struct nr_eth d;

	(void)state;
	assert_int_equal(nr_eth_encode(&e, buf, sizeof(buf)), 18);
	assert_int_equal(nr_eth_decode(buf, sizeof(buf), &d, NULL), 0);
	assert_int_equal(d.ethertype, NR_ETHERTYPE_IPV4);
	assert_int_equal(d.payload[0], 0xde);
	assert_int_equal(d.payload[3], 0xef);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_untagged), cmocka_unit_test(test_decode_tagged),
		cmocka_unit_test(test_truncated),       cmocka_unit_test(test_8023),
		cmocka_unit_test(test_encode),          cmocka_unit_test(test_encode_in_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
