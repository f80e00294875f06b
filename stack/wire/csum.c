/* SPDX-License-Identifier: BSD-2-Clause */
/* Internet checksum (RFC 1071). */
#include "netrig/csum.h"

#include <string.h>

/*
 * The ones' complement sum of n bytes (n even) starting on a word of the
 * checksum, folded to 16 bits, as big-endian words. The words are summed
 * as they lie in memory, 64 bits at a time with the carries counted apart
 * (2^16 is 1 modulo 0xffff, so any grouping of words sums the same), and
 * the folded result is byte-swapped on a little-endian machine: summing
 * byte-swapped words gives the byte-swapped sum (RFC 1071 2(B)). It is 0
 * only when every byte is: each fold keeps a non-zero sum non-zero.
 */
static uint16_t body_sum(const uint8_t *p, size_t n)
{
	uint64_t s = 0, carry = 0, r;
	size_t i = 0;

	for (; n - i >= 16; i += 16) {
		uint64_t a, b;

		memcpy(&a, p + i, 8);
		memcpy(&b, p + i + 8, 8);
		s += a;
		carry += s < a;
		s += b;
		carry += s < b;
	}
	r = carry;
	for (; n - i >= 4; i += 4) {
		uint32_t w;

		memcpy(&w, p + i, 4);
		r += w;
	}
	if (n - i >= 2) {
		uint16_t w;

		memcpy(&w, p + i, 2);
		r += w;
	}
	/* r < 2^36 here: the halves of s add at most 2^33 more. */
	r += (s & 0xffffffffu) + (s >> 32);
	r = (r & 0xffffffffu) + (r >> 32);
	r = (r & 0xffff) + (r >> 16);
	r = (r & 0xffff) + (r >> 16);
	r = (r & 0xffff) + (r >> 16);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap16((uint16_t)r);
#else
	return (uint16_t)r;
#endif
}

void nr_csum_add(struct nr_csum *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t sum = c->sum;
	size_t i = 0, even;

	if (!len)
		return;
	/* A piece that starts at an odd offset begins with a low byte. */
	if (c->odd) {
		sum += p[0];
		i = 1;
	}
	/* Each piece adds at most 0xffff + 0xff00: the 64-bit sum cannot overflow. */
	even = (len - i) & ~(size_t)1;
	if (even)
		sum += body_sum(p + i, even);
	i += even;
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	c->sum = sum;
	c->odd = c->odd != (len % 2 == 1);
}

/*
 * At an even offset a 16-bit word is added as it is, and a 32-bit one as
 * a whole: 2^16 is 1 in ones' complement arithmetic (modulo 0xffff), so
 * hi << 16 | lo folds to hi + lo, and it is 0 only when both are. At an
 * odd offset the bytes go through nr_csum_add.
 */
void nr_csum_add_be16(struct nr_csum *c, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	if (!c->odd) {
		c->sum += v;
		return;
	}
	nr_csum_add(c, b, sizeof(b));
}

void nr_csum_add_be32(struct nr_csum *c, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	if (!c->odd) {
		c->sum += v;
		return;
	}
	nr_csum_add(c, b, sizeof(b));
}

/* Four bytes at p, big-endian, as one addend (see above). */
static inline uint32_t word32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void nr_csum_add_pseudo4(struct nr_csum *c, const struct nr_addr *src,
			 const struct nr_addr *dst, uint8_t proto, uint16_t len)
{
	if (!c->odd) {
		c->sum += (uint64_t)word32(src->bytes) + word32(dst->bytes) + proto + len;
		return;
	}
	nr_csum_add(c, src->bytes, 4);
	nr_csum_add(c, dst->bytes, 4);
	nr_csum_add_be16(c, proto);
	nr_csum_add_be16(c, len);
}

void nr_csum_add_pseudo6(struct nr_csum *c, const struct nr_addr *src,
			 const struct nr_addr *dst, uint32_t len, uint8_t next_header)
{
	if (!c->odd) {
		/* The 32 address bytes as body_sum does; length and next header as words. */
		uint8_t a[32];

		memcpy(a, src->bytes, 16);
		memcpy(a + 16, dst->bytes, 16);
		c->sum += (uint64_t)body_sum(a, sizeof(a)) + len + next_header;
		return;
	}
	nr_csum_add(c, src->bytes, 16);
	nr_csum_add(c, dst->bytes, 16);
	nr_csum_add_be32(c, len);
	nr_csum_add_be32(c, next_header);
}

uint16_t nr_csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t even = len & ~(size_t)1;
	uint32_t s = 0;

	/* One piece from an even offset: no running state needed. */
	if (even)
		s = body_sum(p, even);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}
