/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Responders: small plug-ins that answer requests on behalf of emulated
 * hosts (netrig/host.h). A responder never sends anything: given one
 * decoded ingress packet it writes a reply into a buffer the host hands it
 * and says so; the host frames it and queues it, and the harness owns
 * transmission (STYLE rule 13). Responders are pure: no I/O, no clock
 * (now_ns comes in), no logging; every packet of its kind that a responder
 * does not answer is counted under a reason.
 *
 * Built-ins, each in stack/responders/<name>.c, found by name:
 *   arp    ARP requests (RFC 826, RFC 5227)
 *   ndp    Neighbour Solicitations, optionally Router Solicitations (RFC 4861)
 *   echo   ICMP echo (RFC 792, RFC 1122 3.2.2.6)
 *   echo6  ICMPv6 echo (RFC 4443 4.2)
 * Options are text key=value pairs (nr_responder_set_option), so a command
 * line or a topology file can set them; each responder lists its own.
 */
#ifndef NETRIG_RESPONDER_H
#define NETRIG_RESPONDER_H

#include "netrig/buf.h"
#include "netrig/eth.h"
#include "netrig/ipv4.h"
#include "netrig/ipv6.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nr_host;

/* Why a responder did not answer a packet of its kind (beyond wire reasons). */
enum nr_resp_drop {
	NR_RESP_DROP_NOT_MINE = 0,  /* the target/destination is not an address of the host */
	NR_RESP_DROP_NOT_REQUEST,   /* of its protocol but not a request (ARP reply, NA, RA...) */
	NR_RESP_DROP_UNSUPPORTED,   /* valid but not handled: non-Ethernet/IPv4 ARP, RARP */
	NR_RESP_DROP_GRATUITOUS,    /* ARP request with sender == target: an announcement */
	NR_RESP_DROP_PROBE,         /* ARP probe (sender 0.0.0.0), answering them turned off */
	NR_RESP_DROP_BAD_SOURCE,    /* martian sender: multicast, broadcast, loopback, group MAC */
	NR_RESP_DROP_BAD_DEST,      /* group the host has not joined, or a reserved destination */
	NR_RESP_DROP_BROADCAST,     /* echo to a broadcast/multicast address, option off */
	NR_RESP_DROP_FRAGMENT,      /* IP fragment (no reassembly) */
	NR_RESP_DROP_IP_OPTIONS,    /* IPv4 options present and options=drop */
	NR_RESP_DROP_TOO_BIG,       /* the reply would not fit the link MTU */
	NR_RESP_DROP_NO_ADDRESS,    /* no suitable own address to answer from */
	NR_RESP_DROP_NOT_ROUTER,    /* RS while the host is not a router (or ra=0) */
	NR_RESP_DROP_L2_BROADCAST,  /* unicast IP destination in a link-layer broadcast/multicast */
	NR_RESP_DROP_RATE_LIMIT,    /* folded into an answer already scheduled (RS -> one RA) */
	NR_RESP_DROP_COUNT
};

/* Short lowercase text ("not mine"); "unknown" out of range. */
const char *nr_resp_drop_str(enum nr_resp_drop d);

struct nr_resp_stats {
	uint64_t seen;    /* packets of the responder's kind offered to it */
	uint64_t replies; /* replies written */
	uint64_t learned; /* neighbour entries created or updated from requests */
	uint64_t wire[NR_WIRE_REASON_COUNT]; /* refused by a decoder */
	uint64_t drop[NR_RESP_DROP_COUNT];
};

/* One ingress packet, decoded as far as the host goes (link and IP layer). */
struct nr_resp_in {
	struct nr_host *host;
	uint64_t now_ns;
	const struct nr_eth *eth;  /* NULL on a raw-IP (TUN) link */
	bool l2_group;             /* sent to a broadcast/multicast MAC */
	uint16_t ethertype;        /* of the packet: ARP, IPv4 or IPv6 */
	const uint8_t *l3;         /* the ARP or IP packet */
	size_t l3_len;
	const struct nr_ipv4 *ip4; /* decoded header when IPv4, else NULL */
	const struct nr_ipv6 *ip6; /* decoded header when IPv6, else NULL */
};

/* Where a reply goes: the responder writes the L3 packet at buf (cap bytes). */
struct nr_resp_out {
	uint8_t *buf;
	size_t cap;
	size_t len;                /* bytes written */
	uint16_t ethertype;        /* of the reply */
	uint8_t dst_mac[6];        /* Ethernet destination (unused on a raw-IP link) */
	uint8_t src_mac[6];        /* Ethernet source */
};

/* What input() did with a packet. */
enum nr_resp_verdict {
	NR_RESP_PASS = 0, /* not of this responder's kind: offer it to the next one */
	NR_RESP_DROP,     /* its kind, not answered (counted in stats) */
	NR_RESP_REPLY,    /* out is filled: queue it */
	NR_RESP_LATER,    /* its kind, answered later from tick() (a scheduled reply) */
};

struct nr_responder;

struct nr_resp_option {
	const char *name;
	const char *help; /* "0|1: answer ARP probes (default 1)" */
};

struct nr_responder_ops {
	const char *name;
	const char *summary;
	size_t priv_size;
	const struct nr_resp_option *options; /* terminated by a NULL name */
	/* Default options into priv (zeroed before). */
	void (*init)(void *priv);
	/* -ENOENT unknown key, -EINVAL bad value; nothing changed on error. */
	int (*set_option)(void *priv, const char *key, const char *value);
	/*
	 * The only ethertype whose frames input handles (NR_ETHERTYPE_ARP,
	 * _IPV4, _IPV6); the host does not offer it the others. 0: all.
	 */
	uint16_t ethertype;
	/* One packet; stats are r->stats. */
	enum nr_resp_verdict (*input)(struct nr_responder *r, const struct nr_resp_in *in,
				      struct nr_resp_out *out);
	/*
	 * Optional timers, for replies a protocol delays (RFC 4861 6.2.6):
	 * next_deadline is the time of the next one (UINT64_MAX: none); tick,
	 * called at or after it with in->host and in->now_ns set (no packet),
	 * writes one due reply and returns NR_RESP_REPLY, else NR_RESP_PASS.
	 */
	uint64_t (*next_deadline)(const struct nr_responder *r);
	enum nr_resp_verdict (*tick)(struct nr_responder *r, const struct nr_resp_in *in,
				     struct nr_resp_out *out);
};

/* For implementers: the instance a host holds. */
struct nr_responder {
	const struct nr_responder_ops *ops;
	struct nr_resp_stats stats;
	void *priv; /* ops->priv_size bytes, owned */
};

extern const struct nr_responder_ops nr_resp_arp_ops;
extern const struct nr_responder_ops nr_resp_ndp_ops;
extern const struct nr_responder_ops nr_resp_echo_ops;
extern const struct nr_responder_ops nr_resp_echo6_ops;

/* The built-in responders by name; NULL when unknown. */
const struct nr_responder_ops *nr_responder_lookup(const char *name);
size_t nr_responder_builtin_count(void);
const struct nr_responder_ops *nr_responder_builtin_at(size_t i);

/* An instance with default options. NULL on allocation failure. */
struct nr_responder *nr_responder_new(const struct nr_responder_ops *ops);
/* By name: -ENOENT unknown name, -ENOMEM. */
int nr_responder_new_by_name(const char *name, struct nr_responder **ret);
void nr_responder_free(struct nr_responder *r);

/* -ENOENT unknown key, -EINVAL bad value. */
int nr_responder_set_option(struct nr_responder *r, const char *key, const char *value);
/* "key=value[,key=value...]" as a command line gives them; stops at the first error. */
int nr_responder_set_options(struct nr_responder *r, const char *list);
const char *nr_responder_name(const struct nr_responder *r);
const struct nr_resp_stats *nr_responder_stats(const struct nr_responder *r);

/* Helpers for option parsers: "0"/"1"/"yes"/"no"/"on"/"off"; 0..max integers. */
int nr_resp_parse_bool(const char *s, bool *ret);
int nr_resp_parse_uint(const char *s, unsigned long max, unsigned long *ret);

#endif
