/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Ethernet II frames (no FCS), with at most one 802.1Q tag.
 *
 * Decoding fills a host-order struct whose payload is a view of the input;
 * encoding writes header and payload (the payload may already sit at its
 * place in the output buffer).
 */
#ifndef NETRIG_ETH_H
#define NETRIG_ETH_H

#include "netrig/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NR_ETH_ALEN 6
#define NR_ETH_HLEN 14
#define NR_ETH_VLAN_HLEN 18
#define NR_ETH_MIN_ETHERTYPE 0x0600 /* below: an 802.3 length */
#define NR_ETH_MIN_FRAME 60         /* without FCS; shorter frames are padded */

#define NR_ETHERTYPE_IPV4 0x0800
#define NR_ETHERTYPE_ARP 0x0806
#define NR_ETHERTYPE_VLAN 0x8100
#define NR_ETHERTYPE_IPV6 0x86dd

struct nr_eth {
	uint8_t dst[NR_ETH_ALEN];
	uint8_t src[NR_ETH_ALEN];
	bool has_vlan;
	uint8_t pcp;       /* 0..7 */
	bool dei;
	uint16_t vid;      /* 0..4095 */
	uint16_t ethertype; /* of the payload (inside the tag, if any) */
	const uint8_t *payload;
	size_t payload_off; /* 14, or 18 with a tag */
	size_t payload_len; /* everything after the header, padding included */
};

/*
 * NR_WIRE_TRUNCATED (-EBADMSG) when shorter than the header;
 * NR_WIRE_NOT_ETHERNET_II (-EPROTONOSUPPORT) for an 802.3 length field.
 * A double tag (Q-in-Q) decodes with ethertype 0x8100 left in the payload.
 */
int nr_eth_decode(const uint8_t *data, size_t len, struct nr_eth *ret,
		  enum nr_wire_reason *why);

size_t nr_eth_header_len(const struct nr_eth *e);
size_t nr_eth_encoded_len(const struct nr_eth *e);
/*
 * Header then payload_len bytes from payload (NULL only when payload_len is
 * 0). Returns the length written, -EMSGSIZE when it exceeds cap (nothing
 * written), -EINVAL for pcp > 7, vid > 4095 or an ethertype below 0x0600.
 */
int nr_eth_encode(const struct nr_eth *e, uint8_t *buf, size_t cap);

#endif
