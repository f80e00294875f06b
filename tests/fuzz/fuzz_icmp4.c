/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ICMPv4: decode (and the quote of errors); re-encode; decode again;
 * compare. Input byte 0 is a flag: bit 0 set = fix the checksum first.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netrig/buf.h"
#include "netrig/csum.h"
#include "netrig/icmp4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 0x0000 and 0xffff are the same ones' complement sum: both verify. */
static int csum_same(uint16_t x, uint16_t y)
{
	return x == y || (x == 0 && y == 0xffff) || (x == 0xffff && y == 0);
}

static void same_quote(const struct nr_icmp4 *a, const struct nr_icmp4 *b)
{
	struct nr_icmp4_quote qa, qb;
	int ra = nr_icmp4_quote_decode(a, &qa, NULL);
	int rb = nr_icmp4_quote_decode(b, &qb, NULL);

	if (ra != rb)
		abort();
	if (ra < 0)
		return;
	if (qa.proto != qb.proto || qa.id != qb.id || !nr_addr_eq(&qa.src, &qb.src) ||
	    !nr_addr_eq(&qa.dst, &qb.dst) || qa.transport_len != qb.transport_len ||
	    qa.transport_len < 8 || memcmp(qa.transport, qb.transport, qa.transport_len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t in[65536], out[65536];
	struct nr_icmp4 a, b;
	size_t len;
	int n;

	if (size < 1 || size - 1 > sizeof(in) - 28)
		return 0;
	len = size - 1;
	memcpy(in, data + 1, len);
	if ((data[0] & 1) && len >= 4) {
		in[2] = in[3] = 0;
		nr_store_be16(in + 2, nr_csum(in, len));
	}
	if (nr_icmp4_decode(in, len, &a, NULL) < 0)
		return 0;
	n = nr_icmp4_encode(&a, out, sizeof(out));
	if (n < 0 || (size_t)n != len || (size_t)n != nr_icmp4_encoded_len(&a))
		abort();
	if (nr_icmp4_encode(&a, out, (size_t)n - 1) != -EMSGSIZE)
		abort();
	if (nr_icmp4_decode(out, (size_t)n, &b, NULL) < 0)
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
