/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ICMPv6 (RFC 4443): the common header, its checksum over the IPv6
 * pseudo-header, echo, and the packet quoted by error messages. Neighbour
 * discovery messages are decoded further by netrig/ndp.h.
 *
 * Decoding checks (all -EBADMSG):
 *   NR_WIRE_TRUNCATED     shorter than 8 bytes (every message has them)
 *   NR_WIRE_BAD_CHECKSUM  checksum over pseudo-header and message fails
 * Codes are not checked here: RFC 4443 has receivers accept codes they do
 * not know.
 */
#ifndef NETRIG_ICMP6_H
#define NETRIG_ICMP6_H

#include "netrig/addr.h"
#include "netrig/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NR_ICMP6_HLEN 8
/* RFC 4443 2.4 (c): the error must not exceed the minimum MTU: 1280 - 40 - 8. */
#define NR_ICMP6_QUOTE_MAX 1232

enum {
	NR_ICMP6_DEST_UNREACH = 1,
	NR_ICMP6_PACKET_TOO_BIG = 2,
	NR_ICMP6_TIME_EXCEEDED = 3,
	NR_ICMP6_PARAM_PROBLEM = 4,
	NR_ICMP6_ECHO_REQUEST = 128,
	NR_ICMP6_ECHO_REPLY = 129,
	NR_ICMP6_ROUTER_SOLICIT = 133,
	NR_ICMP6_ROUTER_ADVERT = 134,
	NR_ICMP6_NEIGHBOR_SOLICIT = 135,
	NR_ICMP6_NEIGHBOR_ADVERT = 136,
	NR_ICMP6_REDIRECT = 137,
};

struct nr_icmp6 {
	uint8_t type;
	uint8_t code;
	uint16_t checksum; /* as received; encode computes it */
	/* The 4 bytes after the checksum (MTU for packet too big, pointer for
	 * parameter problem). For echo request and reply they are id and seq:
	 * decode fills both, encode uses id and seq and ignores rest. */
	uint32_t rest;
	uint16_t id;
	uint16_t seq;
	const uint8_t *data; /* after the first 8 bytes */
	size_t data_len;
};

bool nr_icmp6_is_error(uint8_t type); /* types 0..127 (RFC 4443 2.1) */

/* src and dst (AF_INET6) are the IPv6 header's, for the pseudo-header. */
int nr_icmp6_decode(const uint8_t *data, size_t len, const struct nr_addr *src,
		    const struct nr_addr *dst, struct nr_icmp6 *ret, enum nr_wire_reason *why);
size_t nr_icmp6_encoded_len(const struct nr_icmp6 *m);
/*
 * Header (checksum over the pseudo-header computed) then data (moved: it
 * may be in place at buf + 8). Returns the length written; -EINVAL for
 * src/dst not AF_INET6; -EMSGSIZE when over cap (nothing written).
 */
int nr_icmp6_encode(const struct nr_icmp6 *m, const struct nr_addr *src,
		    const struct nr_addr *dst, uint8_t *buf, size_t cap);

/* An error quoting the packet orig (IPv6 header first), cut to NR_ICMP6_QUOTE_MAX. */
void nr_icmp6_error_init(struct nr_icmp6 *m, uint8_t type, uint8_t code, uint32_t rest,
			 const uint8_t *orig, size_t orig_len);

struct nr_icmp6_quote {
	uint8_t next_header; /* of the quoted fixed header */
	struct nr_addr src;
	struct nr_addr dst;
	const uint8_t *payload; /* what follows the quoted fixed header */
	size_t payload_len;
};

/*
 * The quoted packet of an error: NR_WIRE_BAD_TYPE (-EPROTONOSUPPORT) when
 * m is not an error; NR_WIRE_TRUNCATED when the quote is shorter than an
 * IPv6 header; NR_WIRE_BAD_VERSION when it is not IPv6. The quoted payload
 * length is not checked: the quote is cut.
 */
int nr_icmp6_quote_decode(const struct nr_icmp6 *m, struct nr_icmp6_quote *ret,
			  enum nr_wire_reason *why);

#endif
