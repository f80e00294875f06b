/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ICMP for IPv4 (RFC 792): the common header with its checksum, echo
 * identifiers, and the IPv4 datagram quoted by error messages.
 *
 * Decoding checks (all -EBADMSG):
 *   NR_WIRE_TRUNCATED     shorter than the 8-byte header
 *   NR_WIRE_BAD_CHECKSUM  checksum over the message does not verify
 *   NR_WIRE_BAD_CODE      code out of range for destination unreachable
 *                         (0..15), redirect (0..3), time exceeded (0..1)
 *                         or parameter problem (0..2)
 * Other types decode as they are, with the 4 bytes after the checksum in
 * rest.
 */
#ifndef NETRIG_ICMP4_H
#define NETRIG_ICMP4_H

#include "netrig/addr.h"
#include "netrig/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NR_ICMP4_HLEN 8
/* RFC 1812 4.3.2.3: an error fits in 576 bytes of IP: 576 - 20 - 8. */
#define NR_ICMP4_QUOTE_MAX 548

enum {
	NR_ICMP4_ECHO_REPLY = 0,
	NR_ICMP4_DEST_UNREACH = 3,
	NR_ICMP4_SOURCE_QUENCH = 4,
	NR_ICMP4_REDIRECT = 5,
	NR_ICMP4_ECHO_REQUEST = 8,
	NR_ICMP4_TIME_EXCEEDED = 11,
	NR_ICMP4_PARAM_PROBLEM = 12,
	NR_ICMP4_TIMESTAMP = 13,
	NR_ICMP4_TIMESTAMP_REPLY = 14,
};

/* Destination unreachable codes used by responders. */
enum {
	NR_ICMP4_NET_UNREACH = 0,
	NR_ICMP4_HOST_UNREACH = 1,
	NR_ICMP4_PROTO_UNREACH = 2,
	NR_ICMP4_PORT_UNREACH = 3,
	NR_ICMP4_FRAG_NEEDED = 4,
};

struct nr_icmp4 {
	uint8_t type;
	uint8_t code;
	uint16_t checksum; /* as received; encode computes it */
	/* The 4 bytes after the checksum. For echo, echo reply, timestamp and
	 * timestamp reply they are id and seq below: decode fills both, encode
	 * uses id and seq and ignores rest. Otherwise encode writes rest
	 * (next-hop MTU for "fragmentation needed", pointer << 24 for parameter
	 * problem, gateway for redirect). */
	uint32_t rest;
	uint16_t id;
	uint16_t seq;
	const uint8_t *data; /* echo payload, or the quoted datagram of an error */
	size_t data_len;
};

/* Types whose rest is id and seq. */
bool nr_icmp4_has_id(uint8_t type);
/* Error types that quote a datagram: 3, 4, 5, 11, 12. */
bool nr_icmp4_is_error(uint8_t type);

int nr_icmp4_decode(const uint8_t *data, size_t len, struct nr_icmp4 *ret,
		    enum nr_wire_reason *why);
size_t nr_icmp4_encoded_len(const struct nr_icmp4 *m);
/* Header (checksum computed) then data (moved: it may be in place at buf + 8). */
int nr_icmp4_encode(const struct nr_icmp4 *m, uint8_t *buf, size_t cap);

/*
 * An error message quoting the datagram orig (IPv4 header first), cut to
 * NR_ICMP4_QUOTE_MAX. data points into orig.
 */
void nr_icmp4_error_init(struct nr_icmp4 *m, uint8_t type, uint8_t code, uint32_t rest,
			 const uint8_t *orig, size_t orig_len);

/* What an error message says about the datagram it quotes. */
struct nr_icmp4_quote {
	uint8_t proto;
	struct nr_addr src;
	struct nr_addr dst;
	uint16_t id;              /* IPv4 identification */
	const uint8_t *transport; /* the first bytes of the quoted transport header */
	size_t transport_len;     /* at least 8 */
};

/*
 * Decode the quote of an error message: -EPROTONOSUPPORT (NR_WIRE_BAD_TYPE)
 * when m is not an error; NR_WIRE_TRUNCATED (-EBADMSG) when the quote does
 * not hold an IPv4 header plus 8 bytes (RFC 792; Linux icmp_unreach needs
 * as much); NR_WIRE_BAD_VERSION / NR_WIRE_BAD_LENGTH for a quoted header
 * that is not IPv4 or has IHL < 5. The quoted checksum and total length
 * are not checked: routers may have changed or cut them.
 */
int nr_icmp4_quote_decode(const struct nr_icmp4 *m, struct nr_icmp4_quote *ret,
			  enum nr_wire_reason *why);

#endif
