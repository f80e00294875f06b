/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ICMPv6: decode (and the quote of errors); re-encode; decode again;
 * compare. Input: byte 0 flags (bit 0 = fix the checksum first), 16 bytes
 * source, 16 bytes destination, then the message.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netrig/buf.h"
#include "netrig/csum.h"
#include "netrig/icmp6.h"
#include "netrig/ipv6.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 0x0000 and 0xffff are the same ones' complement sum: both verify. */
static int csum_same(uint16_t x, uint16_t y)
{
	return x == y || (x == 0 && y == 0xffff) || (x == 0xffff && y == 0);
}

static void same_quote(const struct nr_icmp6 *a, const struct nr_icmp6 *b)
{
	struct nr_icmp6_quote qa, qb;
	int ra = nr_icmp6_quote_decode(a, &qa, NULL);
	int rb = nr_icmp6_quote_decode(b, &qb, NULL);

	if (ra != rb)
		abort();
	if (ra < 0)
		return;
	if (qa.next_header != qb.next_header || !nr_addr_eq(&qa.src, &qb.src) ||
	    !nr_addr_eq(&qa.dst, &qb.dst) || qa.payload_len != qb.payload_len ||
	    (qa.payload_len && memcmp(qa.payload, qb.payload, qa.payload_len)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t in[65536], out[65536];
	struct nr_addr src, dst;
	struct nr_icmp6 a, b;
	size_t len;
	int n;

	if (size < 33 || size - 33 > sizeof(in))
		return 0;
	nr_addr_set_v6(&src, data + 1);
	nr_addr_set_v6(&dst, data + 17);
	len = size - 33;
	memcpy(in, data + 33, len);
	if ((data[0] & 1) && len >= 4) {
		struct nr_csum c;

		in[2] = in[3] = 0;
		nr_csum_init(&c);
		nr_csum_add_pseudo6(&c, &src, &dst, (uint32_t)len, NR_IPPROTO_ICMPV6);
		nr_csum_add(&c, in, len);
		nr_store_be16(in + 2, nr_csum_final(&c));
	}
	if (nr_icmp6_decode(in, len, &src, &dst, &a, NULL) < 0)
		return 0;
	n = nr_icmp6_encode(&a, &src, &dst, out, sizeof(out));
	if (n < 0 || (size_t)n != len || (size_t)n != nr_icmp6_encoded_len(&a))
		abort();
	if (nr_icmp6_encode(&a, &src, &dst, out, (size_t)n - 1) != -EMSGSIZE)
		abort();
	if (nr_icmp6_decode(out, (size_t)n, &src, &dst, &b, NULL) < 0)
		abort();
	if (a.type != b.type || a.code != b.code || !csum_same(a.checksum, b.checksum) ||
	    a.rest != b.rest || a.id != b.id || a.seq != b.seq || a.data_len != b.data_len ||
	    (a.data_len && memcmp(a.data, b.data, a.data_len)))
		abort();
	same_quote(&a, &b);
	if (memcmp(out, in, 2) || memcmp(out + 4, in + 4, len - 4) ||
	    !csum_same(nr_load_be16(out + 2), nr_load_be16(in + 2)))
		abort();
	return 0;
}
