/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Source-address selection, as the Linux kernel (6.x) does it, answered
 * from an interface table whose address lists are in kernel dump order.
 *
 * IPv4 is inet_select_addr() (net/ipv4/devinet.c); IPv6 is
 * ipv6_dev_get_saddr() (net/ipv6/addrconf.c) with its RFC 6724 rules and the
 * kernel's default address-label table (net/ipv6/addrlabel.c).
 *
 * Why table order is enough: the kernel walks each device's address list in
 * the order a dump returns it. IPv4 keeps primaries ordered by scope, host
 * before link before global, equal scopes in the order added, secondaries
 * after them (__inet_insert_ifa); IPv6 keeps global before link-local, and
 * within one scope the newest address first (ipv6_link_dev_addr). Devices
 * are walked in ascending ifindex order (the kernel walks its device list,
 * which is registration order: lo first; a device moved in from another
 * namespace keeps its index but goes to the end of that list, which netrig
 * does not model).
 */
#ifndef NETRIG_SRCSEL_H
#define NETRIG_SRCSEL_H

#include "netrig/addr.h"
#include "netrig/iface.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * IPv4: inet_select_addr(dev = ifindex, dst, scope).
 *
 * Walks the primary (not NR_IFA_F_SECONDARY) IPv4 addresses of ifindex in
 * table order, skipping those whose scope is greater than `scope` (a
 * NR_SCOPE_NOWHERE address counts as host, as min(ifa_scope, RT_SCOPE_HOST)
 * does with route_localnet off); the first whose subnet contains dst wins
 * ("same-subnet"), else the first suitable one ("first-primary"). dst NULL,
 * AF_UNSPEC or 0.0.0.0 is the kernel's 0: the first suitable one wins. When
 * the device has none, the first primary address on any device, in ifindex
 * order, whose scope is not link and is <= scope ("other-device").
 * IFF_UP is not looked at: the kernel does not either.
 *
 * What the route-get engine passes (fib_result_prefsrc ->
 * fib_info_update_nhc_saddr(nh_dev, nh_gw4, fi->fib_scope)): used only when
 * the route has no prefsrc; dev = the nexthop's device, dst = the nexthop's
 * *gateway* (0 for a connected/on-link route, never the destination), scope
 * = the route's scope (RT_SCOPE_LINK for `dev` routes, UNIVERSE for `via`
 * routes, HOST for local routes). For multicast/limited broadcast with no
 * oif the kernel calls it with dst 0 and RT_SCOPE_LINK.
 *
 * Not modelled: route_localnet=1, VRF (l3mdev) masters.
 *
 * Returns 0 with *ret and *ret_reason ("same-subnet", "first-primary",
 * "other-device"; ret_reason may be NULL); -ENODEV when ifindex is not in
 * the table; -EINVAL when dst is not IPv4; -EADDRNOTAVAIL when no device
 * has a suitable address (the kernel then returns 0.0.0.0).
 */
int nr_srcsel4(const struct nr_iface_table *t, int ifindex, const struct nr_addr *dst, uint8_t scope,
	       struct nr_addr *ret, const char **ret_reason);

/*
 * nr_srcsel4 for the route decision's usual path: the gateway and the
 * answer as host-order words (dst 0: none), and the reason as 16 bytes,
 * the text zero-padded (every reason above is shorter), valid until this
 * thread's next nr_srcsel4* call. Same answers and errors otherwise
 * (-ENODEV without a table).
 */
int nr_srcsel4_word(const struct nr_iface_table *t, int ifindex, uint32_t dst, uint8_t scope,
		    uint32_t *ret_src, const char **ret_reason16);

/* __ipv6_addr_type() bits (include/net/ipv6.h). */
#define NR_IPV6_ADDR_ANY 0x0000
#define NR_IPV6_ADDR_UNICAST 0x0001
#define NR_IPV6_ADDR_MULTICAST 0x0002
#define NR_IPV6_ADDR_LOOPBACK 0x0010
#define NR_IPV6_ADDR_LINKLOCAL 0x0020
#define NR_IPV6_ADDR_SITELOCAL 0x0040
#define NR_IPV6_ADDR_COMPATv4 0x0080
#define NR_IPV6_ADDR_MAPPED 0x1000

/* Address scopes as the kernel numbers them (the multicast scope nibble). */
#define NR_IPV6_SCOPE_INVALID (-1)
#define NR_IPV6_SCOPE_NODELOCAL 0x01
#define NR_IPV6_SCOPE_LINKLOCAL 0x02
#define NR_IPV6_SCOPE_SITELOCAL 0x05
#define NR_IPV6_SCOPE_ORGLOCAL 0x08
#define NR_IPV6_SCOPE_GLOBAL 0x0e

/*
 * __ipv6_addr_type(): type bits in the low 16 bits, the scope in bits 16+.
 * Note the kernel's choices: ::1 has link-local scope (RFC 6724 3.4);
 * fc00::/7 (ULA), ::/96 and ::ffff:0:0/96 are global; multicast takes the
 * scope nibble of the address. a must be AF_INET6 (anything else: ANY).
 */
int nr_ipv6_addr_type(const struct nr_addr *a);
/* __ipv6_addr_src_scope(type): NR_IPV6_SCOPE_INVALID for ::, else type >> 16. */
int nr_ipv6_addr_src_scope(int type);
/* ipv6_addr_src_scope(): the scope RFC 6724 rule 2 compares. */
int nr_ipv6_addr_scope(const struct nr_addr *a);

/*
 * The label of a in the kernel's default policy table (ipv6_addr_label with
 * no `ip addrlabel` changes): ::1/128 0, ::/0 1, 2002::/16 2, ::/96 3,
 * ::ffff:0:0/96 4, fc00::/7 5, 2001::/32 6, 2001:10::/28 7, fec0::/10 11,
 * 3ffe::/16 12; longest prefix first. Never NR_IPV6_ADDR_LABEL_DEFAULT with
 * the default table (::/0 matches everything) but kept for callers that
 * compare.
 */
#define NR_IPV6_ADDR_LABEL_DEFAULT 0xffffffffu
uint32_t nr_ipv6_addr_label(const struct nr_addr *a);

/*
 * Kernel configuration and sysctls that change the IPv6 choice. The
 * defaults (nr_srcsel6_opts_default) are this project's test kernel:
 * CONFIG_IPV6_MIP6 off (Debian builds it as a module, which also leaves the
 * rule out), CONFIG_IPV6_OPTIMISTIC_DAD on, use_tempaddr 0,
 * optimistic_dad/use_optimistic 0, use_oif_addrs_only 0.
 */
struct nr_srcsel6_opts {
	bool rule_home;           /* rule 4 compiled in (CONFIG_IPV6_MIP6=y) */
	bool rule_not_optimistic; /* the last rule (CONFIG_IPV6_OPTIMISTIC_DAD) */
	bool use_optimistic;      /* optimistic_dad && use_optimistic sysctls */
	bool use_oif_addrs_only;  /* the output device's sysctl */
	int use_tempaddr;         /* >= 2 prefers temporary addresses (rule 7) */
};

void nr_srcsel6_opts_default(struct nr_srcsel6_opts *o);

/*
 * IPv6: ipv6_dev_get_saddr(net, dst_dev = ifindex (0: none), dst, prefs 0).
 *
 * Candidates: every interface's IPv6 addresses (interfaces in index order,
 * addresses in table order), or only the output device's when dst is
 * multicast or has link-local scope or less (fe80::/10, ::1, ff01::/16,
 * ff02::/16) and ifindex is not 0. Skipped: tentative addresses that are not
 * optimistic, dadfailed ones (the kernel keeps them tentative, so they are
 * skipped there too), ::, and multicast addresses. The interface's IFF_UP
 * is not looked at (nor does the kernel: a global address on a down link
 * is a candidate for a route through another link).
 *
 * Each candidate is compared with the best so far, rule by rule; the first
 * rule where they differ decides, a full tie keeps the earlier one:
 *   0 a best exists at all, 1 same address as dst, 2 scope (smallest scope
 *   >= dst's, else the largest), 3 avoid deprecated (and optimistic unless
 *   use_optimistic; loopback, v4-compatible and v4-mapped always pass),
 *   4 home address (rule_home only), 5 on the output interface, 6 label
 *   equal to dst's, 7 public (temporary when use_tempaddr >= 2), 8- ORCHID
 *   (2001:10::/28) on both or neither, 8 longest common prefix with dst,
 *   capped at the candidate's prefix length, 8+ not optimistic
 *   (rule_not_optimistic only).
 *
 * reason (cap bytes, may be NULL/0) names the rule that separates the
 * winner from its closest rival, the candidate that agrees with it on the
 * most rules: "rule 8 (longest match)", "rule 2 (scope)", ...; "rule 0
 * (only candidate)" when there was no other; "tie (first kept)" when a
 * rival equals the winner on every rule and the list order decided; on
 * -EADDRNOTAVAIL "no candidate". (Not the last comparison the kernel made:
 * that one often pits the winner against some unrelated link-local address
 * and would name rule 2 whatever really decided.)
 *
 * What the route-get engine passes (ip6_route_get_saddr): nothing when the
 * route has a prefsrc (that is the answer); else ifindex = the route's
 * nexthop device (fib6_info_nh_dev, also for local routes: the device that
 * owns the address), dst = the destination itself (not the gateway, unlike
 * IPv4), 0 only when there is no route.
 *
 * Returns 0 with *ret; -ENODEV when ifindex is not 0 and not in the table;
 * -EINVAL when dst is not AF_INET6; -EADDRNOTAVAIL when there is no
 * candidate.
 */
int nr_srcsel6(const struct nr_iface_table *t, int ifindex, const struct nr_addr *dst,
	       struct nr_addr *ret, char *reason, size_t cap);
/* The same with explicit options (NULL: the defaults). */
int nr_srcsel6_ex(const struct nr_iface_table *t, int ifindex, const struct nr_addr *dst,
		  const struct nr_srcsel6_opts *opts, struct nr_addr *ret, char *reason,
		  size_t cap);

#endif
