/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPv6 header (RFC 8200) and the walk over its extension headers.
 *
 * Decoding checks, each with its reason (all -EBADMSG):
 *   NR_WIRE_TRUNCATED     shorter than 40 bytes or than payload length says,
 *                         or an extension header runs past the payload
 *   NR_WIRE_BAD_VERSION   version not 6
 *   NR_WIRE_BAD_LENGTH    AH shorter than its 12 fixed bytes
 *   NR_WIRE_HBH_NOT_FIRST hop-by-hop options anywhere but first
 *   NR_WIRE_TOO_MANY_EXT  more than NR_IPV6_EXT_MAX extension headers
 *   NR_WIRE_BAD_FRAGMENT  fragment offset * 8 + fragment data past 65535
 * The walk follows hop-by-hop (0), routing (43), fragment (44), AH (51) and
 * destination options (60); anything else is the upper layer (59, no next
 * header, included). In a non-first fragment (offset > 0) the walk stops
 * after the fragment header: what follows is not a header. Jumbograms
 * (payload length 0 with a jumbo option) are not supported: their payload
 * decodes as empty. Bytes after payload length (padding) are ignored.
 */
#ifndef NETRIG_IPV6_H
#define NETRIG_IPV6_H

#include "netrig/addr.h"
#include "netrig/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NR_IPV6_HLEN 40
#define NR_IPV6_EXT_MAX 8
#define NR_IPV6_MIN_MTU 1280

#define NR_IPPROTO_HOPOPTS 0
#define NR_IPPROTO_ROUTING 43
#define NR_IPPROTO_FRAGMENT 44
#define NR_IPPROTO_ESP 50
#define NR_IPPROTO_AH 51
#define NR_IPPROTO_ICMPV6 58
#define NR_IPPROTO_NONE 59
#define NR_IPPROTO_DSTOPTS 60

struct nr_ipv6_ext {
	uint8_t type;   /* the protocol number that named this header */
	uint16_t off;   /* from the start of the IPv6 header */
	uint16_t len;   /* bytes, whole header */
};

struct nr_ipv6 {
	uint8_t tclass;
	uint32_t flow;        /* 20 bits */
	uint8_t next_header;  /* of the fixed header */
	uint8_t hop_limit;
	struct nr_addr src;   /* AF_INET6 */
	struct nr_addr dst;
	/* Everything after the fixed header (extension headers included):
	 * what encode writes after the header. */
	const uint8_t *payload;
	size_t payload_len;

	/* Filled by decode from the extension-header walk; encode ignores them. */
	uint8_t n_ext;
	struct nr_ipv6_ext ext[NR_IPV6_EXT_MAX];
	uint8_t upper_proto;  /* the first header the walk does not follow */
	size_t upper_off;     /* from the start of the IPv6 header */
	const uint8_t *upper; /* NULL when upper_len is 0 */
	size_t upper_len;
	bool is_fragment;     /* a fragment header was seen */
	uint16_t frag_off;    /* 8-byte units */
	bool frag_more;
	uint32_t frag_id;
};

int nr_ipv6_decode(const uint8_t *data, size_t len, struct nr_ipv6 *ret,
		   enum nr_wire_reason *why);

size_t nr_ipv6_encoded_len(const struct nr_ipv6 *h); /* 40 + payload_len */
/*
 * Fixed header then payload (moved, so it may already be at buf + 40).
 * Returns the length written; -EINVAL for src/dst not AF_INET6, flow over
 * 20 bits or payload over 65535; -EMSGSIZE when over cap (nothing written).
 */
int nr_ipv6_encode(const struct nr_ipv6 *h, uint8_t *buf, size_t cap);

#endif
