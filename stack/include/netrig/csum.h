/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Internet checksum (RFC 1071), incremental: add buffers and
 * pseudo-headers in any pieces, odd lengths included, then fold.
 *
 * To fill a checksum field: zero it, sum the covered bytes (pseudo-header
 * first for ICMPv6/UDP/TCP), store nr_csum_final() big-endian.
 * To verify: sum the covered bytes with the field as received;
 * nr_csum_verify() is true when the result checks out.
 */
#ifndef NETRIG_CSUM_H
#define NETRIG_CSUM_H

#include "netrig/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nr_csum {
	uint64_t sum; /* 16-bit big-endian words, not yet folded */
	bool odd;     /* an odd number of bytes so far: the next byte is a low byte */
};

static inline void nr_csum_init(struct nr_csum *c)
{
	c->sum = 0;
	c->odd = false;
}

void nr_csum_add(struct nr_csum *c, const void *data, size_t len);
void nr_csum_add_be16(struct nr_csum *c, uint16_t v);
void nr_csum_add_be32(struct nr_csum *c, uint32_t v);
/* RFC 768/793 pseudo-header: src, dst (AF_INET), zero, protocol, length. */
void nr_csum_add_pseudo4(struct nr_csum *c, const struct nr_addr *src,
			 const struct nr_addr *dst, uint8_t proto, uint16_t len);
/* RFC 8200 section 8.1 pseudo-header: src, dst (AF_INET6), length, zeros, next header. */
void nr_csum_add_pseudo6(struct nr_csum *c, const struct nr_addr *src,
			 const struct nr_addr *dst, uint32_t len, uint8_t next_header);

/* The sum folded to 16 bits (ones' complement addition), not inverted. */
static inline uint16_t nr_csum_fold(const struct nr_csum *c)
{
	uint64_t s = c->sum;

	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The value for the checksum field: ~fold, host order. */
static inline uint16_t nr_csum_final(const struct nr_csum *c)
{
	return (uint16_t)~nr_csum_fold(c);
}

/* True when the covered bytes, checksum field included, sum to 0xffff. */
static inline bool nr_csum_verify(const struct nr_csum *c)
{
	return nr_csum_fold(c) == 0xffff;
}

/*
 * RFC 1624 eqn. 3: the checksum field once a 16-bit word of the covered
 * bytes changes from old to new_word, from the field hc of a checksum that
 * verified. It equals a recomputation, except that a recomputation over
 * bytes that are all zero gives 0xffff where this gives 0: when this
 * returns 0 and the difference matters, recompute.
 */
static inline uint16_t nr_csum_update16(uint16_t hc, uint16_t old, uint16_t new_word)
{
	/* HC' = ~(~HC + ~m + m'), ones' complement sums. */
	uint32_t s = (uint32_t)(uint16_t)~hc + (uint16_t)~old + new_word;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* One-shot: the checksum field value for len bytes at data. */
uint16_t nr_csum(const void *data, size_t len);

#endif
