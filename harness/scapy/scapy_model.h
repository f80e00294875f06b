/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Scapy 2.5.0's view of a host (Debian python3-scapy 2.5.0), modelled in C
 * from netrig's own tables: the lists conf.route.routes and
 * conf.route6.routes that 2.5.0 loads on Linux, conf.route.route() and
 * conf.route6.route() with their exact algorithms and bugs, Scapy's table
 * printers, the cause of each divergence from the kernel, and a bridge to
 * the real Scapy. Reference: /work/shared/reference/scapy-stack.md,
 * sections 1-3 and 9 ("[9.n]" below cites its items).
 *
 * How the lists are derived from a struct nr_stack (what 2.5.0 reads):
 *  IPv4 (arch/linux.py:read_routes)
 *   - the synthetic loopback route first: lo's SIOCGIFADDR address (the
 *     first IPv4 address of lo whose label is "lo"), masked, metric 1;
 *   - then /proc/net/route = table main only, in the kernel's fib-trie
 *     order (prefix address ascending, then longer prefix first, then the
 *     kernel's order within one prefix, which the stack keeps); broadcast
 *     and multicast routes are not listed by the kernel, unreachable and
 *     prohibit carry RTF_REJECT and are dropped; blackhole and throw stay
 *     with iface "*" [9.1]; ECMP gives the first nexthop only [9.2];
 *   - src = SIOCGIFADDR of the device: its first address whose label is the
 *     device name (an empty label in the stack counts as the device name);
 *     "0.0.0.0" when there is none; prefsrc is ignored [9.9];
 *   - the alias heuristic (get_alias_address): when src & mask != net,
 *     SIOCGIFCONF's labels (interfaces in ascending index order, addresses
 *     in table order, at most 102 entries as Scapy's 4096-byte buffer
 *     holds) starting with the device name and containing ':' are tried;
 *     the first whose address & its own mask == net replaces the route
 *     (with the alias's mask).
 *  IPv6 (arch/linux.py:read_routes6)
 *   - /proc/net/ipv6_route = every table [9.3], tables in the kernel's hash
 *     order (id & 255 ascending; two tables in one bucket, e.g. 100 and
 *     356, are listed newest first by the kernel: here id ascending, which
 *     can differ), routes in the fib6 tree's post-order (a prefix after
 *     every prefix it contains; otherwise address order), one line per
 *     ECMP nexthop;
 *   - blackhole, unreachable, prohibit, throw (RTF_REJECT) dropped, and so
 *     are routes through a loopback device that the kernel turns into
 *     reject routes; dev lo: "::" dropped, candidate set ["::1"];
 *   - other routes: candidate set from in6_getifaddr (addresses of the
 *     device with the kernel's scope: global 0x00, link 0x20, site 0x40)
 *     by construct_source_candidate_set, sorted by its (inconsistent)
 *     comparator with CPython's sort; an empty set drops the route [9.12].
 *     /proc/net/if_inet6 lists addresses in hash order, which depends on a
 *     random per-namespace seed: the model assumes interface index order,
 *     then table order, unless nr_scapy_model_set_if_inet6() gives the
 *     order Scapy saw (the bridge reports it).
 *  route6() sorts the chosen routes' candidate sets in place, as Scapy
 *  does, and caches answers per destination string: answers can depend on
 *  the order of earlier queries exactly as in Scapy. nr_scapy_route()
 *  therefore changes internal state although the model is const; it is not
 *  thread-safe.
 *  (Answers that cannot change later, those from single-candidate lists,
 *  are not cached: same answers, bounded memory in batch mode.)
 *  Lookups scan the lists linearly, as Scapy does.
 *  Not modelled: host names (Scapy resolves them), routes using nexthop
 *  objects or IPv6 source-specific subtrees, candidate lists of 64 or more
 *  addresses (CPython then merges runs; see model_int.h), and the device
 *  list order of SIOCGIFCONF and /proc/net/dev, taken as ifindex order.
 *  conf.iface (used for link-local destinations) is get_working_if():
 *  the interface of the IPv4 route with the smallest mask that is UP, else
 *  the first UP interface, else lo.
 */
#ifndef NETRIG_SCAPY_MODEL_H
#define NETRIG_SCAPY_MODEL_H

#include "netrig/addr.h"
#include "netrig/stack.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct nr_netns;
struct nr_scapy_model;

/* Scapy's answer: the tuple (iface, src, gw) as text. */
struct nr_scapy_answer {
	char iface[32];
	char src[46];
	char gw[46];
	bool no_route; /* Scapy warned "No route found" and answered lo */
};

/*
 * Build the model from s. s must outlive the model and not change while
 * the model lives (routes are referenced, not copied).
 */
int nr_scapy_model_new(const struct nr_stack *s, struct nr_scapy_model **ret);
void nr_scapy_model_free(struct nr_scapy_model *m);

/*
 * Answer as 2.5.0 would: a destination containing ':' goes to
 * conf.route6.route(), anything else (NULL or "" too) to conf.route.route().
 * Scapy's input forms are accepted ("198.51.100.*", "203.0.113.1-5",
 * "2001:db8::/64", "1.2.3" as inet_aton reads it); host names are not
 * resolved: -EINVAL. 0 on success.
 */
int nr_scapy_route(const struct nr_scapy_model *m, const char *dst, struct nr_scapy_answer *ret);

/* One conf.route.routes entry; addresses in host order, 0 = "0.0.0.0". */
#define NR_SCAPY_FROM_PROC 0  /* a /proc/net/route line */
#define NR_SCAPY_SYNTH_LO 1   /* the synthetic loopback route */
#define NR_SCAPY_ALIAS 2      /* replaced by the alias heuristic */
struct nr_scapy_route4 {
	uint32_t net;
	uint32_t mask;
	uint32_t gw;
	char iface[NR_IFNAMSIZ]; /* "*" when the kernel route has no device */
	uint32_t src;
	uint32_t metric;
	uint8_t origin;               /* NR_SCAPY_FROM_PROC, ... */
	const struct nr_route *route; /* the stack's route; NULL for SYNTH_LO */
};

/* One conf.route6.routes entry. */
struct nr_scapy_route6 {
	struct nr_addr prefix;
	uint8_t plen;
	struct nr_addr nh;       /* :: when on-link */
	char iface[NR_IFNAMSIZ];
	uint32_t metric;
	size_t ncset;
	struct nr_addr *cset;    /* current order (route6() reorders it) */
	const struct nr_route *route;
	uint16_t nh_index;       /* which ECMP nexthop this line is */
};

size_t nr_scapy_model_routes4(const struct nr_scapy_model *m, const struct nr_scapy_route4 **ret);
size_t nr_scapy_model_routes6(const struct nr_scapy_model *m, const struct nr_scapy_route6 **ret);
/* conf.iface's name. */
const char *nr_scapy_model_conf_iface(const struct nr_scapy_model *m);

/* One in6_getifaddr() entry: (addr, kernel scope, iface). */
struct nr_scapy_addr6 {
	struct nr_addr addr;
	unsigned scope;              /* 0x00 global, 0x10 loopback, 0x20 link, 0x40 site, 0x80 v4-compat */
	char ifname[NR_IFNAMSIZ];
};
/*
 * Replace the model's assumed /proc/net/if_inet6 order by the one given
 * (e.g. in6_getifaddr() from the real Scapy) and rebuild the IPv6 list.
 * Forgets earlier route6() answers.
 */
int nr_scapy_model_set_if_inet6(struct nr_scapy_model *m, const struct nr_scapy_addr6 *a, size_t n);
/* The kernel's scope of an IPv6 address as /proc/net/if_inet6 prints it. */
unsigned nr_scapy_kernel_scope6(const struct nr_addr *a);

/*
 * Printers: repr(conf.route) and repr(conf.route6) of 2.5.0, byte for byte
 * (rows sorted as strings, two-space columns, trailing spaces kept, no
 * final newline), as with conf.auto_crop_tables=False or a wide terminal.
 * Return a malloc'd string, NULL on allocation failure.
 */
char *nr_scapy_format_routes4(const struct nr_scapy_model *m);
char *nr_scapy_format_routes6(const struct nr_scapy_model *m);
/* Scapy's tuple text: ('eth0', '198.51.100.1', '198.51.100.254'). */
char *nr_scapy_format_answer(const struct nr_scapy_answer *a, char *buf, size_t cap);

/*
 * The kernel's answer for one destination, as `ip route get` gives it
 * (netns.h's nr_kroute_answer carries the same, with an ifindex).
 */
struct nr_scapy_kernel {
	int error;              /* 0, or the kernel's negative errno */
	uint8_t type;           /* enum nr_rtype of the route used */
	uint32_t table;
	char dev[NR_IFNAMSIZ];  /* output device, "" on error */
	struct nr_addr gw;      /* AF_UNSPEC when on-link */
	struct nr_addr src;     /* AF_UNSPEC when none */
};

/* Whether Scapy's answer a is the kernel's k (no route on both sides agrees). */
bool nr_scapy_agrees(const struct nr_scapy_kernel *k, const struct nr_scapy_answer *a);

/*
 * Why Scapy's answer a for dst differs from the kernel's k: a constant
 * text citing the reference's section 9 ("prefsrc ignored [9.9]"), or NULL
 * when they agree. m (the model a came from) is consulted to see which
 * Scapy route was used and what the stack holds.
 * "unexplained divergence" when no known cause fits.
 */
const char *nr_scapy_divergence(const struct nr_scapy_model *m, const char *dst,
				const struct nr_scapy_kernel *k, const struct nr_scapy_answer *a);

/*
 * The bridge: runs the real Scapy 2.5.0 (/usr/bin/python3, a script
 * embedded in netrig) inside ns (NULL: the caller's namespace), asks
 * route()/route6() for each destination in order, and returns its tables
 * and answers.
 * Time: the child gets NR_SCAPY_BRIDGE_BASE_MS (Python and Scapy start,
 * tables read) plus NR_SCAPY_BRIDGE_PER_DST_MS per destination, never more
 * than timeout_ms (0: NR_SCAPY_BRIDGE_MAX_MS); past that it is killed and
 * the call fails with -ETIMEDOUT. timeout_ms is thus a cap, not the wait:
 * a caller passing 600000 for ten destinations waits at most 30.5 s.
 * Errors: -ENOENT /usr/bin/python3 missing, -ENOPKG Scapy not importable,
 * -ETIMEDOUT, -EPROTO unreadable output or Scapy failed, or the errno of
 * entering ns (-EPERM...); errmsg says what to do.
 */
#define NR_SCAPY_BRIDGE_BASE_MS 30000u
#define NR_SCAPY_BRIDGE_PER_DST_MS 50u
#define NR_SCAPY_BRIDGE_MAX_MS 600000u
/* The deadline nr_scapy_bridge_run uses for n destinations and a cap. */
unsigned nr_scapy_bridge_timeout(size_t n, unsigned timeout_ms);

struct nr_scapy_bridge_answer {
	struct nr_scapy_answer a;
	char error[128]; /* a Python exception for this destination, "" if none */
};

struct nr_scapy_bridge_result {
	char version[16];      /* scapy.VERSION */
	char conf_iface[32];
	size_t nroutes4;
	struct nr_scapy_route4 *routes4; /* route pointers NULL */
	size_t nroutes6;
	struct nr_scapy_route6 *routes6; /* cset owned by the result */
	size_t naddr6;
	struct nr_scapy_addr6 *if_inet6; /* in6_getifaddr() */
	char *routes4_text;    /* repr(conf.route), uncropped */
	char *routes6_text;    /* repr(conf.route6), uncropped */
	size_t nanswers;
	struct nr_scapy_bridge_answer *answers; /* answers[i] for dsts[i] */
};

int nr_scapy_bridge_run(struct nr_netns *ns, const char *const *dsts, size_t n,
			unsigned timeout_ms, struct nr_scapy_bridge_result **ret, char *errmsg,
			size_t cap);
void nr_scapy_bridge_result_free(struct nr_scapy_bridge_result *r);
/* The embedded script (NUL-terminated), for `python3 -c` or inspection. */
extern const char nr_scapy_bridge_py[];

#endif
