/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netns/ internals: a rtnetlink socket bound to one namespace, dumps that
 * survive NLM_F_DUMP_INTR, the kernel's errno and extended-ack text kept,
 * and the parsers from rtnetlink messages to netrig values. Not for
 * harness/: it sees netns.h only.
 */
#ifndef NETRIG_NLSOCK_H
#define NETRIG_NLSOCK_H

#include "netrig/netns.h"

#include <stddef.h>
#include <stdint.h>

struct nlattr;
struct nlmsghdr;
struct nl_sock;

/* "namespace 'x'", "own namespace" or the path, for messages. */
const char *nr_netns_what(const struct nr_netns *ns);

/*
 * The calling thread's network namespace, an fd to come back to with
 * nr_ns_thread_return, or a negative errno (err filled; NULL is fine).
 */
int nr_ns_thread_save(struct nr_os_error *err);
/*
 * The calling thread back into `saved` (setns; the caller closes it). A
 * thread that cannot return is stranded: every socket, link and route
 * after would act on the wrong namespace, so it says so on stderr,
 * naming `from` ("namespace 'x'"), and aborts.
 */
void nr_ns_thread_return(int saved, const char *from);

struct nr_nlsock;

/* A NETLINK_ROUTE socket created inside ns (NULL: the caller's), with
 * NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK and a 4 MiB receive buffer. */
int nr_nlsock_open(struct nr_netns *ns, struct nr_nlsock **ret, struct nr_os_error *err);
void nr_nlsock_close(struct nr_nlsock *s);
struct nl_sock *nr_nlsock_sk(struct nr_nlsock *s);

/*
 * Dump: send type with NLM_F_DUMP and the family header hdr (hdrlen
 * bytes), call fn for every message until NLMSG_DONE. fn returns 0 or a
 * negative errno (the rest of the dump is drained, then that error is
 * returned). When the kernel flags the dump NLM_F_DUMP_INTR (its table
 * changed meanwhile), reset(arg) drops what fn collected and the dump is
 * redone, a bounded number of times (-EAGAIN after that). what names the
 * request in messages ("RTM_GETROUTE").
 */
int nr_nlsock_dump(struct nr_nlsock *s, const char *what, uint16_t type, const void *hdr,
		   size_t hdrlen, int (*fn)(struct nlmsghdr *h, void *arg),
		   void (*reset)(void *arg), void *arg, struct nr_os_error *err);

/*
 * The routes of one family from the listed tables only (tables NULL:
 * every table), one filtered dump per table; a table the kernel does not
 * have holds no route. Nothing but routes is read.
 */
int nr_os_snapshot_read_tables(struct nr_netns *ns, int family, const uint32_t *tables,
			       size_t ntables, struct nr_os_snapshot **ret,
			       struct nr_os_error *err);

/*
 * The same routes (tables NULL: every table of family) dumped on a thread
 * of its own and handed over in chunks as they come, so the caller builds
 * its tables while the kernel dumps. next returns the next chunk (a
 * snapshot with routes only, the caller frees it) or NULL at the end or
 * after an interruption; end joins and returns the dump's result (0 or a
 * negative errno with err set) and says whether a dump was interrupted
 * (NLM_F_DUMP_INTR: the chunks handed over are not one consistent dump;
 * start again some other way). cancel: stop early (the caller failed).
 * NETRIG_TEST_STREAM_INTR in the environment fakes an interruption at
 * the end of the dump.
 */
struct nr_os_route_stream;
int nr_os_route_stream_start(struct nr_netns *ns, int family, const uint32_t *tables,
			     size_t ntables, struct nr_os_route_stream **ret,
			     struct nr_os_error *err);
struct nr_os_snapshot *nr_os_route_stream_next(struct nr_os_route_stream *st);
int nr_os_route_stream_end(struct nr_os_route_stream *st, bool cancel, bool *ret_intr,
			   struct nr_os_error *err);

/*
 * The extended-ack message of an NLMSG_ERROR or NLMSG_DONE message, copied
 * to buf (empty when the kernel gave none). Bounded by h->nlmsg_len.
 */
void nr_nlmsg_ext_ack(const struct nlmsghdr *h, char *buf, size_t cap);

/* Copy an address attribute of exactly the family's size; -EBADMSG otherwise. */
int nr_os_get_addr(const struct nlattr *a, int family, struct nr_addr *ret);
/*
 * A route's gateway from tb (parsed with RTA_VIA's minlen 2): RTA_GATEWAY
 * in the route's family, or RTA_VIA in its own (an IPv4 route via an IPv6
 * gateway, RFC 8950); AF_UNSPEC when neither. -EBADMSG for a wrong size.
 */
int nr_os_get_gateway(struct nlattr **tb, int family, struct nr_addr *ret);

/*
 * Parsers, rtnetlink message -> netrig value. Each returns 0, 1 when the
 * message is to be skipped (another family, a cloned route), or -EBADMSG
 * for a malformed message. A route with more than NR_ROUTE_MAX_NH
 * nexthops keeps the first ones and has NR_ROUTE_F_NH_TRUNCATED set.
 */
int nr_os_parse_link(struct nlmsghdr *h, struct nr_iface *ret);
int nr_os_parse_addr(struct nlmsghdr *h, struct nr_os_addr *ret);
/* nh must hold NR_ROUTE_MAX_NH entries; ret->nh points to it. */
int nr_os_parse_route(struct nlmsghdr *h, struct nr_route *ret, struct nr_nexthop *nh);
int nr_os_parse_rule(struct nlmsghdr *h, struct nr_rule *ret);
int nr_os_parse_neigh(struct nlmsghdr *h, struct nr_os_neigh *ret);

#endif
