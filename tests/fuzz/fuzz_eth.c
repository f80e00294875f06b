/* SPDX-License-Identifier: BSD-2-Clause */
/* Ethernet: decode; re-encode; decode again; the two must agree field by field. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netrig/eth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[65536 + 64];
	struct nr_eth a, b;
	int n;

	if (nr_eth_decode(data, size, &a, NULL) < 0)
		return 0;
	if (nr_eth_encoded_len(&a) != size)
		abort();
	n = nr_eth_encode(&a, out, sizeof(out));
	if (n < 0 || (size_t)n != size)
		abort();
	/* One byte short must fail without writing: the last byte stays. */
	if (size > 0) {
		out[size - 1] ^= 0x5a;
		if (nr_eth_encode(&a, out, size - 1) != -EMSGSIZE)
			abort();
		out[size - 1] ^= 0x5a;
	}
	if (nr_eth_decode(out, (size_t)n, &b, NULL) < 0)
		abort();
	if (memcmp(a.dst, b.dst, 6) || memcmp(a.src, b.src, 6) || a.has_vlan != b.has_vlan ||
	    a.pcp != b.pcp || a.dei != b.dei || a.vid != b.vid || a.ethertype != b.ethertype ||
	    a.payload_off != b.payload_off || a.payload_len != b.payload_len ||
	    (a.payload_len && memcmp(a.payload, b.payload, a.payload_len)))
		abort();
	/* Encoding is the identity on a decodable frame. */
	if (memcmp(out, data, size))
		abort();
	return 0;
}
