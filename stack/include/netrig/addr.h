/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Address values: IPv4 and IPv6 addresses, prefixes and link-layer
 * addresses, with their text forms. Values are plain structs passed by
 * pointer; nothing here allocates.
 *
 * An nr_addr keeps its bytes in network order: IPv4 in bytes[0..3], the
 * rest zero. family is AF_INET, AF_INET6 or AF_UNSPEC (no address).
 */
#ifndef NETRIG_ADDR_H
#define NETRIG_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#define NR_ADDR_STRLEN 46   /* INET6_ADDRSTRLEN */
#define NR_PREFIX_STRLEN 50 /* address, '/', 3 digits, NUL */
#define NR_LLADDR_MAX 32    /* IPoIB uses 20; leave room */
#define NR_LLADDR_STRLEN (NR_LLADDR_MAX * 3)
#define NR_IFNAMSIZ 16      /* IFNAMSIZ, including the NUL */

struct nr_addr {
	uint8_t family;
	uint8_t bytes[16];
};

struct nr_prefix {
	struct nr_addr addr;
	uint8_t len; /* prefix length in bits */
};

struct nr_lladdr {
	uint8_t len;
	uint8_t bytes[NR_LLADDR_MAX];
};

/* 32 for AF_INET, 128 for AF_INET6, 0 otherwise. */
unsigned nr_addr_bits(int family);

/* Inline: the packet and route paths set and compare addresses per frame. */
static inline void nr_addr_set_v4(struct nr_addr *a, uint32_t host_order)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->bytes[0] = (uint8_t)(host_order >> 24);
	a->bytes[1] = (uint8_t)(host_order >> 16);
	a->bytes[2] = (uint8_t)(host_order >> 8);
	a->bytes[3] = (uint8_t)host_order;
}

/* Host order. */
static inline uint32_t nr_addr_v4(const struct nr_addr *a)
{
	return (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 |
	       (uint32_t)a->bytes[2] << 8 | a->bytes[3];
}

void nr_addr_set_v6(struct nr_addr *a, const uint8_t bytes[16]);

/* Family and all 16 bytes, as two word compares (not a memcmp call). */
static inline bool nr_addr_eq(const struct nr_addr *a, const struct nr_addr *b)
{
	uint64_t a0, a1, b0, b1;

	memcpy(&a0, a->bytes, 8);
	memcpy(&a1, a->bytes + 8, 8);
	memcpy(&b0, b->bytes, 8);
	memcpy(&b1, b->bytes + 8, 8);
	return a->family == b->family && ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

bool nr_addr_is_unspec(const struct nr_addr *a); /* AF_UNSPEC, 0.0.0.0 or :: */
int nr_addr_cmp(const struct nr_addr *a, const struct nr_addr *b);

/* Bit i (0 = most significant) of the address. */
unsigned nr_addr_bit(const struct nr_addr *a, unsigned i);
/* Number of leading bits a and b share (same family required). */
unsigned nr_addr_common_bits(const struct nr_addr *a, const struct nr_addr *b);
/* Clear every bit past len. */
void nr_addr_mask(struct nr_addr *a, unsigned len);

/*
 * Parse a numeric address: dotted quad or RFC 4291 text (no zone).
 * family: AF_UNSPEC to accept both. Returns 0 or -EINVAL.
 */
int nr_addr_parse(const char *s, int family, struct nr_addr *ret);

/*
 * Parse an address that may carry a zone ("fe80::1%eth0"). The zone text
 * is copied to zone (empty when absent). -EINVAL on bad syntax,
 * -ENAMETOOLONG when the zone does not fit.
 */
int nr_addr_parse_scoped(const char *s, int family, struct nr_addr *ret, char *zone,
			 size_t zone_cap);

/* Text form: dotted quad, or RFC 5952 for IPv6. Returns buf. */
char *nr_addr_format(const struct nr_addr *a, char *buf, size_t cap);

/*
 * "ADDR/LEN" or a bare address (a host prefix). With mask_host_bits the
 * bits past LEN are cleared; without, they are an error (-EINVAL) unless
 * allow_host_bits is set, as for interface addresses ("198.51.100.1/24").
 */
#define NR_PREFIX_PARSE_MASK 1u       /* clear host bits */
#define NR_PREFIX_PARSE_HOST_BITS 2u  /* keep host bits (interface address) */
int nr_prefix_parse(const char *s, int family, unsigned flags, struct nr_prefix *ret);
char *nr_prefix_format(const struct nr_prefix *p, char *buf, size_t cap);

bool nr_prefix_contains(const struct nr_prefix *p, const struct nr_addr *a);
bool nr_prefix_eq(const struct nr_prefix *a, const struct nr_prefix *b);

/* "aa:bb:cc:dd:ee:ff", any length from 1 to NR_LLADDR_MAX bytes. */
int nr_lladdr_parse(const char *s, struct nr_lladdr *ret);
char *nr_lladdr_format(const struct nr_lladdr *l, char *buf, size_t cap);
bool nr_lladdr_eq(const struct nr_lladdr *a, const struct nr_lladdr *b);

#endif
