/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Emulated hosts on one link (a TAP or packet socket: Ethernet; a TUN:
 * raw IP). One struct nr_host carries a set of host addresses sharing the
 * link: single addresses, and whole prefixes of which every address
 * answers (65,536 hosts of a /16 cost nothing more than one: ownership is
 * prefix arithmetic, not a table). Each address has a MAC: one fixed MAC
 * for all, or by default one derived from the address, locally
 * administered:
 *   IPv4 a.b.c.d           -> 02:00:a:b:c:d
 *   IPv6 ...:wwxx:yyzz     -> 02:06:ww:xx:yy:zz (the low 32 bits)
 * Derived MACs are unique on the link as long as no two IPv6 addresses
 * share their low 32 bits; a dual-stack host that must show one MAC for
 * both families takes a fixed MAC.
 *
 * The set has its own netrig stack (interfaces lo and the link, connected
 * routes for its prefixes, a gateway if given, a neighbour cache) for the
 * traffic it originates (nr_host_send_ip) and for neighbour resolution
 * (nr_host_resolve, the getmacbyip counterpart).
 *
 * Pure like the rest of stack/: no I/O, no clock, no logging. Frames come
 * in through nr_host_input; replies, solicitations and released packets
 * go to an output queue the caller drains (nr_host_output_peek/pop).
 * Timers: nr_host_next_deadline / nr_host_tick.
 *
 * Ingress: Ethernet (no VLAN tag) or raw IP (version nibble). The host
 * drops frames to a unicast MAC that is not the one of the address they
 * target (unless promisc), consumes ARP replies, gratuitous ARP and
 * Neighbour Advertisements itself (resolution), and offers the rest to its
 * responders in the order they were attached; the first that claims a
 * packet ends the walk. Replies to requests go back to the MAC the request
 * came from (what the kernel does in the symmetric case, without a
 * resolution delay); Ethernet frames are padded to 60 bytes.
 */
#ifndef NETRIG_HOST_H
#define NETRIG_HOST_H

#include "netrig/addr.h"
#include "netrig/buf.h"
#include "netrig/responder.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nr_stack;

enum nr_host_link {
	NR_HOST_LINK_ETHERNET = 1, /* TAP, packet socket: Ethernet II frames */
	NR_HOST_LINK_IP = 2,       /* TUN without packet information: IP packets */
};

#define NR_HOST_ADDR_MAX 64
#define NR_HOST_RESPONDER_MAX 8
#define NR_HOST_MTU_MAX 65535

struct nr_host_config {
	uint8_t link;          /* enum nr_host_link */
	int ifindex;           /* the link's index in the host's stack (>= 2; lo is 1) */
	char ifname[16];       /* its name there ("nr0" when empty) */
	uint32_t mtu;          /* 68..65535; frames up to mtu + 14 */
	bool fixed_mac;        /* use mac for every address, else derived MACs */
	uint8_t mac[6];
	bool router;           /* NA R flag; the ndp responder may answer RS */
	bool promisc;          /* accept frames to any unicast MAC (compatibility mode) */
	uint16_t txq_len;      /* output queue, frames (>= 1) */
	uint16_t pending_max;  /* originated packets waiting on resolution, in all */
	uint64_t seed;         /* of nr_host_random (0: a fixed default) */
};

/* Ethernet, ifindex 2 "nr0", MTU 1500, derived MACs, txq 256, pending 256. */
void nr_host_config_default(struct nr_host_config *c);

/* Why the host itself dropped a frame (decoder failures are in wire[]). */
enum nr_host_drop {
	NR_HOST_DROP_NOT_FOR_US = 0, /* unicast MAC not the target address's */
	NR_HOST_DROP_VLAN,           /* 802.1Q tagged */
	NR_HOST_DROP_ETHERTYPE,      /* neither ARP, IPv4 nor IPv6 */
	NR_HOST_DROP_UNHANDLED,      /* no responder claimed it */
	NR_HOST_DROP_OWN_FRAME,      /* sent from one of the host's MACs (a loop) */
	NR_HOST_DROP_TXQ_FULL,       /* a reply or solicitation found the queue full */
	NR_HOST_DROP_UNRESOLVED,     /* an originated packet: resolution failed or queue overflow */
	NR_HOST_DROP_NO_SOURCE,      /* a solicitation with no own address of the family */
	NR_HOST_DROP_COUNT
};

const char *nr_host_drop_str(enum nr_host_drop d);

struct nr_host_stats {
	uint64_t rx;             /* frames given to nr_host_input */
	uint64_t tx;             /* frames queued for output */
	uint64_t replies;        /* of which replies of responders */
	uint64_t solicits;       /* of which ARP requests / NS sent for resolution */
	uint64_t adverts;        /* ARP replies / NA consumed for resolution */
	uint64_t wire[NR_WIRE_REASON_COUNT];
	uint64_t drop[NR_HOST_DROP_COUNT];
};

/* One entry of the address set. */
struct nr_host_addr {
	struct nr_prefix p; /* single: the address and its on-link prefix length;
			       range: the prefix, every address of which is the host's */
	bool range;
};

struct nr_host;

/* -EINVAL for a bad config, -ENOMEM. */
int nr_host_new(const struct nr_host_config *cfg, struct nr_host **ret);
void nr_host_free(struct nr_host *h);

/*
 * One address with its on-link prefix length ("198.51.100.2/24"; /32 or
 * /128 for none). Adds the connected route. -EEXIST when already owned,
 * -EINVAL for an address a host cannot have (unspecified, multicast,
 * loopback, IPv4 limited broadcast), -ENOSPC past NR_HOST_ADDR_MAX.
 */
int nr_host_add_addr(struct nr_host *h, const struct nr_prefix *p);
/*
 * Every address of a prefix ("203.0.113.0/24"; host bits must be clear),
 * but not the IPv4 network and broadcast addresses of a prefix up to /30,
 * nor the IPv6 subnet-router anycast address (host bits all zero) of a
 * prefix up to /126. Adds the connected route. Errors as for add_addr
 * (-EEXIST when it overlaps an address or range already there).
 */
int nr_host_add_range(struct nr_host *h, const struct nr_prefix *p);
/*
 * Leave a hole in the ranges: a is not the host's (typically the kernel's
 * own address on the link, inside the emulated prefix). -EINVAL for an
 * address added by itself, -EEXIST, -ENOSPC past NR_HOST_ADDR_MAX holes.
 */
int nr_host_exclude(struct nr_host *h, const struct nr_addr *a);
/* A default route through gw (on-link, same family). */
int nr_host_set_gateway(struct nr_host *h, const struct nr_addr *gw);
size_t nr_host_addr_count(const struct nr_host *h);
const struct nr_host_addr *nr_host_addr_at(const struct nr_host *h, size_t i);

/* Attach a responder; the host owns it from then on (freed with the host). */
int nr_host_attach(struct nr_host *h, struct nr_responder *r);
/* By name with an option list ("echo", "broadcast=1,ttl=32"); -ENOENT, -EINVAL. */
int nr_host_attach_by_name(struct nr_host *h, const char *name, const char *options);
size_t nr_host_responder_count(const struct nr_host *h);
struct nr_responder *nr_host_responder_at(const struct nr_host *h, size_t i);

const struct nr_host_config *nr_host_config(const struct nr_host *h);
struct nr_stack *nr_host_stack(struct nr_host *h);
const struct nr_host_stats *nr_host_stats(const struct nr_host *h);

/* --- Queries responders use ------------------------------------------ */

/* Is a one of the host's addresses? O(number of entries), never O(hosts). */
bool nr_host_owns(const struct nr_host *h, const struct nr_addr *a);
/* The MAC the host uses for address a (owned or not: derived or fixed). */
void nr_host_mac_for(const struct nr_host *h, const struct nr_addr *a, uint8_t ret[6]);
/* Is mac one the host may use (the fixed one, or of the derived form)? */
bool nr_host_mac_is_own(const struct nr_host *h, const uint8_t mac[6]);
/* 255.255.255.255, or the broadcast address of one of the host's IPv4 prefixes (<= /30). */
bool nr_host_is_broadcast4(const struct nr_host *h, const struct nr_addr *a);
/*
 * A source no requester can have (RFC 1122 3.2.1.3, RFC 4291 2.5.2-2.7):
 * IPv4 0.0.0.0/8 (the unspecified address included: callers that accept
 * an ARP probe test it first), 127/8, multicast, 255.255.255.255, and the
 * network and broadcast addresses of the host's own prefixes (<= /30);
 * IPv6 ::, ::1 and multicast. The host's own addresses are not in it:
 * callers test nr_host_owns where a claim of one is not a conflict.
 */
bool nr_host_is_martian(const struct nr_host *h, const struct nr_addr *a);
/*
 * The three answers above in one walk of the addresses, as bits: what a
 * responder asks of each source and destination on every packet.
 * NR_HOST_ADDR_OWN is nr_host_owns, NR_HOST_ADDR_MARTIAN
 * nr_host_is_martian, NR_HOST_ADDR_BROADCAST nr_host_is_broadcast4.
 */
enum {
	NR_HOST_ADDR_OWN = 1u << 0,
	NR_HOST_ADDR_MARTIAN = 1u << 1,
	NR_HOST_ADDR_BROADCAST = 1u << 2,
};
unsigned nr_host_classify(const struct nr_host *h, const struct nr_addr *a);
/*
 * Has the host joined IPv6 multicast group g (RFC 4291 2.8)? ff02::1, the
 * solicited-node group of one of its addresses, ff02::2 when it is a
 * router. Nothing else: not ff01::1 (interface-local), not reserved scopes.
 */
bool nr_host_in_group6(const struct nr_host *h, const struct nr_addr *g);
/*
 * The next number of the host's generator (xorshift64*, seeded by
 * cfg.seed): protocol jitter such as RFC 4861's random RA delay, so a run
 * repeats with the same seed.
 */
uint64_t nr_host_random(struct nr_host *h);
/*
 * An own address of the family to speak from towards peer (NULL: any):
 * one whose prefix holds peer first (for IPv6 a link-local one when peer
 * is link-local or multicast of link scope), else the first. A range
 * yields its first member. -EADDRNOTAVAIL when the host has none.
 */
int nr_host_pick_source(const struct nr_host *h, int family, const struct nr_addr *peer,
			struct nr_addr *ret);
uint16_t nr_host_next_ip_id(struct nr_host *h);

/*
 * A request from addr carrying its link-layer address (ARP request to us,
 * NS with SLLAO): create or update the neighbour entry (RFC 4861 7.2.3;
 * RFC 826's "merge" then "add"). Releases packets that waited on it.
 * Returns 0 or a negative errno from the cache.
 */
int nr_host_learn_solicit(struct nr_host *h, const struct nr_addr *addr,
			  const struct nr_lladdr *lladdr, uint64_t now_ns);

/* --- Traffic ---------------------------------------------------------- */

/*
 * One frame (Ethernet link) or IP packet (raw-IP link) received. Returns
 * how many frames it added to the output queue (>= 0); drops are counted
 * in the stats, never returned. -EINVAL only for NULL arguments.
 */
int nr_host_input(struct nr_host *h, const uint8_t *frame, size_t len, uint64_t now_ns);

/*
 * Send an IP packet the host originates (its header complete, checksum
 * included). Looks up the route in the host's stack, finds the next hop
 * and its MAC (multicast mapping 01:00:5e / 33:33, broadcast ff:ff.., own
 * address -> own MAC without any request, else the neighbour cache with
 * retries, rate limit and negative caching). Returns
 *   0             framed and queued for output;
 *   -EINPROGRESS  waiting on resolution (the packet is copied; it goes
 *                 out in order when the neighbour answers, or is dropped
 *                 and counted when resolution fails);
 *   -EHOSTUNREACH resolution failed recently (negative cache);
 *   -ENETUNREACH  no route (or a route not through the host's link);
 *   -EBADMSG      not a valid IPv4/IPv6 packet; -EMSGSIZE over the MTU;
 *   -ENOBUFS      output queue or pending store full.
 * On a raw-IP link the packet is queued as is after the route check.
 */
int nr_host_send_ip(struct nr_host *h, const uint8_t *pkt, size_t len, uint64_t now_ns);

/*
 * Neighbour resolution as a library call (`netrig neigh resolve`):
 * start resolving the link-layer address for reaching dst (the gateway's
 * when dst is off-link). 0 with ret_lladdr filled when it is known at
 * once (multicast, broadcast, own address, a valid cache entry);
 * -EINPROGRESS when a solicitation was queued or one is under way (feed
 * frames with nr_host_input, run nr_host_tick at the deadlines, then
 * nr_host_resolve_poll); -EHOSTUNREACH (negative cache), -ENETUNREACH,
 * -EINVAL (unspecified or loopback dst), -EAFNOSUPPORT on a raw-IP link.
 */
int nr_host_resolve(struct nr_host *h, const struct nr_addr *dst, uint64_t now_ns,
		    struct nr_lladdr *ret_lladdr);
/*
 * Where a resolution of dst stands, without changing anything: 0 with
 * ret_lladdr (resolved), -EINPROGRESS, -EHOSTUNREACH (failed), -ENOENT
 * (never started), or the routing errors of nr_host_resolve.
 */
int nr_host_resolve_poll(const struct nr_host *h, const struct nr_addr *dst,
			 struct nr_lladdr *ret_lladdr);

/* Earliest timer (retransmission, probe, expiry), UINT64_MAX when none. */
uint64_t nr_host_next_deadline(const struct nr_host *h, uint64_t now_ns);
/* Run due timers: solicitations retried, waiting packets dropped. Returns frames queued. */
int nr_host_tick(struct nr_host *h, uint64_t now_ns);

/* The oldest queued frame; -EAGAIN when the queue is empty. Valid until pop. */
int nr_host_output_peek(const struct nr_host *h, const uint8_t **ret_frame, size_t *ret_len);
void nr_host_output_pop(struct nr_host *h);
size_t nr_host_output_count(const struct nr_host *h);

#endif
