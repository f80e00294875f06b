/* SPDX-License-Identifier: BSD-2-Clause */
/* Internet checksum (RFC 1071). */
#include "netrig/csum.h"

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
	 * 64 bits hold 2^48 words before carrying out: no packet comes close,
	 * and nr_csum_fold folds the carries.
	 */
	for (; len - i >= 2; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < len) {
		sum += (uint32_t)p[i] << 8;
		i++;
	}
	c->sum = sum;
	c->odd = c->odd != (len % 2 == 1);
}

void nr_csum_add_be16(struct nr_csum *c, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	nr_csum_add(c, b, sizeof(b));
}

void nr_csum_add_be32(struct nr_csum *c, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	nr_csum_add(c, b, sizeof(b));
}

void nr_csum_add_pseudo4(struct nr_csum *c, const struct nr_addr *src,
			 const struct nr_addr *dst, uint8_t proto, uint16_t len)
{
	nr_csum_add(c, src->bytes, 4);
	nr_csum_add(c, dst->bytes, 4);
	nr_csum_add_be16(c, proto);
	nr_csum_add_be16(c, len);
}

void nr_csum_add_pseudo6(struct nr_csum *c, const struct nr_addr *src,
			 const struct nr_addr *dst, uint32_t len, uint8_t next_header)
{
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
