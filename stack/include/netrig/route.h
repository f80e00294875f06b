/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Route and policy-rule values, as the kernel keeps them. The numbers of
 * the enums are the kernel's (RTN_*, RTPROT_*, FR_ACT_*), so netns/ copies
 * them across unchanged and the JSON output can name them as iproute2 does.
 */
#ifndef NETRIG_ROUTE_H
#define NETRIG_ROUTE_H

#include "netrig/addr.h"

#include <stdbool.h>
#include <stdint.h>

enum nr_rtype {
	NR_RTN_UNSPEC = 0,
	NR_RTN_UNICAST = 1,
	NR_RTN_LOCAL = 2,
	NR_RTN_BROADCAST = 3,
	NR_RTN_ANYCAST = 4,
	NR_RTN_MULTICAST = 5,
	NR_RTN_BLACKHOLE = 6,
	NR_RTN_UNREACHABLE = 7,
	NR_RTN_PROHIBIT = 8,
	NR_RTN_THROW = 9,
	NR_RTN_NAT = 10,
};

/* Well-known tables (RT_TABLE_*). */
#define NR_TABLE_UNSPEC 0u
#define NR_TABLE_DEFAULT 253u
#define NR_TABLE_MAIN 254u
#define NR_TABLE_LOCAL 255u

/* RTNH_F_* */
#define NR_RTNH_F_DEAD 0x01u
#define NR_RTNH_F_PERVASIVE 0x02u
#define NR_RTNH_F_ONLINK 0x04u
#define NR_RTNH_F_OFFLOAD 0x08u
#define NR_RTNH_F_LINKDOWN 0x10u

struct nr_nexthop {
	struct nr_addr gw; /* AF_UNSPEC when on-link */
	int ifindex;       /* 0 when none (reject routes) */
	uint16_t weight;   /* rtnh_hops + 1; 1 for a single nexthop */
	uint8_t flags;     /* NR_RTNH_F_* */
};

/* IPv6 route preference (RTA_PREF): ICMPV6_ROUTER_PREF_* */
#define NR_RT_PREF_MEDIUM 0
#define NR_RT_PREF_HIGH 1
#define NR_RT_PREF_LOW 3

/*
 * Nexthops netrig keeps per route. iproute2's 4096-byte request holds about
 * 250 IPv4 gateway nexthops, so 256 covers what `ip route add` can make;
 * the kernel itself accepts more from other tools (up to what one 32 KiB
 * dump message holds). A route dumped with more keeps its first
 * NR_ROUTE_MAX_NH and is flagged NR_ROUTE_F_NH_TRUNCATED in flags.
 */
#define NR_ROUTE_MAX_NH 256
/* netrig's own bit in nr_route.flags (rtm_flags uses bits 0-29). */
#define NR_ROUTE_F_NH_TRUNCATED 0x80000000u

/*
 * A route. As a value handed to nr_stack_route_add() its nh array is the
 * caller's; routes returned by the stack point into the stack's storage
 * and stay valid until the stack is changed.
 */
struct nr_route {
	uint8_t family;   /* AF_INET or AF_INET6 */
	uint8_t type;     /* enum nr_rtype */
	uint8_t protocol; /* RTPROT_*: 2 kernel, 3 boot, 4 static... */
	uint8_t scope;    /* NR_SCOPE_* */
	uint8_t tos;      /* IPv4 TOS selector, 0 = any */
	uint8_t pref;     /* IPv6 RTA_PREF */
	uint32_t table;
	uint32_t metric;  /* RTA_PRIORITY */
	uint32_t flags;   /* rtm_flags (RTM_F_*) */
	uint32_t mtu;     /* RTAX_MTU, 0 if unset */
	struct nr_prefix dst;
	struct nr_prefix src;   /* RTA_SRC (IPv6 source-specific routing), len 0 = any */
	struct nr_addr prefsrc; /* RTA_PREFSRC or AF_UNSPEC */
	uint16_t nh_count;      /* 0 for reject/throw routes */
	const struct nr_nexthop *nh;
};

/* Rule actions (FR_ACT_*). */
enum nr_rule_action {
	NR_FR_ACT_UNSPEC = 0,
	NR_FR_ACT_TO_TBL = 1,
	NR_FR_ACT_GOTO = 2,
	NR_FR_ACT_NOP = 3,
	NR_FR_ACT_BLACKHOLE = 6,
	NR_FR_ACT_UNREACHABLE = 7,
	NR_FR_ACT_PROHIBIT = 8,
};

#define NR_FIB_RULE_PERMANENT 0x01u
#define NR_FIB_RULE_INVERT 0x02u
#define NR_FIB_RULE_UNRESOLVED 0x04u

struct nr_rule {
	uint8_t family;
	uint8_t action;  /* enum nr_rule_action */
	uint8_t tos;
	uint8_t protocol; /* who installed it (RTPROT_*) */
	uint32_t flags;   /* NR_FIB_RULE_* */
	uint32_t priority;
	uint32_t table;   /* FRA_TABLE or rtm_table */
	uint32_t goto_target;
	struct nr_prefix from; /* len 0 = any */
	struct nr_prefix to;
	char iifname[NR_IFNAMSIZ]; /* empty = any; "lo" matches locally generated traffic */
	char oifname[NR_IFNAMSIZ];
	uint32_t fwmark;
	uint32_t fwmask;          /* 0xffffffff when a mark is given without a mask */
	int32_t suppress_prefixlen; /* -1 = unset */
	int32_t suppress_ifgroup;   /* -1 = unset */
	uint8_t ip_proto;         /* 0 = any */
	uint16_t sport_lo, sport_hi, dport_lo, dport_hi; /* 0,0 = any */
	uint32_t uid_lo, uid_hi;  /* both 0 and uid_hi 0 = any (FRA_UID_RANGE absent) */
	bool has_uid_range;
};

const char *nr_rtype_name(uint8_t type);       /* "unicast", "local", ... */
int nr_rtype_parse(const char *s, uint8_t *ret);
const char *nr_rtprot_name(uint8_t proto, char *buf, size_t cap); /* "kernel", "boot", "static", number */
/* "main", "local", "default" or the number. */
const char *nr_table_name(uint32_t table, char *buf, size_t cap);
const char *nr_rule_action_name(uint8_t action);

#endif
