/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Names of route types, protocols, tables and rule actions, spelled as
 * iproute2 prints them (lib/rt_names.c and /usr/share/iproute2/rt_protos),
 * so text and JSON output read like `ip route` / `ip rule`.
 */
#include "netrig/route.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const rtype_names[] = {
	[NR_RTN_UNSPEC] = "unspec",       [NR_RTN_UNICAST] = "unicast",
	[NR_RTN_LOCAL] = "local",         [NR_RTN_BROADCAST] = "broadcast",
	[NR_RTN_ANYCAST] = "anycast",     [NR_RTN_MULTICAST] = "multicast",
	[NR_RTN_BLACKHOLE] = "blackhole", [NR_RTN_UNREACHABLE] = "unreachable",
	[NR_RTN_PROHIBIT] = "prohibit",   [NR_RTN_THROW] = "throw",
	[NR_RTN_NAT] = "nat",             [11] = "xresolve",
};

/* NULL for a number the kernel does not define. */
const char *nr_rtype_name(uint8_t type)
{
	if (type >= sizeof(rtype_names) / sizeof(rtype_names[0]))
		return NULL;
	return rtype_names[type];
}

int nr_rtype_parse(const char *s, uint8_t *ret)
{
	if (!s || !ret)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(rtype_names) / sizeof(rtype_names[0]); i++) {
		if (strcmp(s, rtype_names[i]) == 0) {
			*ret = (uint8_t)i;
			return 0;
		}
	}
	return -EINVAL;
}

static const struct {
	uint8_t id;
	const char *name;
} rtprot_names[] = {
	{0, "unspec"},   {1, "redirect"},   {2, "kernel"},    {3, "boot"},  {4, "static"},
	{8, "gated"},    {9, "ra"},         {10, "mrt"},      {11, "zebra"}, {12, "bird"},
	{13, "dnrouted"}, {14, "xorp"},     {15, "ntk"},      {16, "dhcp"}, {17, "mrouted"},
	{18, "keepalived"}, {42, "babel"},  {99, "openr"},    {186, "bgp"}, {187, "isis"},
	{188, "ospf"},   {189, "rip"},      {192, "eigrp"},
};

const char *nr_rtprot_name(uint8_t proto, char *buf, size_t cap)
{
	for (size_t i = 0; i < sizeof(rtprot_names) / sizeof(rtprot_names[0]); i++)
		if (rtprot_names[i].id == proto)
			return rtprot_names[i].name;
	if (buf && cap)
		snprintf(buf, cap, "%u", (unsigned)proto);
	return buf;
}

const char *nr_table_name(uint32_t table, char *buf, size_t cap)
{
	switch (table) {
	case NR_TABLE_UNSPEC:
		return "unspec";
	case NR_TABLE_DEFAULT:
		return "default";
	case NR_TABLE_MAIN:
		return "main";
	case NR_TABLE_LOCAL:
		return "local";
	default:
		break;
	}
	if (buf && cap)
		snprintf(buf, cap, "%u", (unsigned)table);
	return buf;
}

/* iproute2's words: `ip rule` prints "lookup", "goto", "nop", or the reject kind. */
const char *nr_rule_action_name(uint8_t action)
{
	switch (action) {
	case NR_FR_ACT_UNSPEC:
		return "unspec";
	case NR_FR_ACT_TO_TBL:
		return "lookup";
	case NR_FR_ACT_GOTO:
		return "goto";
	case NR_FR_ACT_NOP:
		return "nop";
	case NR_FR_ACT_BLACKHOLE:
		return "blackhole";
	case NR_FR_ACT_UNREACHABLE:
		return "unreachable";
	case NR_FR_ACT_PROHIBIT:
		return "prohibit";
	default:
		return NULL;
	}
}
