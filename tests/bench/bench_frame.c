/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The stack's frame path alone, for instruction counts:
 *
 *   bench_frame v4tun|v4tap|v6tun|v6tap [COUNT] [DATA_LEN]
 *
 * feeds COUNT echo requests (default 100000, DATA_LEN bytes of data,
 * default 56 as ping's) through nr_host_input of one emulated host and
 * drains each reply, as netrig respond does with a TUN or TAP, minus the
 * I/O. Prints replies and the count; run it under
 * `valgrind --tool=callgrind` with two counts and divide the difference
 * by the difference in requests to get instructions per reply without
 * the set-up.
 */
#include "netrig/csum.h"
#include "netrig/host.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* An echo request as ping sends it; the Ethernet header first when eth. */
static size_t request(uint8_t *f, int v6, int eth, size_t dlen)
{
	static const uint8_t src4[4] = {192, 0, 2, 1}, dst4[4] = {192, 0, 2, 2};
	static const uint8_t src6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t dst6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	size_t l2 = eth ? 14 : 0, l3 = v6 ? 40 : 20;
	uint8_t *ip = f + l2, *icmp = ip + l3;
	struct nr_csum c;

	if (eth) {
		/* To the derived MAC of 192.0.2.2 / 2001:db8::2, from a peer. */
		static const uint8_t mac4[6] = {0x02, 0x00, 192, 0, 2, 2};
		static const uint8_t mac6[6] = {0x02, 0x06, 0, 0, 0, 2};

		memcpy(f, v6 ? mac6 : mac4, 6);
		memcpy(f + 6, (const uint8_t[6]){0x02, 0xaa, 0, 0, 0, 1}, 6);
		put16(f + 12, v6 ? 0x86dd : 0x0800);
	}
	memset(ip, 0, l3);
	for (size_t i = 0; i < dlen; i++)
		icmp[8 + i] = (uint8_t)i;
	icmp[0] = v6 ? 128 : 8;
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, 0x1234);
	put16(icmp + 6, 1);
	nr_csum_init(&c);
	if (v6) {
		ip[0] = 0x60;
		put16(ip + 4, (unsigned)(8 + dlen));
		ip[6] = 58;
		ip[7] = 64;
		memcpy(ip + 8, src6, 16);
		memcpy(ip + 24, dst6, 16);
		nr_csum_add(&c, src6, 16);
		nr_csum_add(&c, dst6, 16);
		nr_csum_add_be32(&c, (uint32_t)(8 + dlen));
		nr_csum_add_be32(&c, 58);
	} else {
		ip[0] = 0x45;
		put16(ip + 2, (unsigned)(20 + 8 + dlen));
		put16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = 1;
		memcpy(ip + 12, src4, 4);
		memcpy(ip + 16, dst4, 4);
		put16(ip + 10, nr_csum(ip, 20));
	}
	nr_csum_add(&c, icmp, 8 + dlen);
	put16(icmp + 2, nr_csum_final(&c));
	return l2 + l3 + 8 + dlen;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "v4tun";
	unsigned long count = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
	size_t dlen = argc > 3 ? strtoul(argv[3], NULL, 10) : 56;
	int v6 = strncmp(mode, "v6", 2) == 0, eth = strstr(mode, "tap") != NULL;
	struct nr_host_config cfg;
	struct nr_host *h;
	struct nr_prefix p;
	static uint8_t f[2048];
	unsigned long replies = 0;
	size_t n;

	if (dlen > 1400 || (strcmp(mode, "v4tun") && strcmp(mode, "v4tap") &&
			    strcmp(mode, "v6tun") && strcmp(mode, "v6tap"))) {
		fprintf(stderr, "usage: bench_frame v4tun|v4tap|v6tun|v6tap [COUNT] [DATA_LEN<=1400]\n");
		return 2;
	}
	nr_host_config_default(&cfg);
	cfg.link = eth ? NR_HOST_LINK_ETHERNET : NR_HOST_LINK_IP;
	if (nr_host_new(&cfg, &h) < 0)
		return 1;
	if (nr_prefix_parse("192.0.2.2/24", AF_INET, NR_PREFIX_PARSE_HOST_BITS, &p) < 0 ||
	    nr_host_add_addr(h, &p) < 0 ||
	    nr_prefix_parse("2001:db8::2/64", AF_INET6, NR_PREFIX_PARSE_HOST_BITS, &p) < 0 ||
	    nr_host_add_addr(h, &p) < 0 || nr_host_attach_by_name(h, "arp", NULL) < 0 ||
	    nr_host_attach_by_name(h, "ndp", NULL) < 0 ||
	    nr_host_attach_by_name(h, "echo", NULL) < 0 ||
	    nr_host_attach_by_name(h, "echo6", NULL) < 0) {
		nr_host_free(h);
		return 1;
	}
	n = request(f, v6, eth, dlen);
	for (unsigned long i = 0; i < count; i++) {
		const uint8_t *o;
		size_t len;

		if (nr_host_input(h, f, n, i) < 0)
			break;
		if (nr_host_output_peek(h, &o, &len) == 0) {
			replies++;
			nr_host_output_pop(h);
		}
	}
	printf("%s replies %lu of %lu\n", mode, replies, count);
	nr_host_free(h);
	return replies == count ? 0 : 1;
}
