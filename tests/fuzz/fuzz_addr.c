/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Address text: whatever parses must format, parse again to the same value,
 * and format to the same text (addresses, scoped addresses, prefixes,
 * link-layer addresses). Input byte 0 picks the family and prefix flags.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netrig/addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int families[] = {AF_UNSPEC, AF_INET, AF_INET6, AF_UNSPEC};

static void addr_roundtrip(const char *s, int family)
{
	char t1[NR_ADDR_STRLEN], t2[NR_ADDR_STRLEN];
	struct nr_addr a, b;

	if (nr_addr_parse(s, family, &a) < 0)
		return;
	if (family != AF_UNSPEC && a.family != family)
		abort();
	nr_addr_format(&a, t1, sizeof(t1));
	if (nr_addr_parse(t1, a.family, &b) < 0 || !nr_addr_eq(&a, &b))
		abort();
	nr_addr_format(&b, t2, sizeof(t2));
	if (strcmp(t1, t2) != 0)
		abort();
}

static void scoped_roundtrip(const char *s, int family)
{
	char zone[NR_IFNAMSIZ], t[NR_ADDR_STRLEN + NR_IFNAMSIZ + 1];
	char zone2[NR_IFNAMSIZ];
	struct nr_addr a, b;

	if (nr_addr_parse_scoped(s, family, &a, zone, sizeof(zone)) < 0)
		return;
	if (strlen(zone) >= sizeof(zone))
		abort();
	nr_addr_format(&a, t, NR_ADDR_STRLEN);
	if (zone[0]) {
		size_t l = strlen(t);

		t[l] = '%';
		memcpy(t + l + 1, zone, strlen(zone) + 1);
	}
	if (nr_addr_parse_scoped(t, a.family, &b, zone2, sizeof(zone2)) < 0 ||
	    !nr_addr_eq(&a, &b) || strcmp(zone, zone2) != 0)
		abort();
}

static void prefix_roundtrip(const char *s, int family, unsigned flags)
{
	char t1[NR_PREFIX_STRLEN], t2[NR_PREFIX_STRLEN];
	struct nr_prefix p, q;

	if (nr_prefix_parse(s, family, flags, &p) < 0)
		return;
	if (p.len > nr_addr_bits(p.addr.family))
		abort();
	nr_prefix_format(&p, t1, sizeof(t1));
	if (nr_prefix_parse(t1, p.addr.family, NR_PREFIX_PARSE_HOST_BITS, &q) < 0 ||
	    !nr_prefix_eq(&p, &q))
		abort();
	nr_prefix_format(&q, t2, sizeof(t2));
	if (strcmp(t1, t2) != 0)
		abort();
}

static void lladdr_roundtrip(const char *s)
{
	char t1[NR_LLADDR_STRLEN], t2[NR_LLADDR_STRLEN];
	struct nr_lladdr a, b;

	if (nr_lladdr_parse(s, &a) < 0)
		return;
	if (a.len == 0 || a.len > NR_LLADDR_MAX)
		abort();
	nr_lladdr_format(&a, t1, sizeof(t1));
	if (nr_lladdr_parse(t1, &b) < 0 || !nr_lladdr_eq(&a, &b))
		abort();
	nr_lladdr_format(&b, t2, sizeof(t2));
	if (strcmp(t1, t2) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[256];
	int family;
	unsigned flags;

	if (size < 1 || size - 1 >= sizeof(s))
		return 0;
	family = families[data[0] & 3];
	flags = (data[0] >> 2) & 3;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	addr_roundtrip(s, family);
	scoped_roundtrip(s, family);
	prefix_roundtrip(s, family, flags);
	lladdr_roundtrip(s);
	return 0;
}
