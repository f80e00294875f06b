/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPv4: decode; re-encode; decode again; compare. Input byte 0 is a flag:
 * bit 0 set = fix the header checksum first, so mutations reach past it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netrig/buf.h"
#include "netrig/csum.h"
#include "netrig/ipv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 0x0000 and 0xffff are the same ones' complement sum: both verify. */
static int csum_same(uint16_t x, uint16_t y)
{
	return x == y || (x == 0 && y == 0xffff) || (x == 0xffff && y == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t in[65536], out[65536];
	struct nr_ipv4 a, b;
	size_t len;
	int n;

	if (size < 1 || size - 1 > sizeof(in))
		return 0;
	len = size - 1;
	memcpy(in, data + 1, len);
	if ((data[0] & 1) && len >= 12) {
		size_t hlen = (size_t)(in[0] & 0x0f) * 4;

		if (hlen <= len) {
			in[10] = in[11] = 0;
			nr_store_be16(in + 10, nr_csum(in, hlen));
		}
	}
	if (nr_ipv4_decode(in, len, &a, NULL) < 0)
		return 0;
	n = nr_ipv4_encode(&a, out, sizeof(out));
	if (n < 0 || (size_t)n != nr_ipv4_encoded_len(&a) || n != a.total_len)
		abort();
	if (nr_ipv4_encode(&a, out, (size_t)n - 1) != -EMSGSIZE)
		abort();
	if (nr_ipv4_decode(out, (size_t)n, &b, NULL) < 0)
		abort();
	if (a.ihl != b.ihl || a.tos != b.tos || a.total_len != b.total_len || a.id != b.id ||
	    a.reserved_flag != b.reserved_flag || a.df != b.df || a.mf != b.mf ||
	    a.frag_off != b.frag_off || a.ttl != b.ttl || a.proto != b.proto ||
	    !csum_same(a.checksum, b.checksum) || !nr_addr_eq(&a.src, &b.src) ||
	    !nr_addr_eq(&a.dst, &b.dst) || a.opts_len != b.opts_len ||
	    (a.opts_len && memcmp(a.opts, b.opts, a.opts_len)) ||
	    a.payload_len != b.payload_len ||
	    (a.payload_len && memcmp(a.payload, b.payload, a.payload_len)))
		abort();
	if (memcmp(out, in, 10) || memcmp(out + 12, in + 12, (size_t)n - 12) ||
	    !csum_same(nr_load_be16(out + 10), nr_load_be16(in + 10)))
		abort();
	return 0;
}
