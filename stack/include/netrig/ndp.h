/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Neighbour discovery (RFC 4861) messages carried in ICMPv6: router
 * solicitation and advertisement, neighbour solicitation and advertisement,
 * redirect; with the options SLLAO, TLLAO (1, 2), prefix information (3),
 * redirected header (4), MTU (5), nonce (14, RFC 3971) and RDNSS (25,
 * RFC 8106). Other options are skipped and counted.
 *
 * nr_ndp_decode validates as RFC 4861 sections 6.1 and 7.1 and 8.1 ask,
 * each failure with its reason (-EBADMSG unless said):
 *   NR_WIRE_TRUNCATED       under 8 bytes, or under the type's fixed part
 *                           (RS 8, RA 16, NS 24, NA 24, redirect 40)
 *   NR_WIRE_BAD_CHECKSUM    (pseudo-header included)
 *   NR_WIRE_BAD_TYPE        not 133..137 (-EPROTONOSUPPORT)
 *   NR_WIRE_BAD_HOP_LIMIT   IPv6 hop limit not 255
 *   NR_WIRE_BAD_CODE        code not 0
 *   NR_WIRE_OPT_ZERO_LEN    an option of length 0
 *   NR_WIRE_OPT_TRUNCATED   an option runs past the message
 *   NR_WIRE_OPT_BAD_LEN     wrong size for the option type: MTU != 1,
 *                           prefix != 4, RDNSS < 3 or even, redirected
 *                           header < 1, link-layer address over
 *                           NR_LLADDR_MAX, nonce over NR_NDP_NONCE_MAX
 *   NR_WIRE_TOO_MANY_OPTS   over NR_NDP_OPT_MAX options, NR_NDP_PREFIX_MAX
 *                           prefixes, NR_NDP_RDNSS_MAX RDNSS options or
 *                           NR_NDP_RDNSS_ADDR_MAX addresses in one
 *   NR_WIRE_BAD_PREFIX_LEN  prefix information with a length over 128
 *   NR_WIRE_BAD_TARGET      NS/NA target multicast; redirect destination
 *                           multicast, or target neither link-local nor
 *                           the destination
 *   NR_WIRE_BAD_SOURCE      RS/NS from :: with an SLLAO; RA or redirect
 *                           from a source that is not link-local
 *   NR_WIRE_BAD_DEST        NS from :: (DAD) not to a solicited-node group
 *   NR_WIRE_BAD_FLAGS       NA to a multicast address with S set
 * A second SLLAO, TLLAO, MTU, nonce or redirected header is ignored, as
 * Linux does (ndisc_parse_options).
 */
#ifndef NETRIG_NDP_H
#define NETRIG_NDP_H

#include "netrig/addr.h"
#include "netrig/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NR_NDP_OPT_MAX 32
#define NR_NDP_PREFIX_MAX 8
#define NR_NDP_RDNSS_MAX 4
#define NR_NDP_RDNSS_ADDR_MAX 8
#define NR_NDP_NONCE_MAX 30 /* option length up to 4 (RFC 3971: at least 6 bytes) */

enum {
	NR_NDP_OPT_SLLAO = 1,
	NR_NDP_OPT_TLLAO = 2,
	NR_NDP_OPT_PREFIX = 3,
	NR_NDP_OPT_REDIRECTED = 4,
	NR_NDP_OPT_MTU = 5,
	NR_NDP_OPT_NONCE = 14,
	NR_NDP_OPT_RDNSS = 25,
};

/* RA flags byte */
#define NR_NDP_RA_MANAGED 0x80
#define NR_NDP_RA_OTHER 0x40
/* Prefix information flags byte */
#define NR_NDP_PREFIX_ON_LINK 0x80
#define NR_NDP_PREFIX_AUTO 0x40

struct nr_ndp_prefix {
	uint8_t len;   /* prefix length, 0..128 */
	uint8_t flags; /* NR_NDP_PREFIX_*, other bits as received */
	uint32_t valid_lifetime;
	uint32_t preferred_lifetime;
	struct nr_addr prefix; /* AF_INET6, as sent (host bits not cleared) */
};

struct nr_ndp_rdnss {
	uint32_t lifetime;
	uint8_t n_addr;
	struct nr_addr addr[NR_NDP_RDNSS_ADDR_MAX];
};

struct nr_ndp {
	uint8_t type; /* NR_ICMP6_ROUTER_SOLICIT .. NR_ICMP6_REDIRECT */
	uint8_t code;
	/* RA */
	uint8_t cur_hop_limit;
	uint8_t ra_flags; /* NR_NDP_RA_*, other bits as received */
	uint16_t router_lifetime;
	uint32_t reachable_time;
	uint32_t retrans_timer;
	/* NA (the other 29 bits are sent as zero) */
	bool router;
	bool solicited;
	bool override;
	/* NS, NA, redirect */
	struct nr_addr target;
	/* redirect */
	struct nr_addr dest;

	/* Options. A link-layer address option of length n holds 8n - 2
	 * bytes: 6 for Ethernet. Encode pads to 8 bytes with zeros. */
	bool has_sllao;
	struct nr_lladdr sllao;
	bool has_tllao;
	struct nr_lladdr tllao;
	bool has_mtu;
	uint32_t mtu;
	uint8_t n_prefix;
	struct nr_ndp_prefix prefix[NR_NDP_PREFIX_MAX];
	uint8_t n_rdnss;
	struct nr_ndp_rdnss rdnss[NR_NDP_RDNSS_MAX];
	uint8_t nonce_len; /* 0: no nonce option; else 8n - 2 */
	uint8_t nonce[NR_NDP_NONCE_MAX];
	bool has_redirected;
	const uint8_t *redirected; /* redirected header option data, as padded */
	size_t redirected_len;     /* 8n - 8 for an option of length n */

	/* Filled by decode: options seen, and those of a type not above. */
	uint8_t n_opts;
	uint8_t n_unknown;
};

/*
 * Decode and validate the ICMPv6 message data/len (checksum included)
 * carried from src to dst with the given IPv6 hop limit.
 */
int nr_ndp_decode(const uint8_t *data, size_t len, const struct nr_addr *src,
		  const struct nr_addr *dst, uint8_t hop_limit, struct nr_ndp *ret,
		  enum nr_wire_reason *why);

size_t nr_ndp_encoded_len(const struct nr_ndp *n);
/*
 * The whole ICMPv6 message with its options and checksum. Returns the
 * length written; -EINVAL for a type not 133..137, src/dst not AF_INET6,
 * counts over their caps, a link-layer address of 0 or over 30 bytes, a
 * nonce length not 8n - 2, a redirected header not a multiple of 8 or over
 * 2032 bytes; -EMSGSIZE when over cap (nothing written).
 */
int nr_ndp_encode(const struct nr_ndp *n, const struct nr_addr *src, const struct nr_addr *dst,
		  uint8_t *buf, size_t cap);

/* ff02::1:ffXX:XXXX for an IPv6 address (RFC 4291 2.7.1). */
void nr_ndp_solicited_node(const struct nr_addr *a, struct nr_addr *ret);
bool nr_ndp_is_solicited_node(const struct nr_addr *a);

#endif
