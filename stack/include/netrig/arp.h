/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ARP (RFC 826) with generic hardware and protocol address lengths; RARP
 * (RFC 903) and InARP (RFC 2390) operations decode too. Ethernet/IPv4 has
 * helpers.
 *
 * Validation, each failure with its own reason (all -EBADMSG):
 *   NR_WIRE_TRUNCATED  shorter than 8 + 2 * (hlen + plen)
 *   NR_WIRE_BAD_HTYPE  hardware type 0
 *   NR_WIRE_BAD_PTYPE  protocol type below 0x0600 (not an ethertype)
 *   NR_WIRE_BAD_HLEN   0, over NR_ARP_HLEN_MAX, or not 6 for Ethernet (1)
 *   NR_WIRE_BAD_PLEN   0, over NR_ARP_PLEN_MAX, or not 4 for IPv4 (0x0800)
 *   NR_WIRE_BAD_OP     not 1, 2 (ARP), 3, 4 (RARP), 8 or 9 (InARP)
 * Bytes after the packet (Ethernet padding) are ignored.
 */
#ifndef NETRIG_ARP_H
#define NETRIG_ARP_H

#include "netrig/addr.h"
#include "netrig/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NR_ARP_HTYPE_ETHERNET 1
#define NR_ARP_HLEN_MAX NR_LLADDR_MAX
#define NR_ARP_PLEN_MAX 16
#define NR_ARP_ETH_IPV4_LEN 28

enum {
	NR_ARP_OP_REQUEST = 1,
	NR_ARP_OP_REPLY = 2,
	NR_ARP_OP_RREQUEST = 3,  /* RARP */
	NR_ARP_OP_RREPLY = 4,
	NR_ARP_OP_INREQUEST = 8, /* InARP */
	NR_ARP_OP_INREPLY = 9,
};

struct nr_arp {
	uint16_t htype;
	uint16_t ptype;
	uint8_t hlen;
	uint8_t plen;
	uint16_t op;
	/* The first hlen / plen bytes are the addresses, the rest zero. */
	uint8_t sha[NR_ARP_HLEN_MAX];
	uint8_t spa[NR_ARP_PLEN_MAX];
	uint8_t tha[NR_ARP_HLEN_MAX];
	uint8_t tpa[NR_ARP_PLEN_MAX];
};

int nr_arp_decode(const uint8_t *data, size_t len, struct nr_arp *ret,
		  enum nr_wire_reason *why);
size_t nr_arp_encoded_len(const struct nr_arp *a);
/* Returns the length written; -EINVAL for fields decode would refuse; -EMSGSIZE. */
int nr_arp_encode(const struct nr_arp *a, uint8_t *buf, size_t cap);

/* Ethernet/IPv4 (htype 1, ptype 0x0800, hlen 6, plen 4). */
bool nr_arp_is_eth_ipv4(const struct nr_arp *a);
/* spa and tpa must be AF_INET; tha may be NULL (zeros, as in a request). */
void nr_arp_init_eth_ipv4(struct nr_arp *a, uint16_t op, const uint8_t sha[6],
			  const struct nr_addr *spa, const uint8_t tha[6],
			  const struct nr_addr *tpa);
/* The protocol addresses as IPv4 addresses; -EAFNOSUPPORT unless IPv4. */
int nr_arp_spa(const struct nr_arp *a, struct nr_addr *ret);
int nr_arp_tpa(const struct nr_arp *a, struct nr_addr *ret);
void nr_arp_sha(const struct nr_arp *a, struct nr_lladdr *ret);
void nr_arp_tha(const struct nr_arp *a, struct nr_lladdr *ret);

#endif
