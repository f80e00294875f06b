/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The interface table: what `ip -d link` and `ip addr` show, kept in the
 * kernel's order (addresses in the order the kernel dumps them, which is
 * the order inet_select_addr and ipv6_dev_get_saddr walk).
 */
#ifndef NETRIG_IFACE_H
#define NETRIG_IFACE_H

#include "netrig/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* IFA_F_* values (linux/if_addr.h), repeated so stack/ needs only libc. */
#define NR_IFA_F_SECONDARY 0x01u
#define NR_IFA_F_NODAD 0x02u
#define NR_IFA_F_OPTIMISTIC 0x04u
#define NR_IFA_F_DADFAILED 0x08u
#define NR_IFA_F_HOMEADDRESS 0x10u
#define NR_IFA_F_DEPRECATED 0x20u
#define NR_IFA_F_TENTATIVE 0x40u
#define NR_IFA_F_PERMANENT 0x80u
#define NR_IFA_F_MANAGETEMPADDR 0x100u
#define NR_IFA_F_NOPREFIXROUTE 0x200u
#define NR_IFA_F_MCAUTOJOIN 0x400u
#define NR_IFA_F_STABLE_PRIVACY 0x800u
/* IPv6 gives bit 0 another meaning: IFA_F_TEMPORARY (a privacy address). */
#define NR_IFA_F_TEMPORARY 0x01u

/* The IFF_* bits stack/ looks at (net/if.h), repeated so stack/ needs only libc. */
#define NR_IFF_UP 0x1u
#define NR_IFF_LOOPBACK 0x8u
#define NR_IFF_RUNNING 0x40u

/* RT_SCOPE_* values (linux/rtnetlink.h). */
#define NR_SCOPE_UNIVERSE 0
#define NR_SCOPE_SITE 200
#define NR_SCOPE_LINK 253
#define NR_SCOPE_HOST 254
#define NR_SCOPE_NOWHERE 255

/* IF_OPER_* values (linux/if.h). */
enum nr_operstate {
	NR_OPER_UNKNOWN = 0,
	NR_OPER_NOTPRESENT = 1,
	NR_OPER_DOWN = 2,
	NR_OPER_LOWERLAYERDOWN = 3,
	NR_OPER_TESTING = 4,
	NR_OPER_DORMANT = 5,
	NR_OPER_UP = 6,
};

struct nr_ifaddr {
	struct nr_prefix local;   /* IFA_LOCAL (IPv4) / IFA_ADDRESS (IPv6) + prefix length */
	struct nr_addr peer;      /* IFA_ADDRESS when it differs (point-to-point), else AF_UNSPEC */
	struct nr_addr broadcast; /* IFA_BROADCAST or AF_UNSPEC */
	uint8_t scope;            /* NR_SCOPE_* */
	uint32_t flags;           /* NR_IFA_F_* (IFA_FLAGS, 32 bits) */
	uint32_t valid_lft;       /* seconds, UINT32_MAX = forever */
	uint32_t preferred_lft;
	char label[NR_IFNAMSIZ];  /* IPv4 label ("eth0:1"), empty otherwise */
};

struct nr_iface {
	int index;
	char name[NR_IFNAMSIZ];
	char kind[16];      /* IFLA_INFO_KIND: "veth", "tun", "bridge"... empty if none */
	uint32_t flags;     /* IFF_* (ifi_flags, 32 bits; NR_IFF_* for the ones stack/ uses) */
	uint32_t mtu;
	uint8_t operstate;  /* enum nr_operstate */
	uint16_t type;      /* ARPHRD_* */
	struct nr_lladdr lladdr;
	struct nr_lladdr broadcast;
	int link;           /* IFLA_LINK (peer index), 0 if none */
	int master;         /* IFLA_MASTER, 0 if none */
	uint32_t group;
	size_t naddrs;
	struct nr_ifaddr *addrs; /* owned by the table; kernel dump order */
};

struct nr_iface_table;

struct nr_iface_table *nr_iface_table_new(void);
void nr_iface_table_free(struct nr_iface_table *t);

/*
 * Add or replace (same index) an interface. Its addresses are not taken
 * from ifc (ifc->addrs is ignored); add them with nr_iface_addr_add.
 * -EEXIST if another index already has that name.
 */
int nr_iface_add(struct nr_iface_table *t, const struct nr_iface *ifc);
int nr_iface_del(struct nr_iface_table *t, int index);

/* Append an address (kernel dump order). -ENODEV, -EEXIST (same local+len). */
int nr_iface_addr_add(struct nr_iface_table *t, int index, const struct nr_ifaddr *a);
/* Remove the address equal to local (prefix length included). -ENOENT. */
int nr_iface_addr_del(struct nr_iface_table *t, int index, const struct nr_prefix *local);

size_t nr_iface_count(const struct nr_iface_table *t);
/*
 * Changes with every successful add, replace or delete of an interface or
 * address, never 0 for a table, and unique across all tables of the
 * process: what a cache derived from a table keys on.
 */
uint64_t nr_iface_generation(const struct nr_iface_table *t);
/* i-th interface in ascending index order; NULL past the end. */
const struct nr_iface *nr_iface_at(const struct nr_iface_table *t, size_t i);
const struct nr_iface *nr_iface_by_index(const struct nr_iface_table *t, int index);
const struct nr_iface *nr_iface_by_name(const struct nr_iface_table *t, const char *name);

/* The interface that owns address a (any family), or NULL. */
const struct nr_iface *nr_iface_by_addr(const struct nr_iface_table *t, const struct nr_addr *a,
					const struct nr_ifaddr **ret_addr);

/* Name of IFF_* bit `bit` ("UP", "BROADCAST", ... "ECHO"), NULL if unknown. */
const char *nr_iff_name(uint32_t bit);
/* Name of an NR_IFA_F_* bit ("secondary", "nodad", ...), NULL if unknown. */
const char *nr_ifa_flag_name(uint32_t bit);
/* The same for one family: bit 0 is "temporary" for AF_INET6, as iproute2 prints it. */
const char *nr_ifa_flag_name_af(int family, uint32_t bit);
/* "global", "site", "link", "host", "nowhere", or the number. */
const char *nr_scope_name(uint8_t scope, char *buf, size_t cap);
const char *nr_operstate_name(uint8_t operstate);

/*
 * Scapy's helpers, answered from the table:
 * get_if_addr: the first primary IPv4 address of the interface (-ENODEV,
 * -EADDRNOTAVAIL when it has none); get_if_hwaddr: its link-layer address;
 * get_if_addr6: its first global-scope IPv6 address that is neither
 * tentative nor dadfailed (deprecated only if nothing else).
 */
int nr_iface_get_addr4(const struct nr_iface_table *t, const char *name, struct nr_addr *ret);
int nr_iface_get_hwaddr(const struct nr_iface_table *t, const char *name, struct nr_lladdr *ret);
int nr_iface_get_addr6(const struct nr_iface_table *t, const char *name, struct nr_addr *ret);

#endif
