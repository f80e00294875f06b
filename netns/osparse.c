/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rtnetlink messages -> netrig values. Pure functions of one message:
 * every length is checked against the message before it is read (libnl's
 * nlmsg_parse bounds the attributes; the policies give minimum sizes, and
 * address attributes are checked for their exact size here).
 */
#include "netrig/nlsock.h"

#include <errno.h>
#include <string.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

int nr_os_get_addr(const struct nlattr *a, int family, struct nr_addr *ret)
{
	int need = family == AF_INET ? 4 : family == AF_INET6 ? 16 : -1;

	if (need < 0 || nla_len(a) != need)
		return -EBADMSG;
	memset(ret, 0, sizeof(*ret));
	ret->family = (uint8_t)family;
	memcpy(ret->bytes, nla_data(a), (size_t)need);
	return 0;
}

static void get_lladdr(const struct nlattr *a, struct nr_lladdr *ret)
{
	int n = nla_len(a);

	/* Longer than NR_LLADDR_MAX does not exist in the kernel today;
	 * keep the prefix rather than refuse the link. */
	if (n > NR_LLADDR_MAX)
		n = NR_LLADDR_MAX;
	memset(ret, 0, sizeof(*ret));
	ret->len = (uint8_t)n;
	memcpy(ret->bytes, nla_data(a), (size_t)n);
}

static void get_name(const struct nlattr *a, char *buf, size_t cap)
{
	nla_strlcpy(buf, a, cap);
}

static bool family_ok(int family)
{
	return family == AF_INET || family == AF_INET6;
}

/* ---- links ---- */

static struct nla_policy link_policy[IFLA_MAX + 1] = {
	[IFLA_IFNAME] = { .type = NLA_STRING },
	[IFLA_MTU] = { .type = NLA_U32 },
	[IFLA_OPERSTATE] = { .type = NLA_U8 },
	[IFLA_LINK] = { .type = NLA_U32 },
	[IFLA_MASTER] = { .type = NLA_U32 },
	[IFLA_GROUP] = { .type = NLA_U32 },
	[IFLA_LINKINFO] = { .type = NLA_NESTED },
};

int nr_os_parse_link(struct nlmsghdr *h, struct nr_iface *ret)
{
	struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg ifi;
	struct nr_iface ifc;

	if (h->nlmsg_type != RTM_NEWLINK)
		return 1;
	if (!nlmsg_valid_hdr(h, sizeof(ifi)) ||
	    nlmsg_parse(h, sizeof(ifi), tb, IFLA_MAX, link_policy) < 0)
		return -EBADMSG;
	memcpy(&ifi, nlmsg_data(h), sizeof(ifi));
	memset(&ifc, 0, sizeof(ifc));
	ifc.index = ifi.ifi_index;
	ifc.type = ifi.ifi_type;
	ifc.flags = ifi.ifi_flags;
	if (!tb[IFLA_IFNAME] || ifc.index <= 0)
		return -EBADMSG;
	get_name(tb[IFLA_IFNAME], ifc.name, sizeof(ifc.name));
	if (tb[IFLA_MTU])
		ifc.mtu = nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_OPERSTATE])
		ifc.operstate = nla_get_u8(tb[IFLA_OPERSTATE]);
	if (tb[IFLA_ADDRESS])
		get_lladdr(tb[IFLA_ADDRESS], &ifc.lladdr);
	if (tb[IFLA_BROADCAST])
		get_lladdr(tb[IFLA_BROADCAST], &ifc.broadcast);
	if (tb[IFLA_LINK])
		ifc.link = (int)nla_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_MASTER])
		ifc.master = (int)nla_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_GROUP])
		ifc.group = nla_get_u32(tb[IFLA_GROUP]);
	if (tb[IFLA_LINKINFO]) {
		struct nlattr *li[IFLA_INFO_MAX + 1];

		if (nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0)
			return -EBADMSG;
		if (li[IFLA_INFO_KIND])
			get_name(li[IFLA_INFO_KIND], ifc.kind, sizeof(ifc.kind));
	}
	*ret = ifc;
	return 0;
}

/* ---- addresses ---- */

static struct nla_policy addr_policy[IFA_MAX + 1] = {
	[IFA_LABEL] = { .type = NLA_STRING },
	[IFA_FLAGS] = { .type = NLA_U32 },
	[IFA_CACHEINFO] = { .minlen = sizeof(struct ifa_cacheinfo) },
};

int nr_os_parse_addr(struct nlmsghdr *h, struct nr_os_addr *ret)
{
	struct nlattr *tb[IFA_MAX + 1];
	struct ifaddrmsg ifa;
	struct nr_os_addr oa;
	struct nlattr *local, *peer;

	if (h->nlmsg_type != RTM_NEWADDR)
		return 1;
	if (!nlmsg_valid_hdr(h, sizeof(ifa)) ||
	    nlmsg_parse(h, sizeof(ifa), tb, IFA_MAX, addr_policy) < 0)
		return -EBADMSG;
	memcpy(&ifa, nlmsg_data(h), sizeof(ifa));
	if (!family_ok(ifa.ifa_family))
		return 1;
	memset(&oa, 0, sizeof(oa));
	oa.ifindex = (int)ifa.ifa_index;
	oa.family = ifa.ifa_family;
	if (ifa.ifa_prefixlen > nr_addr_bits(ifa.ifa_family))
		return -EBADMSG;

	/* IFA_LOCAL is the address itself when present; IFA_ADDRESS is then
	 * the peer of a point-to-point link (both families). */
	local = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	peer = tb[IFA_LOCAL] ? tb[IFA_ADDRESS] : NULL;
	if (!local || nr_os_get_addr(local, ifa.ifa_family, &oa.a.local.addr) < 0)
		return -EBADMSG;
	oa.a.local.len = ifa.ifa_prefixlen;
	oa.a.peer.family = AF_UNSPEC;
	if (peer) {
		struct nr_addr p;

		if (nr_os_get_addr(peer, ifa.ifa_family, &p) < 0)
			return -EBADMSG;
		if (!nr_addr_eq(&p, &oa.a.local.addr))
			oa.a.peer = p;
	}
	oa.a.broadcast.family = AF_UNSPEC;
	if (tb[IFA_BROADCAST] && nr_os_get_addr(tb[IFA_BROADCAST], ifa.ifa_family, &oa.a.broadcast) < 0)
		return -EBADMSG;
	oa.a.scope = ifa.ifa_scope;
	/* ifa_flags has 8 bits; IFA_FLAGS carries all 32 (noprefixroute,
	 * managetempaddr...) and wins when present. */
	oa.a.flags = tb[IFA_FLAGS] ? nla_get_u32(tb[IFA_FLAGS]) : ifa.ifa_flags;
	oa.a.valid_lft = UINT32_MAX;
	oa.a.preferred_lft = UINT32_MAX;
	if (tb[IFA_CACHEINFO]) {
		struct ifa_cacheinfo ci;

		memcpy(&ci, nla_data(tb[IFA_CACHEINFO]), sizeof(ci));
		oa.a.valid_lft = ci.ifa_valid;
		oa.a.preferred_lft = ci.ifa_prefered;
	}
	if (tb[IFA_LABEL])
		get_name(tb[IFA_LABEL], oa.a.label, sizeof(oa.a.label));
	*ret = oa;
	return 0;
}

/* ---- routes ---- */

static struct nla_policy route_policy[RTA_MAX + 1] = {
	[RTA_TABLE] = { .type = NLA_U32 },
	[RTA_OIF] = { .type = NLA_U32 },
	[RTA_PRIORITY] = { .type = NLA_U32 },
	[RTA_PREF] = { .type = NLA_U8 },
	[RTA_METRICS] = { .type = NLA_NESTED },
	[RTA_MULTIPATH] = { .minlen = 0 },
	[RTA_VIA] = { .minlen = 2 },
};

int nr_os_get_gateway(struct nlattr **tb, int family, struct nr_addr *ret)
{
	ret->family = AF_UNSPEC;
	memset(ret->bytes, 0, sizeof(ret->bytes));
	if (tb[RTA_GATEWAY])
		return nr_os_get_addr(tb[RTA_GATEWAY], family, ret);
	if (tb[RTA_VIA]) {
		const uint8_t *p = nla_data(tb[RTA_VIA]);
		int len = nla_len(tb[RTA_VIA]);
		uint16_t vfam;
		int need;

		if (len < 2)
			return -EBADMSG;
		memcpy(&vfam, p, sizeof(vfam));
		need = vfam == AF_INET ? 4 : vfam == AF_INET6 ? 16 : -1;
		if (need < 0 || len - 2 != need)
			return -EBADMSG;
		ret->family = (uint8_t)vfam;
		memcpy(ret->bytes, p + 2, (size_t)need);
	}
	return 0;
}

/* More than NR_ROUTE_MAX_NH: the first ones are kept and *ret_truncated set. */
static int parse_multipath(const struct nlattr *mp, int family, struct nr_nexthop *nh,
			   uint16_t *ret_count, bool *ret_truncated)
{
	const uint8_t *p = nla_data(mp);
	size_t left = (size_t)nla_len(mp);
	uint16_t n = 0;
	bool truncated = false;

	while (left >= sizeof(struct rtnexthop)) {
		struct nlattr *tb[RTA_MAX + 1];
		struct rtnexthop rtnh;
		size_t step;

		memcpy(&rtnh, p, sizeof(rtnh));
		if (rtnh.rtnh_len < sizeof(rtnh) || rtnh.rtnh_len > left)
			return -EBADMSG;
		if (nla_parse(tb, RTA_MAX, (struct nlattr *)(p + sizeof(rtnh)),
			      (int)(rtnh.rtnh_len - sizeof(rtnh)), route_policy) < 0)
			return -EBADMSG;
		if (n < NR_ROUTE_MAX_NH) {
			memset(&nh[n], 0, sizeof(nh[n]));
			if (nr_os_get_gateway(tb, family, &nh[n].gw) < 0)
				return -EBADMSG;
			nh[n].ifindex = rtnh.rtnh_ifindex;
			nh[n].weight = (uint16_t)(rtnh.rtnh_hops + 1);
			nh[n].flags = rtnh.rtnh_flags;
			n++;
		} else {
			/* Still walked, so a malformed tail is still refused. */
			struct nr_addr scratch;

			if (nr_os_get_gateway(tb, family, &scratch) < 0)
				return -EBADMSG;
			truncated = true;
		}
		step = RTNH_ALIGN(rtnh.rtnh_len);
		if (step >= left)
			break;
		p += step;
		left -= step;
	}
	*ret_count = n;
	*ret_truncated = truncated;
	return 0;
}

static bool is_reject(uint8_t type)
{
	return type == RTN_BLACKHOLE || type == RTN_UNREACHABLE || type == RTN_PROHIBIT ||
	       type == RTN_THROW;
}

int nr_os_parse_route(struct nlmsghdr *h, struct nr_route *ret, struct nr_nexthop *nh)
{
	struct nlattr *tb[RTA_MAX + 1];
	struct rtmsg rtm;
	struct nr_route r;
	int r_;

	if (h->nlmsg_type != RTM_NEWROUTE)
		return 1;
	if (!nlmsg_valid_hdr(h, sizeof(rtm)) ||
	    nlmsg_parse(h, sizeof(rtm), tb, RTA_MAX, route_policy) < 0)
		return -EBADMSG;
	memcpy(&rtm, nlmsg_data(h), sizeof(rtm));
	/* Multicast routing caches (RTNL_FAMILY_IPMR...) and route cache
	 * exceptions are not routes of the FIB. */
	if (!family_ok(rtm.rtm_family) || (rtm.rtm_flags & RTM_F_CLONED))
		return 1;
	if (rtm.rtm_dst_len > nr_addr_bits(rtm.rtm_family) ||
	    rtm.rtm_src_len > nr_addr_bits(rtm.rtm_family))
		return -EBADMSG;

	memset(&r, 0, sizeof(r));
	r.family = rtm.rtm_family;
	r.type = rtm.rtm_type;
	r.protocol = rtm.rtm_protocol;
	r.scope = rtm.rtm_scope;
	r.tos = rtm.rtm_tos;
	r.flags = rtm.rtm_flags;
	/* rtm_table has 8 bits; RTA_TABLE has the real id. */
	r.table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm.rtm_table;
	r.dst.addr.family = r.family;
	r.dst.len = rtm.rtm_dst_len;
	if (tb[RTA_DST] && nr_os_get_addr(tb[RTA_DST], r.family, &r.dst.addr) < 0)
		return -EBADMSG;
	r.src.addr.family = r.family;
	r.src.len = rtm.rtm_src_len;
	if (tb[RTA_SRC] && nr_os_get_addr(tb[RTA_SRC], r.family, &r.src.addr) < 0)
		return -EBADMSG;
	r.prefsrc.family = AF_UNSPEC;
	if (tb[RTA_PREFSRC] && nr_os_get_addr(tb[RTA_PREFSRC], r.family, &r.prefsrc) < 0)
		return -EBADMSG;
	if (tb[RTA_PRIORITY])
		r.metric = nla_get_u32(tb[RTA_PRIORITY]);
	if (tb[RTA_PREF])
		r.pref = nla_get_u8(tb[RTA_PREF]);
	if (tb[RTA_METRICS]) {
		struct nlattr *mx[RTAX_MAX + 1];

		if (nla_parse_nested(mx, RTAX_MAX, tb[RTA_METRICS], NULL) < 0)
			return -EBADMSG;
		if (mx[RTAX_MTU]) {
			if (nla_len(mx[RTAX_MTU]) < 4)
				return -EBADMSG;
			r.mtu = nla_get_u32(mx[RTAX_MTU]);
		}
	}

	if (tb[RTA_MULTIPATH]) {
		bool truncated;

		r_ = parse_multipath(tb[RTA_MULTIPATH], r.family, nh, &r.nh_count, &truncated);
		if (r_ < 0)
			return r_;
		if (truncated)
			r.flags |= NR_ROUTE_F_NH_TRUNCATED;
	} else if (!is_reject(r.type)) {
		/* One nexthop: its flags live in the low byte of rtm_flags. */
		memset(&nh[0], 0, sizeof(nh[0]));
		if (nr_os_get_gateway(tb, r.family, &nh[0].gw) < 0)
			return -EBADMSG;
		if (tb[RTA_OIF])
			nh[0].ifindex = (int)nla_get_u32(tb[RTA_OIF]);
		nh[0].weight = 1;
		nh[0].flags = (uint8_t)(rtm.rtm_flags & 0xffu);
		r.nh_count = 1;
	}
	/* Reject and throw routes have no nexthop (route.h); IPv6 dumps
	 * them with dev lo, which says nothing about where packets go. */
	r.nh = nh;
	*ret = r;
	return 0;
}

/* ---- rules ---- */

static struct nla_policy rule_policy[FRA_MAX + 1] = {
	[FRA_PRIORITY] = { .type = NLA_U32 },
	[FRA_TABLE] = { .type = NLA_U32 },
	[FRA_GOTO] = { .type = NLA_U32 },
	[FRA_FWMARK] = { .type = NLA_U32 },
	[FRA_FWMASK] = { .type = NLA_U32 },
	[FRA_SUPPRESS_PREFIXLEN] = { .type = NLA_U32 },
	[FRA_SUPPRESS_IFGROUP] = { .type = NLA_U32 },
	[FRA_IIFNAME] = { .type = NLA_STRING },
	[FRA_OIFNAME] = { .type = NLA_STRING },
	[FRA_IP_PROTO] = { .type = NLA_U8 },
	[FRA_PROTOCOL] = { .type = NLA_U8 },
	[FRA_SPORT_RANGE] = { .minlen = sizeof(struct fib_rule_port_range) },
	[FRA_DPORT_RANGE] = { .minlen = sizeof(struct fib_rule_port_range) },
	[FRA_UID_RANGE] = { .minlen = sizeof(struct fib_rule_uid_range) },
};

int nr_os_parse_rule(struct nlmsghdr *h, struct nr_rule *ret)
{
	struct nlattr *tb[FRA_MAX + 1];
	struct fib_rule_hdr frh;
	struct nr_rule r;

	if (h->nlmsg_type != RTM_NEWRULE)
		return 1;
	if (!nlmsg_valid_hdr(h, sizeof(frh)) ||
	    nlmsg_parse(h, sizeof(frh), tb, FRA_MAX, rule_policy) < 0)
		return -EBADMSG;
	memcpy(&frh, nlmsg_data(h), sizeof(frh));
	if (!family_ok(frh.family))
		return 1;
	if (frh.dst_len > nr_addr_bits(frh.family) || frh.src_len > nr_addr_bits(frh.family))
		return -EBADMSG;

	memset(&r, 0, sizeof(r));
	r.family = frh.family;
	r.action = frh.action;
	r.tos = frh.tos;
	r.flags = frh.flags;
	r.table = tb[FRA_TABLE] ? nla_get_u32(tb[FRA_TABLE]) : frh.table;
	if (tb[FRA_PRIORITY])
		r.priority = nla_get_u32(tb[FRA_PRIORITY]);
	if (tb[FRA_GOTO])
		r.goto_target = nla_get_u32(tb[FRA_GOTO]);
	r.from.addr.family = r.family;
	r.from.len = frh.src_len;
	if (tb[FRA_SRC] && nr_os_get_addr(tb[FRA_SRC], r.family, &r.from.addr) < 0)
		return -EBADMSG;
	r.to.addr.family = r.family;
	r.to.len = frh.dst_len;
	if (tb[FRA_DST] && nr_os_get_addr(tb[FRA_DST], r.family, &r.to.addr) < 0)
		return -EBADMSG;
	if (tb[FRA_IIFNAME])
		get_name(tb[FRA_IIFNAME], r.iifname, sizeof(r.iifname));
	if (tb[FRA_OIFNAME])
		get_name(tb[FRA_OIFNAME], r.oifname, sizeof(r.oifname));
	if (tb[FRA_FWMARK])
		r.fwmark = nla_get_u32(tb[FRA_FWMARK]);
	if (tb[FRA_FWMASK])
		r.fwmask = nla_get_u32(tb[FRA_FWMASK]);
	else if (r.fwmark)
		r.fwmask = UINT32_MAX;
	/* The kernel leaves both out when unset (-1). */
	r.suppress_prefixlen = tb[FRA_SUPPRESS_PREFIXLEN] ?
				       (int32_t)nla_get_u32(tb[FRA_SUPPRESS_PREFIXLEN]) : -1;
	r.suppress_ifgroup = tb[FRA_SUPPRESS_IFGROUP] ?
				     (int32_t)nla_get_u32(tb[FRA_SUPPRESS_IFGROUP]) : -1;
	if (tb[FRA_IP_PROTO])
		r.ip_proto = nla_get_u8(tb[FRA_IP_PROTO]);
	if (tb[FRA_PROTOCOL])
		r.protocol = nla_get_u8(tb[FRA_PROTOCOL]);
	if (tb[FRA_SPORT_RANGE]) {
		struct fib_rule_port_range pr;

		memcpy(&pr, nla_data(tb[FRA_SPORT_RANGE]), sizeof(pr));
		r.sport_lo = pr.start;
		r.sport_hi = pr.end;
	}
	if (tb[FRA_DPORT_RANGE]) {
		struct fib_rule_port_range pr;

		memcpy(&pr, nla_data(tb[FRA_DPORT_RANGE]), sizeof(pr));
		r.dport_lo = pr.start;
		r.dport_hi = pr.end;
	}
	if (tb[FRA_UID_RANGE]) {
		struct fib_rule_uid_range ur;

		memcpy(&ur, nla_data(tb[FRA_UID_RANGE]), sizeof(ur));
		r.uid_lo = ur.start;
		r.uid_hi = ur.end;
		r.has_uid_range = true;
	}
	*ret = r;
	return 0;
}

/* ---- neighbours ---- */

int nr_os_parse_neigh(struct nlmsghdr *h, struct nr_os_neigh *ret)
{
	struct nlattr *tb[NDA_MAX + 1];
	struct ndmsg ndm;
	struct nr_os_neigh n;

	if (h->nlmsg_type != RTM_NEWNEIGH)
		return 1;
	if (!nlmsg_valid_hdr(h, sizeof(ndm)) ||
	    nlmsg_parse(h, sizeof(ndm), tb, NDA_MAX, NULL) < 0)
		return -EBADMSG;
	memcpy(&ndm, nlmsg_data(h), sizeof(ndm));
	if (!family_ok(ndm.ndm_family))
		return 1;
	memset(&n, 0, sizeof(n));
	n.family = ndm.ndm_family;
	n.ifindex = ndm.ndm_ifindex;
	n.state = ndm.ndm_state;
	n.flags = ndm.ndm_flags;
	n.type = ndm.ndm_type;
	if (!tb[NDA_DST] || nr_os_get_addr(tb[NDA_DST], n.family, &n.dst) < 0)
		return -EBADMSG;
	if (tb[NDA_LLADDR])
		get_lladdr(tb[NDA_LLADDR], &n.lladdr);
	*ret = n;
	return 0;
}
