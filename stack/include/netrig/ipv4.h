/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPv4 header (RFC 791).
 *
 * Decoding checks, in the kernel's order (ip_rcv_core), each with its
 * reason (all -EBADMSG):
 *   NR_WIRE_TRUNCATED     shorter than 20 bytes, than IHL says, or than
 *                         total length says
 *   NR_WIRE_BAD_VERSION   version not 4
 *   NR_WIRE_BAD_LENGTH    IHL below 5, or total length below IHL * 4
 *   NR_WIRE_BAD_CHECKSUM  header checksum does not verify
 *   NR_WIRE_BAD_FRAGMENT  fragment offset * 8 + payload past 65535
 * Options (IHL > 5) are not interpreted: they are exposed as a view bounded
 * by IHL. Bytes past total length (Ethernet padding) are ignored.
 */
#ifndef NETRIG_IPV4_H
#define NETRIG_IPV4_H

#include "netrig/addr.h"
#include "netrig/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NR_IPV4_HLEN 20
#define NR_IPV4_OPTS_MAX 40
#define NR_IPV4_MAX_LEN 65535

#define NR_IPPROTO_ICMP 1
#define NR_IPPROTO_TCP 6
#define NR_IPPROTO_UDP 17

struct nr_ipv4 {
	uint8_t ihl;        /* as received, 32-bit words; encode derives it */
	uint8_t tos;        /* DSCP << 2 | ECN */
	uint16_t total_len; /* as received; encode derives it */
	uint16_t id;
	bool reserved_flag; /* RFC 791 says zero; kept as seen */
	bool df;
	bool mf;
	uint16_t frag_off;  /* in 8-byte units, 0..8191 */
	uint8_t ttl;
	uint8_t proto;
	uint16_t checksum;  /* as received; encode computes it */
	struct nr_addr src; /* AF_INET */
	struct nr_addr dst;
	const uint8_t *opts; /* IHL * 4 - 20 bytes, a multiple of 4, <= 40 */
	size_t opts_len;
	const uint8_t *payload; /* total length - IHL * 4 bytes */
	size_t payload_len;
};

int nr_ipv4_decode(const uint8_t *data, size_t len, struct nr_ipv4 *ret,
		   enum nr_wire_reason *why);
/* The options as a cursor (empty when none). */
void nr_ipv4_options(const struct nr_ipv4 *h, struct nr_buf *ret);

size_t nr_ipv4_header_len(const struct nr_ipv4 *h); /* 20 + opts_len */
size_t nr_ipv4_encoded_len(const struct nr_ipv4 *h); /* header + payload */
/*
 * Header (checksum computed) then payload; the payload may already sit at
 * buf + header_len (it is moved, not copied, so that works). Returns the
 * length written; -EINVAL for src/dst not AF_INET, opts_len not a multiple
 * of 4 or over 40, frag_off over 8191, or a total over 65535; -EMSGSIZE
 * when over cap (nothing written).
 */
int nr_ipv4_encode(const struct nr_ipv4 *h, uint8_t *buf, size_t cap);
/*
 * The header checksum field for the hlen bytes (20..60, a multiple of 4)
 * at hdr, whose checksum field is zero: for a responder that writes a
 * fixed header in place on its fast path.
 */
uint16_t nr_ipv4_header_checksum(const uint8_t *hdr, size_t hlen);

#endif
