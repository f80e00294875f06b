/* SPDX-License-Identifier: BSD-2-Clause */
/* Internet checksum (RFC 1071). */
#include "netrig/csum.h"

#include <string.h>

/* Native 64-bit load of wire bytes, as a big-endian value. */
static inline uint64_t load_be64(uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
}

void nr_csum_init(struct nr_csum *c)
{
	c->sum = 0;
	c->odd = false;
}

void nr_csum_add(struct nr_csum *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t sum = c->sum;
	size_t i = 0;

	if (!len)
		return;
	/* A piece that starts at an odd offset begins with a low byte. */
	if (c->odd) {
		sum += p[0];
		i = 1;
	}
	/*
	 * Eight bytes at a time, read big-endian: the two 32-bit halves each
	 * stand for two 16-bit words, and folding a 32-bit value into 16 bits
	 * with end-around carry adds those words (RFC 1071 2(B)). Each step
	 * adds less than 2^33, so the 64-bit sum cannot overflow for any
	 * packet; nr_csum_fold folds the carries.
	 */
	for (; len - i >= 8; i += 8) {
		uint64_t v;

		memcpy(&v, p + i, sizeof(v));
		v = load_be64(v);
		sum += (v >> 32) + (v & 0xffffffffu);
	}
	for (; len - i >= 2; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < len) {
		sum += (uint32_t)p[i] << 8;
		i++;
	}
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
		uint64_t s = (uint64_t)len + next_header;

		for (int i = 0; i < 16; i += 4)
			s += (uint64_t)word32(src->bytes + i) + word32(dst->bytes + i);
		c->sum += s;
		return;
	}
	nr_csum_add(c, src->bytes, 16);
	nr_csum_add(c, dst->bytes, 16);
	nr_csum_add_be32(c, len);
	nr_csum_add_be32(c, next_header);
}

uint16_t nr_csum_fold(const struct nr_csum *c)
{
	uint64_t s = c->sum;

	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

uint16_t nr_csum_final(const struct nr_csum *c)
{
	return (uint16_t)~nr_csum_fold(c);
}

bool nr_csum_verify(const struct nr_csum *c)
{
	return nr_csum_fold(c) == 0xffff;
}

uint16_t nr_csum(const void *data, size_t len)
{
	struct nr_csum c;

	nr_csum_init(&c);
	nr_csum_add(&c, data, len);
	return nr_csum_final(&c);
}
