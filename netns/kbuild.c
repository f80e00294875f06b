/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The builder: rtnetlink requests queued, sent many to a datagram, their
 * acks matched by sequence number. Messages are built with libnl's
 * nlmsg/nla helpers; sending and reading acks are ours, because libnl
 * reads one ack per request and turns the kernel's extended ack into
 * "Unspecific failure".
 *
 * The kernel runs every message of a datagram in order inside sendmsg()
 * and queues one ack per message; a round is sized so that all its acks
 * fit in the socket's receive buffer (an ack that does not fit is dropped
 * and only ENOBUFS says so).
 */
#include "netrig/kbuild.h"
#include "netrig/nlerr.h"
#include "netrig/nlsock.h"

#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/fib_rules.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* One datagram: well under the default netlink send buffer (208 KiB). */
#define KB_DGRAM_MAX 65536
/* Room for a route with NR_ROUTE_MAX_NH IPv6 nexthops via another family. */
#define KB_MSG_SIZE 8192
#define KB_RBUF_SIZE 65536
/* What one queued ack costs in the receive buffer (skb truesize), rounded up. */
#define KB_ACK_COST 2048
/* An echoed RTM_NEWLINK (a whole link dump with its stats) costs more. */
#define KB_ECHO_COST 8192
#define KB_WINDOW_MIN 8
#define KB_WINDOW_MAX 1024

/* A u32 attribute whose value is the ifindex of a name, looked up when
 * the request is sent: the named link may be created earlier in the same
 * queue. */
struct kb_patch {
	uint32_t off; /* of the u32 payload, from the message start */
	char name[IFNAMSIZ];
};

struct kb_req {
	struct nl_msg *msg;
	long tag;
	int ns_fd;    /* IFLA_NET_NS_FD refers to it: kept open until sent */
	struct nr_netns *run_in; /* sent from a socket in that namespace, after the rest */
	uint8_t npatch;
	struct kb_patch patch[2];
	bool veth;        /* the echo's IFLA_LINK is the peer's index */
	int *out_index;   /* nr_kb_want_index: written when the request succeeds */
	int *out_peer;
	int got_index, got_peer; /* from the echo, 0 until it came */
	char what[64]; /* "RTM_NEWLINK veth va" */
};

struct nr_kb {
	struct nr_nlsock *s;
	int fd;
	uint32_t seq;
	long tag;
	struct kb_req *q;
	size_t n, cap;
	long last_create; /* index in q of the last creating RTM_NEWLINK, -1 none */
	size_t window;    /* in KB_ACK_COST units */
	uint8_t *sbuf;
	uint8_t *rbuf;
};

/* The first refusal of a flush. */
struct kb_fail {
	int err;
	size_t idx;
	long tag;
	char msg[256];
};

static void req_done(struct kb_req *r)
{
	nlmsg_free(r->msg);
	r->msg = NULL;
	if (r->ns_fd >= 0)
		close(r->ns_fd);
	r->ns_fd = -1;
}

int nr_kb_open(struct nr_netns *ns, struct nr_kb **ret, struct nr_os_error *err)
{
	struct nr_kb *kb;
	int one = 1, rcvbuf = 0, r;
	socklen_t sl = sizeof(rcvbuf);

	kb = calloc(1, sizeof(*kb));
	if (!kb)
		return nr_os_error_set(err, -ENOMEM, "out of memory");
	kb->sbuf = malloc(KB_DGRAM_MAX + KB_MSG_SIZE);
	kb->rbuf = malloc(KB_RBUF_SIZE);
	if (!kb->sbuf || !kb->rbuf) {
		r = nr_os_error_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	r = nr_nlsock_open(ns, &kb->s, err);
	if (r < 0)
		goto fail;
	kb->fd = nl_socket_get_fd(nr_nlsock_sk(kb->s));
	/* Acks of refused requests need not echo the request: the extended
	 * ack keeps the message, and the receive buffer holds more acks. */
	(void)setsockopt(kb->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (getsockopt(kb->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &sl) < 0 || rcvbuf <= 0)
		rcvbuf = 212992;
	kb->last_create = -1;
	kb->window = (size_t)rcvbuf / KB_ACK_COST;
	if (kb->window < KB_WINDOW_MIN)
		kb->window = KB_WINDOW_MIN;
	if (kb->window > KB_WINDOW_MAX)
		kb->window = KB_WINDOW_MAX;
	/* Start from a value no other user of the socket picked. */
	kb->seq = nl_socket_use_seq(nr_nlsock_sk(kb->s)) + 0x10000u;
	*ret = kb;
	return 0;
fail:
	nr_nlsock_close(kb->s);
	free(kb->sbuf);
	free(kb->rbuf);
	free(kb);
	return r;
}

void nr_kb_close(struct nr_kb *kb)
{
	size_t i;

	if (!kb)
		return;
	/* Discarded, not sent: closing on an error path must not apply half
	 * of a configuration. Callers flush what they mean to send. */
	for (i = 0; i < kb->n; i++)
		req_done(&kb->q[i]);
	free(kb->q);
	nr_nlsock_close(kb->s);
	free(kb->sbuf);
	free(kb->rbuf);
	free(kb);
}

void nr_kb_tag(struct nr_kb *kb, long tag)
{
	kb->tag = tag;
}

/*
 * libnl marks nests NLA_F_NESTED; the kernel refuses the flag where its
 * policy is not NLA_NESTED (VETH_INFO_PEER, RTA_MULTIPATH hold a header
 * before their attributes). iproute2 never sets it; neither do we.
 */
static struct nlattr *nest_start(struct nl_msg *msg, int type)
{
	struct nlattr *a = nla_nest_start(msg, type);

	if (a)
		a->nla_type &= (uint16_t)~NLA_F_NESTED;
	return a;
}

/* --- building requests --- */

static int req_begin(struct kb_req *r, uint16_t type, int flags, const void *hdr, size_t hdrlen)
{
	memset(r, 0, sizeof(*r));
	r->ns_fd = -1;
	r->msg = nlmsg_alloc_size(KB_MSG_SIZE);
	if (!r->msg)
		return -ENOMEM;
	/* nlmsg_alloc_size gives an empty message; fill in the header. */
	nlmsg_hdr(r->msg)->nlmsg_type = type;
	nlmsg_hdr(r->msg)->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	if (nlmsg_append(r->msg, (void *)hdr, hdrlen, NLMSG_ALIGNTO) < 0) {
		req_done(r);
		return -ENOMEM;
	}
	return 0;
}

static int req_push(struct nr_kb *kb, struct kb_req *r)
{
	if (kb->n == kb->cap) {
		size_t cap = kb->cap ? kb->cap * 2 : 64;
		struct kb_req *q = realloc(kb->q, cap * sizeof(*q));

		if (!q) {
			req_done(r);
			return -ENOMEM;
		}
		kb->q = q;
		kb->cap = cap;
	}
	r->tag = kb->tag;
	kb->q[kb->n++] = *r;
	return 0;
}

static int req_patch(struct kb_req *r, int type, const char *name)
{
	struct nlattr *a;

	if (r->npatch >= 2)
		return -EINVAL;
	a = nla_reserve(r->msg, type, 4);
	if (!a)
		return -EMSGSIZE;
	memset(nla_data(a), 0, 4);
	r->patch[r->npatch].off = (uint32_t)((char *)nla_data(a) - (char *)nlmsg_hdr(r->msg));
	snprintf(r->patch[r->npatch].name, IFNAMSIZ, "%s", name);
	r->npatch++;
	return 0;
}

/* The kernel's dev_valid_name(), so a bad name fails here with a clear
 * errno instead of as a bare EINVAL from the kernel. */
static int check_ifname(const char *name)
{
	size_t n;

	if (!name || !*name)
		return -EINVAL;
	n = strlen(name);
	if (n >= IFNAMSIZ)
		return -ENAMETOOLONG;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	for (; *name; name++)
		if (*name == '/' || *name == ':' || *name == ' ' || *name == '\t' ||
		    *name == '\n' || *name == '\r' || *name == '\v' || *name == '\f')
			return -EINVAL;
	return 0;
}

static int check_opts(const struct nr_klink_opts *o)
{
	int r;

	if (!o)
		return 0;
	if (o->mac.len > NR_LLADDR_MAX)
		return -EINVAL;
	if (o->up < -1 || o->up > 1)
		return -EINVAL;
	if (o->master && *o->master) {
		r = check_ifname(o->master);
		if (r < 0)
			return r;
	}
	if (o->alias && strlen(o->alias) >= IFALIASZ)
		return -ENAMETOOLONG;
	return 0;
}

static void opts_flags(struct ifinfomsg *ifi, const struct nr_klink_opts *o)
{
	if (o && o->up >= 0) {
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = o->up ? IFF_UP : 0;
	}
}

/* Attributes a link takes at creation (rtnl_create_link) and on change. */
static int put_opts(struct kb_req *r, const struct nr_klink_opts *o, bool with_master)
{
	int e = 0;

	if (!o)
		return 0;
	if (o->mac.len)
		e |= nla_put(r->msg, IFLA_ADDRESS, o->mac.len, o->mac.bytes);
	if (o->mtu)
		e |= nla_put_u32(r->msg, IFLA_MTU, o->mtu);
	if (o->group)
		e |= nla_put_u32(r->msg, IFLA_GROUP, o->group);
	if (e)
		return -EMSGSIZE;
	if (with_master && o->master) {
		/* "" releases the link from its master. */
		if (!*o->master)
			return nla_put_u32(r->msg, IFLA_MASTER, 0) < 0 ? -EMSGSIZE : 0;
		return req_patch(r, IFLA_MASTER, o->master);
	}
	return 0;
}

/*
 * The kernel ignores IFLA_IFALIAS in a creating request (rtnl_create_link
 * does not read it), so an alias is a second request, by name.
 */
static int queue_alias(struct nr_kb *kb, const char *name, const char *alias)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct kb_req r;
	int e;

	e = req_begin(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	if (e < 0)
		return e;
	snprintf(r.what, sizeof(r.what), "RTM_NEWLINK alias of %s", name);
	if (nla_put_string(r.msg, IFLA_IFNAME, name) < 0 ||
	    nla_put_string(r.msg, IFLA_IFALIAS, alias) < 0) {
		req_done(&r);
		return -EMSGSIZE;
	}
	return req_push(kb, &r);
}

struct fd_ctx {
	int fd;
};

static int open_own_ns(void *arg)
{
	struct fd_ctx *c = arg;

	c->fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	return c->fd < 0 ? -errno : 0;
}

/*
 * Start a creating RTM_NEWLINK of a kind; *ret_data is the open
 * IFLA_INFO_DATA nest when want_data, to be closed with close_info().
 */
static int link_begin(struct kb_req *r, const char *kind, const char *name,
		      const struct nr_klink_opts *o, struct nlattr **ret_info,
		      struct nlattr **ret_data)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	int e;

	opts_flags(&ifi, o);
	e = req_begin(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
	if (e < 0)
		return e;
	snprintf(r->what, sizeof(r->what), "RTM_NEWLINK %s %s", kind, name);
	if (nla_put_string(r->msg, IFLA_IFNAME, name) < 0)
		goto toobig;
	e = put_opts(r, o, true);
	if (e < 0)
		goto fail;
	*ret_info = nest_start(r->msg, IFLA_LINKINFO);
	if (!*ret_info || nla_put_string(r->msg, IFLA_INFO_KIND, kind) < 0)
		goto toobig;
	if (ret_data) {
		*ret_data = nest_start(r->msg, IFLA_INFO_DATA);
		if (!*ret_data)
			goto toobig;
	}
	return 0;
toobig:
	e = -EMSGSIZE;
fail:
	req_done(r);
	return e;
}

static int link_end(struct nr_kb *kb, struct kb_req *r, struct nlattr *info, struct nlattr *data,
		    const char *name, const struct nr_klink_opts *o)
{
	int e;

	if (data)
		nla_nest_end(r->msg, data);
	nla_nest_end(r->msg, info);
	e = req_push(kb, r);
	if (e < 0)
		return e;
	kb->last_create = (long)kb->n - 1;
	if (o && o->alias)
		return queue_alias(kb, name, o->alias);
	return 0;
}

int nr_kb_veth(struct nr_kb *kb, const char *name, struct nr_netns *peer_ns,
	       const char *peer_name, const struct nr_klink_opts *o,
	       const struct nr_klink_opts *peer_o)
{
	struct ifinfomsg pifi = { .ifi_family = AF_UNSPEC };
	struct nr_klink_opts pcreate = { .up = -1 };
	struct nlattr *info, *data, *peer;
	struct fd_ctx c = { .fd = -1 };
	struct kb_req r;
	int e;

	if ((e = check_ifname(name)) < 0 || (e = check_ifname(peer_name)) < 0 ||
	    (e = check_opts(o)) < 0 || (e = check_opts(peer_o)) < 0)
		return e;
	/*
	 * The peer is made by rtnl_create_link alone: no master, no alias,
	 * and it cannot be brought up there (veth_open fails with ENOTCONN
	 * until the pair is joined). Those go in a second request for the
	 * peer, sent from inside peer_ns.
	 */
	if (peer_o) {
		pcreate = *peer_o;
		pcreate.up = -1;
		pcreate.master = NULL;
		pcreate.alias = NULL;
	}
	if (peer_ns) {
		struct nr_os_error ignored;

		e = nr_netns_run(peer_ns, open_own_ns, &c, &ignored);
		if (e < 0)
			return e;
	}
	e = link_begin(&r, "veth", name, o, &info, &data);
	if (e < 0)
		goto out;
	r.ns_fd = c.fd;
	c.fd = -1;
	peer = nest_start(r.msg, VETH_INFO_PEER);
	/* VETH_INFO_PEER holds a whole ifinfomsg, then the peer's attributes. */
	if (!peer || nlmsg_append(r.msg, &pifi, sizeof(pifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(r.msg, IFLA_IFNAME, peer_name) < 0 ||
	    (r.ns_fd >= 0 && nla_put_u32(r.msg, IFLA_NET_NS_FD, (uint32_t)r.ns_fd) < 0)) {
		e = -EMSGSIZE;
		req_done(&r);
		goto out;
	}
	e = put_opts(&r, &pcreate, false);
	if (e < 0) {
		req_done(&r);
		goto out;
	}
	nla_nest_end(r.msg, peer);
	r.veth = true;
	snprintf(r.what, sizeof(r.what), "RTM_NEWLINK veth %s/%s", name, peer_name);
	e = link_end(kb, &r, info, data, name, o);
	if (e < 0 || !peer_o || (peer_o->up != 1 && !peer_o->master && !peer_o->alias))
		goto out;
	pcreate = (struct nr_klink_opts){ .up = peer_o->up == 1 ? 1 : -1,
					  .master = peer_o->master,
					  .alias = peer_o->alias };
	e = nr_kb_link_set(kb, peer_name, &pcreate);
	if (e == 0)
		kb->q[kb->n - 1].run_in = peer_ns;
out:
	if (c.fd >= 0)
		close(c.fd);
	return e;
}

int nr_kb_bridge(struct nr_kb *kb, const char *name, const struct nr_klink_opts *o)
{
	struct nlattr *info;
	struct kb_req r;
	int e;

	if ((e = check_ifname(name)) < 0 || (e = check_opts(o)) < 0)
		return e;
	e = link_begin(&r, "bridge", name, o, &info, NULL);
	if (e < 0)
		return e;
	return link_end(kb, &r, info, NULL, name, o);
}

static const struct {
	const char *name;
	uint32_t mode;
} macvlan_modes[] = {
	{ "private", MACVLAN_MODE_PRIVATE }, { "vepa", MACVLAN_MODE_VEPA },
	{ "bridge", MACVLAN_MODE_BRIDGE },   { "passthru", MACVLAN_MODE_PASSTHRU },
	{ "source", MACVLAN_MODE_SOURCE },
};

int nr_kb_macvlan(struct nr_kb *kb, const char *name, const char *parent, const char *mode,
		  const struct nr_klink_opts *o)
{
	struct nlattr *info, *data;
	uint32_t m = 0;
	struct kb_req r;
	size_t i;
	int e;

	if ((e = check_ifname(name)) < 0 || (e = check_ifname(parent)) < 0 ||
	    (e = check_opts(o)) < 0)
		return e;
	if (mode) {
		for (i = 0; i < sizeof(macvlan_modes) / sizeof(macvlan_modes[0]); i++)
			if (!strcmp(mode, macvlan_modes[i].name))
				m = macvlan_modes[i].mode;
		if (!m)
			return -EINVAL;
	}
	e = link_begin(&r, "macvlan", name, o, &info, &data);
	if (e < 0)
		return e;
	if ((m && nla_put_u32(r.msg, IFLA_MACVLAN_MODE, m) < 0)) {
		req_done(&r);
		return -EMSGSIZE;
	}
	nla_nest_end(r.msg, data);
	nla_nest_end(r.msg, info);
	/* IFLA_LINK sits outside IFLA_LINKINFO. */
	e = req_patch(&r, IFLA_LINK, parent);
	if (e < 0) {
		req_done(&r);
		return e;
	}
	e = req_push(kb, &r);
	if (e < 0)
		return e;
	kb->last_create = (long)kb->n - 1;
	return o && o->alias ? queue_alias(kb, name, o->alias) : 0;
}

static int put_vxlan_addr(struct nl_msg *msg, int a4, int a6, const struct nr_addr *a)
{
	if (a->family == AF_INET)
		return nla_put(msg, a4, 4, a->bytes);
	if (a->family == AF_INET6)
		return nla_put(msg, a6, 16, a->bytes);
	return 0;
}

int nr_kb_vxlan(struct nr_kb *kb, const char *name, const struct nr_kvxlan *v,
		const struct nr_klink_opts *o)
{
	struct nlattr *info, *data;
	struct kb_req r;
	int e = 0;

	if (!v || v->vni > 0xffffffu)
		return -EINVAL;
	if ((e = check_ifname(name)) < 0 || (e = check_opts(o)) < 0 ||
	    (v->dev && (e = check_ifname(v->dev)) < 0))
		return e;
	/* remote and group are the same attribute (unicast or multicast
	 * peer), as in iproute2. */
	if (v->remote.family != AF_UNSPEC && v->group.family != AF_UNSPEC)
		return -EINVAL;
	e = link_begin(&r, "vxlan", name, o, &info, &data);
	if (e < 0)
		return e;
	e |= nla_put_u32(r.msg, IFLA_VXLAN_ID, v->vni);
	e |= put_vxlan_addr(r.msg, IFLA_VXLAN_LOCAL, IFLA_VXLAN_LOCAL6, &v->local);
	e |= put_vxlan_addr(r.msg, IFLA_VXLAN_GROUP, IFLA_VXLAN_GROUP6, &v->remote);
	e |= put_vxlan_addr(r.msg, IFLA_VXLAN_GROUP, IFLA_VXLAN_GROUP6, &v->group);
	if (v->port)
		e |= nla_put_u16(r.msg, IFLA_VXLAN_PORT, htons(v->port));
	if (e) {
		req_done(&r);
		return -EMSGSIZE;
	}
	if (v->dev) {
		e = req_patch(&r, IFLA_VXLAN_LINK, v->dev);
		if (e < 0) {
			req_done(&r);
			return e;
		}
	}
	return link_end(kb, &r, info, data, name, o);
}

int nr_kb_want_index(struct nr_kb *kb, int *ret_ifindex, int *ret_peer_ifindex)
{
	struct kb_req *r;

	if (kb->last_create < 0 || (size_t)kb->last_create >= kb->n)
		return -EINVAL;
	r = &kb->q[kb->last_create];
	if (ret_peer_ifindex && !r->veth)
		return -EINVAL;
	/* The kernel unicasts the new link's RTM_NEWLINK back to us, under
	 * the request's sequence number, before the ack. */
	nlmsg_hdr(r->msg)->nlmsg_flags |= NLM_F_ECHO;
	r->out_index = ret_ifindex;
	r->out_peer = ret_peer_ifindex;
	return 0;
}

int nr_kb_link_set(struct nr_kb *kb, const char *name, const struct nr_klink_opts *o)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct kb_req r;
	int e;

	if ((e = check_ifname(name)) < 0 || (e = check_opts(o)) < 0)
		return e;
	opts_flags(&ifi, o);
	e = req_begin(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	if (e < 0)
		return e;
	snprintf(r.what, sizeof(r.what), "RTM_NEWLINK set %s", name);
	if (nla_put_string(r.msg, IFLA_IFNAME, name) < 0 ||
	    (o && o->alias && nla_put_string(r.msg, IFLA_IFALIAS, o->alias) < 0)) {
		req_done(&r);
		return -EMSGSIZE;
	}
	e = put_opts(&r, o, true);
	if (e < 0) {
		req_done(&r);
		return e;
	}
	return req_push(kb, &r);
}

int nr_kb_link_del(struct nr_kb *kb, const char *name)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct kb_req r;
	int e;

	if ((e = check_ifname(name)) < 0)
		return e;
	e = req_begin(&r, RTM_DELLINK, 0, &ifi, sizeof(ifi));
	if (e < 0)
		return e;
	snprintf(r.what, sizeof(r.what), "RTM_DELLINK %s", name);
	if (nla_put_string(r.msg, IFLA_IFNAME, name) < 0) {
		req_done(&r);
		return -EMSGSIZE;
	}
	return req_push(kb, &r);
}

int nr_kb_link_del_group(struct nr_kb *kb, uint32_t group)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct kb_req r;
	int e;

	/* Group 0 is every link's default: never a bulk target. */
	if (group == 0)
		return -EINVAL;
	e = req_begin(&r, RTM_DELLINK, 0, &ifi, sizeof(ifi));
	if (e < 0)
		return e;
	snprintf(r.what, sizeof(r.what), "RTM_DELLINK group %u", group);
	/* No index and no name: the kernel deletes the whole group. */
	if (nla_put_u32(r.msg, IFLA_GROUP, group) < 0) {
		req_done(&r);
		return -EMSGSIZE;
	}
	return req_push(kb, &r);
}

static size_t addr_len(int family)
{
	return nr_addr_bits(family) / 8; /* 4, 16, or 0 for anything else */
}

int nr_kb_addr(struct nr_kb *kb, int ifindex, const struct nr_prefix *local,
	       const struct nr_addr *peer, bool nodad)
{
	struct ifaddrmsg ifa = { 0 };
	size_t alen;
	char buf[64];
	struct kb_req r;
	uint32_t flags = 0;
	int e = 0;

	if (!local || ifindex <= 0)
		return -EINVAL;
	alen = addr_len(local->addr.family);
	if (!alen || local->len > alen * 8)
		return -EINVAL;
	if (peer && peer->family != AF_UNSPEC && peer->family != local->addr.family)
		return -EINVAL;
	ifa.ifa_family = local->addr.family;
	ifa.ifa_prefixlen = local->len;
	ifa.ifa_index = (uint32_t)ifindex;
	/* DAD is IPv6's; IPv4 has no use for the flag. */
	if (nodad && local->addr.family == AF_INET6)
		flags |= IFA_F_NODAD;
	ifa.ifa_flags = (uint8_t)flags;
	e = req_begin(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
	if (e < 0)
		return e;
	snprintf(r.what, sizeof(r.what), "RTM_NEWADDR %s", nr_prefix_format(local, buf, sizeof(buf)));
	/* IFA_LOCAL is this end, IFA_ADDRESS the peer; without a peer both
	 * are the address, as iproute2 sends them. */
	e |= nla_put(r.msg, IFA_LOCAL, (int)alen, local->addr.bytes);
	if (peer && peer->family != AF_UNSPEC)
		e |= nla_put(r.msg, IFA_ADDRESS, (int)alen, peer->bytes);
	else
		e |= nla_put(r.msg, IFA_ADDRESS, (int)alen, local->addr.bytes);
	if (flags)
		e |= nla_put_u32(r.msg, IFA_FLAGS, flags);
	if (e) {
		req_done(&r);
		return -EMSGSIZE;
	}
	return req_push(kb, &r);
}

/* A gateway in the route's own family is RTA_GATEWAY; IPv4 via IPv6
 * (RFC 8950) is RTA_VIA. */
static int put_gw(struct nl_msg *msg, uint8_t family, const struct nr_addr *gw)
{
	uint8_t via[2 + 16];
	uint16_t f = gw->family;
	size_t alen = addr_len(gw->family);

	if (gw->family == AF_UNSPEC)
		return 0;
	if (!alen)
		return -EINVAL;
	if (gw->family == family)
		return nla_put(msg, RTA_GATEWAY, (int)alen, gw->bytes) < 0 ? -EMSGSIZE : 0;
	memcpy(via, &f, 2);
	memcpy(via + 2, gw->bytes, alen);
	return nla_put(msg, RTA_VIA, (int)(2 + alen), via) < 0 ? -EMSGSIZE : 0;
}

static uint8_t default_scope(uint8_t type, const struct nr_route *rt)
{
	size_t i;

	switch (type) {
	case RTN_LOCAL:
	case RTN_NAT:
		return RT_SCOPE_HOST;
	case RTN_BROADCAST:
	case RTN_MULTICAST:
	case RTN_ANYCAST:
		return RT_SCOPE_LINK;
	case RTN_UNICAST:
		for (i = 0; i < rt->nh_count; i++)
			if (rt->nh[i].gw.family != AF_UNSPEC)
				return RT_SCOPE_UNIVERSE;
		return RT_SCOPE_LINK;
	default:
		return RT_SCOPE_UNIVERSE;
	}
}

static int put_multipath(struct kb_req *r, const struct nr_route *rt)
{
	struct nlattr *mp = nest_start(r->msg, RTA_MULTIPATH);
	size_t i;
	int e;

	if (!mp)
		return -EMSGSIZE;
	for (i = 0; i < rt->nh_count; i++) {
		const struct nr_nexthop *nh = &rt->nh[i];
		struct nlmsghdr *h = nlmsg_hdr(r->msg);
		struct rtnexthop *rtnh;
		uint32_t start = h->nlmsg_len;

		rtnh = nlmsg_reserve(r->msg, sizeof(*rtnh), NLMSG_ALIGNTO);
		if (!rtnh)
			return -EMSGSIZE;
		rtnh->rtnh_flags = nh->flags & RTNH_F_ONLINK;
		rtnh->rtnh_hops = (uint8_t)(nh->weight ? nh->weight - 1 : 0);
		rtnh->rtnh_ifindex = nh->ifindex;
		e = put_gw(r->msg, rt->family, &nh->gw);
		if (e < 0)
			return e;
		rtnh->rtnh_len = (unsigned short)(h->nlmsg_len - start);
	}
	nla_nest_end(r->msg, mp);
	return 0;
}

int nr_kb_route(struct nr_kb *kb, const struct nr_route *rt)
{
	struct rtmsg rtm = { 0 };
	size_t alen;
	char buf[64];
	struct kb_req r;
	uint32_t table;
	uint8_t type;
	size_t i;
	int e = 0;

	if (!rt)
		return -EINVAL;
	alen = addr_len(rt->family);
	if (!alen || rt->dst.len > alen * 8 || rt->src.len > alen * 8 ||
	    (rt->dst.len && rt->dst.addr.family != rt->family) ||
	    (rt->src.len && rt->src.addr.family != rt->family) ||
	    rt->nh_count > NR_ROUTE_MAX_NH || (rt->nh_count && !rt->nh))
		return -EINVAL;
	if (rt->prefsrc.family != AF_UNSPEC && rt->prefsrc.family != rt->family)
		return -EINVAL;
	for (i = 0; i < rt->nh_count; i++)
		if (rt->nh[i].weight > 256 || rt->nh[i].ifindex < 0)
			return -EINVAL;
	type = rt->type ? rt->type : RTN_UNICAST;
	table = rt->table;
	if (!table)
		table = (type == RTN_LOCAL || type == RTN_BROADCAST || type == RTN_ANYCAST ||
			 type == RTN_NAT)
				? RT_TABLE_LOCAL
				: RT_TABLE_MAIN;
	rtm.rtm_family = rt->family;
	rtm.rtm_dst_len = rt->dst.len;
	rtm.rtm_src_len = rt->src.len;
	rtm.rtm_tos = rt->tos;
	rtm.rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm.rtm_protocol = rt->protocol ? rt->protocol : RTPROT_BOOT;
	/* Scope 0 (universe) is also what a zeroed route says: take
	 * iproute2's default for the type, as `ip route add` would. */
	rtm.rtm_scope = rt->scope ? rt->scope : default_scope(type, rt);
	rtm.rtm_type = type;
	if (rt->nh_count == 1)
		rtm.rtm_flags = rt->nh[0].flags & RTNH_F_ONLINK;
	e = req_begin(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof(rtm));
	if (e < 0)
		return e;
	snprintf(r.what, sizeof(r.what), "RTM_NEWROUTE %s %s", nr_rtype_name(type),
		 nr_prefix_format(&rt->dst, buf, sizeof(buf)));
	e = 0;
	if (table >= 256)
		e |= nla_put_u32(r.msg, RTA_TABLE, table);
	if (rt->dst.len)
		e |= nla_put(r.msg, RTA_DST, (int)alen, rt->dst.addr.bytes);
	if (rt->src.len)
		e |= nla_put(r.msg, RTA_SRC, (int)alen, rt->src.addr.bytes);
	if (rt->prefsrc.family != AF_UNSPEC)
		e |= nla_put(r.msg, RTA_PREFSRC, (int)alen, rt->prefsrc.bytes);
	if (rt->metric)
		e |= nla_put_u32(r.msg, RTA_PRIORITY, rt->metric);
	if (rt->family == AF_INET6 && rt->pref)
		e |= nla_put_u8(r.msg, RTA_PREF, rt->pref);
	if (rt->mtu) {
		struct nlattr *m = nest_start(r.msg, RTA_METRICS);

		e |= !m || nla_put_u32(r.msg, RTAX_MTU, rt->mtu) < 0;
		if (m)
			nla_nest_end(r.msg, m);
	}
	if (e)
		goto toobig;
	if (rt->nh_count == 1) {
		e = put_gw(r.msg, rt->family, &rt->nh[0].gw);
		if (e < 0)
			goto fail;
		if (rt->nh[0].ifindex && nla_put_u32(r.msg, RTA_OIF, (uint32_t)rt->nh[0].ifindex) < 0)
			goto toobig;
	} else if (rt->nh_count > 1) {
		e = put_multipath(&r, rt);
		if (e < 0)
			goto fail;
	}
	return req_push(kb, &r);
toobig:
	e = -EMSGSIZE;
fail:
	req_done(&r);
	return e;
}

int nr_kb_rule(struct nr_kb *kb, const struct nr_rule *ru)
{
	struct fib_rule_hdr frh = { 0 };
	size_t alen;
	struct kb_req r;
	uint32_t table = 0;
	uint8_t action;
	int e = 0;

	if (!ru)
		return -EINVAL;
	alen = addr_len(ru->family);
	if (!alen || ru->from.len > alen * 8 || ru->to.len > alen * 8 ||
	    (ru->from.len && ru->from.addr.family != ru->family) ||
	    (ru->to.len && ru->to.addr.family != ru->family))
		return -EINVAL;
	if ((ru->iifname[0] && check_ifname(ru->iifname) < 0) ||
	    (ru->oifname[0] && check_ifname(ru->oifname) < 0))
		return -EINVAL;
	action = ru->action ? ru->action : FR_ACT_TO_TBL;
	if (action == FR_ACT_TO_TBL)
		table = ru->table ? ru->table : RT_TABLE_MAIN;
	frh.family = ru->family;
	frh.dst_len = ru->to.len;
	frh.src_len = ru->from.len;
	frh.tos = ru->tos;
	frh.table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	frh.action = action;
	frh.flags = ru->flags & FIB_RULE_INVERT;
	e = req_begin(&r, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, &frh, sizeof(frh));
	if (e < 0)
		return e;
	snprintf(r.what, sizeof(r.what), "RTM_NEWRULE pref %u", ru->priority);
	e = 0;
	/* Priority 0 lets the kernel choose (just above the last rule). */
	if (ru->priority)
		e |= nla_put_u32(r.msg, FRA_PRIORITY, ru->priority);
	if (table)
		e |= nla_put_u32(r.msg, FRA_TABLE, table);
	if (action == FR_ACT_GOTO)
		e |= nla_put_u32(r.msg, FRA_GOTO, ru->goto_target);
	if (ru->from.len)
		e |= nla_put(r.msg, FRA_SRC, (int)alen, ru->from.addr.bytes);
	if (ru->to.len)
		e |= nla_put(r.msg, FRA_DST, (int)alen, ru->to.addr.bytes);
	if (ru->iifname[0])
		e |= nla_put_string(r.msg, FRA_IIFNAME, ru->iifname);
	if (ru->oifname[0])
		e |= nla_put_string(r.msg, FRA_OIFNAME, ru->oifname);
	/* A mark without a mask means all bits (the kernel's default); a
	 * mask alone still selects (mark 0 under that mask). */
	if (ru->fwmark || ru->fwmask)
		e |= nla_put_u32(r.msg, FRA_FWMARK, ru->fwmark);
	if (ru->fwmask)
		e |= nla_put_u32(r.msg, FRA_FWMASK, ru->fwmask);
	if (ru->suppress_prefixlen >= 0)
		e |= nla_put_u32(r.msg, FRA_SUPPRESS_PREFIXLEN, (uint32_t)ru->suppress_prefixlen);
	if (ru->suppress_ifgroup >= 0)
		e |= nla_put_u32(r.msg, FRA_SUPPRESS_IFGROUP, (uint32_t)ru->suppress_ifgroup);
	if (ru->ip_proto)
		e |= nla_put_u8(r.msg, FRA_IP_PROTO, ru->ip_proto);
	if (ru->sport_lo || ru->sport_hi) {
		struct fib_rule_port_range pr = { ru->sport_lo, ru->sport_hi };

		e |= nla_put(r.msg, FRA_SPORT_RANGE, sizeof(pr), &pr);
	}
	if (ru->dport_lo || ru->dport_hi) {
		struct fib_rule_port_range pr = { ru->dport_lo, ru->dport_hi };

		e |= nla_put(r.msg, FRA_DPORT_RANGE, sizeof(pr), &pr);
	}
	if (ru->has_uid_range) {
		struct fib_rule_uid_range ur = { ru->uid_lo, ru->uid_hi };

		e |= nla_put(r.msg, FRA_UID_RANGE, sizeof(ur), &ur);
	}
	if (ru->protocol)
		e |= nla_put_u8(r.msg, FRA_PROTOCOL, ru->protocol);
	if (e) {
		req_done(&r);
		return -EMSGSIZE;
	}
	return req_push(kb, &r);
}

int nr_kb_neigh(struct nr_kb *kb, int ifindex, const struct nr_addr *addr,
		const struct nr_lladdr *lladdr, uint16_t state, bool router)
{
	struct ndmsg ndm = { 0 };
	size_t alen;
	char buf[64];
	struct kb_req r;
	int e = 0;

	if (!addr || ifindex <= 0)
		return -EINVAL;
	alen = addr_len(addr->family);
	if (!alen || (lladdr && lladdr->len > NR_LLADDR_MAX))
		return -EINVAL;
	ndm.ndm_family = addr->family;
	ndm.ndm_ifindex = ifindex;
	ndm.ndm_state = state ? state : NUD_PERMANENT;
	ndm.ndm_flags = router ? NTF_ROUTER : 0;
	e = req_begin(&r, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, &ndm, sizeof(ndm));
	if (e < 0)
		return e;
	snprintf(r.what, sizeof(r.what), "RTM_NEWNEIGH %s", nr_addr_format(addr, buf, sizeof(buf)));
	e = nla_put(r.msg, NDA_DST, (int)alen, addr->bytes);
	if (lladdr && lladdr->len)
		e |= nla_put(r.msg, NDA_LLADDR, lladdr->len, lladdr->bytes);
	if (e) {
		req_done(&r);
		return -EMSGSIZE;
	}
	return req_push(kb, &r);
}

/* --- talking to the kernel --- */

static int kb_send(struct nr_kb *kb, const void *buf, size_t len)
{
	/* libnl binds but never connects: address the kernel (port 0). */
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	ssize_t n;

	do
		n = sendto(kb->fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

static ssize_t kb_recv(struct nr_kb *kb)
{
	ssize_t n;

	do
		n = recv(kb->fd, kb->rbuf, KB_RBUF_SIZE, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		/* SO_RCVTIMEO (set by nr_nlsock_open) expired. */
		return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
	return n;
}

/* One RTM_GETLINK by name, answered before anything else is sent. */
static int kb_getlink(struct nr_kb *kb, const char *name, int *ret_index, char *ack, size_t cap)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *msg;
	uint32_t seq = ++kb->seq;
	int e, tries;

	ack[0] = '\0';
	msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_REQUEST);
	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0 ||
	    nla_put_string(msg, IFLA_IFNAME, name) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	nlmsg_hdr(msg)->nlmsg_seq = seq;
	e = kb_send(kb, nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len);
	nlmsg_free(msg);
	if (e < 0)
		return e;
	/* Bounded: stale datagrams are skipped, each read can time out. */
	for (tries = 0; tries < 64; tries++) {
		ssize_t n = kb_recv(kb);
		struct nlmsghdr *h;
		int left;

		if (n < 0)
			return (int)n;
		left = (int)n;
		for (h = (struct nlmsghdr *)kb->rbuf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == RTM_NEWLINK &&
			    h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifinfomsg))) {
				const struct ifinfomsg *got = NLMSG_DATA(h);

				*ret_index = got->ifi_index;
				return 0;
			}
			if (h->nlmsg_type == NLMSG_ERROR &&
			    h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
				const struct nlmsgerr *me = NLMSG_DATA(h);

				nr_nlmsg_ext_ack(h, ack, cap);
				return me->error < 0 ? me->error : -EBADMSG;
			}
			return -EBADMSG;
		}
	}
	return -ETIMEDOUT;
}

int nr_kb_ifindex(struct nr_kb *kb, const char *name)
{
	char ack[128];
	int e, idx;

	e = check_ifname(name);
	if (e < 0)
		return e;
	e = kb_getlink(kb, name, &idx, ack, sizeof(ack));
	return e < 0 ? e : idx;
}

static void fail_set(struct kb_fail *f, size_t idx, const struct kb_req *r, int e,
		     const char *text)
{
	if (f->err && f->idx <= idx)
		return;
	f->err = e;
	f->idx = idx;
	f->tag = r->tag;
	snprintf(f->msg, sizeof(f->msg), "%.63s: %.180s", r->what, text && *text ? text : strerror(-e));
}

/* Fill the ifindexes a request names. -1 when one is missing (recorded). */
static int resolve(struct nr_kb *kb, size_t idx, struct kb_fail *f)
{
	struct kb_req *r = &kb->q[idx];
	char ack[128], text[200];
	unsigned i;
	int e, ifindex;

	for (i = 0; i < r->npatch; i++) {
		uint32_t v;

		e = kb_getlink(kb, r->patch[i].name, &ifindex, ack, sizeof(ack));
		if (e == -ETIMEDOUT || e == -ENOBUFS || e == -ENOMEM)
			return e;
		if (e < 0) {
			snprintf(text, sizeof(text), "'%s': %s", r->patch[i].name,
				 *ack ? ack : strerror(-e));
			fail_set(f, idx, r, e, text);
			return -1;
		}
		v = (uint32_t)ifindex;
		memcpy((char *)nlmsg_hdr(r->msg) + r->patch[i].off, &v, 4);
	}
	r->npatch = 0;
	return 0;
}

/*
 * The echo of a creating RTM_NEWLINK: the new link's index, and for a
 * veth its peer's (IFLA_LINK, which the kernel leaves out when it equals
 * the link's own index, as it may across namespaces).
 */
static void echo_seen(struct kb_req *r, const struct nlmsghdr *h)
{
	const struct ifinfomsg *ifi;
	const struct nlattr *a;
	size_t off, len = h->nlmsg_len;

	if (!r->out_index || len < NLMSG_LENGTH(sizeof(*ifi)))
		return;
	ifi = NLMSG_DATA(h);
	if (ifi->ifi_index <= 0)
		return;
	r->got_index = ifi->ifi_index;
	r->got_peer = ifi->ifi_index;
	/* Bounded by subtraction: off never passes len. */
	for (off = NLMSG_ALIGN(NLMSG_LENGTH(sizeof(*ifi))); off <= len && len - off >= NLA_HDRLEN;
	     off += NLA_ALIGN(a->nla_len)) {
		a = (const struct nlattr *)((const char *)h + off);
		if (a->nla_len < NLA_HDRLEN || a->nla_len > len - off)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == IFLA_LINK && a->nla_len >= NLA_HDRLEN + 4) {
			uint32_t v;

			memcpy(&v, (const char *)a + NLA_HDRLEN, 4);
			r->got_peer = (int)v;
		}
	}
}

/* A request succeeded: hand over what its echo said. */
static void req_answered(struct kb_req *r)
{
	if (!r->out_index || !r->got_index)
		return; /* no echo (a kernel older than 6.3): the caller looks up */
	*r->out_index = r->got_index;
	if (r->out_peer && r->veth)
		*r->out_peer = r->got_peer;
}

/* Read the acks of the requests ix[0..count), sent as seq base... */
static int collect(struct nr_kb *kb, const size_t *ix, size_t count, uint32_t base,
		   struct kb_fail *f)
{
	size_t got = 0;

	while (got < count) {
		ssize_t n = kb_recv(kb);
		struct nlmsghdr *h;
		int left;

		if (n < 0)
			return (int)n;
		left = (int)n;
		for (h = (struct nlmsghdr *)kb->rbuf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			uint32_t k = h->nlmsg_seq - base;
			const struct nlmsgerr *me;
			char ack[200];

			if (k >= count)
				continue;
			if (h->nlmsg_type == RTM_NEWLINK) {
				echo_seen(&kb->q[ix[k]], h);
				continue;
			}
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*me)))
				return -EBADMSG;
			me = NLMSG_DATA(h);
			got++;
			if (me->error < 0) {
				nr_nlmsg_ext_ack(h, ack, sizeof(ack));
				fail_set(f, ix[k], &kb->q[ix[k]], me->error, ack);
			} else {
				req_answered(&kb->q[ix[k]]);
			}
		}
	}
	return 0;
}

/* Send the requests ix[0..n) on kb->fd, in rounds, and read their acks. */
static int run_rounds(struct nr_kb *kb, const size_t *ix, size_t n, struct kb_fail *f)
{
	size_t i = 0, j, cost;
	int e;

	while (i < n) {
		size_t len = 0;
		uint32_t base;

		if (kb->q[ix[i]].npatch) {
			e = resolve(kb, ix[i], f);
			if (e == -1) {
				i++;
				continue;
			}
			if (e < 0) {
				fail_set(f, ix[i], &kb->q[ix[i]], e, "looking up a link");
				return e;
			}
		}
		base = kb->seq + 1;
		for (j = i, cost = 0; j < n; j++) {
			struct kb_req *q = &kb->q[ix[j]];
			struct nlmsghdr *h = nlmsg_hdr(q->msg);
			size_t l = NLMSG_ALIGN(h->nlmsg_len);

			cost += 1 + (h->nlmsg_flags & NLM_F_ECHO ? KB_ECHO_COST / KB_ACK_COST : 0);
			/* A request naming a link waits for the ones before it;
			 * all the answers of a round must fit the receive buffer. */
			if (j > i && (q->npatch || len + l > KB_DGRAM_MAX || cost > kb->window))
				break;
			h->nlmsg_seq = ++kb->seq;
			memcpy(kb->sbuf + len, h, h->nlmsg_len);
			memset(kb->sbuf + len + h->nlmsg_len, 0, l - h->nlmsg_len);
			len += l;
		}
		e = kb_send(kb, kb->sbuf, len);
		if (e == 0)
			e = collect(kb, ix + i, j - i, base, f);
		if (e < 0) {
			/* The channel failed: which requests ran is unknown. */
			fail_set(f, ix[i], &kb->q[ix[i]], e,
				 e == -ENOBUFS ? "acks lost (receive buffer full)" : NULL);
			return e;
		}
		for (; i < j; i++)
			req_done(&kb->q[ix[i]]);
	}
	return 0;
}

/* Requests for other namespaces (veth peers), by namespace, each from a
 * socket made there; a namespace's requests keep their order. */
static int run_elsewhere(struct nr_kb *kb, size_t *ix, struct kb_fail *f)
{
	int main_fd = kb->fd, e = 0;
	size_t i, j, m;

	for (i = 0; i < kb->n && e == 0; i++) {
		struct nr_netns *ns = kb->q[i].run_in;
		struct nr_nlsock *aux = NULL;
		struct nr_os_error oerr;
		int one = 1;

		if (!ns)
			continue;
		for (m = 0, j = i; j < kb->n; j++) {
			if (kb->q[j].run_in == ns) {
				ix[m++] = j;
				kb->q[j].run_in = NULL;
			}
		}
		e = nr_nlsock_open(ns, &aux, &oerr);
		if (e < 0) {
			fail_set(f, i, &kb->q[i], e, oerr.msg);
			return e;
		}
		kb->fd = nl_socket_get_fd(nr_nlsock_sk(aux));
		(void)setsockopt(kb->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
		e = run_rounds(kb, ix, m, f);
		kb->fd = main_fd;
		nr_nlsock_close(aux);
	}
	return e;
}

int nr_kb_flush(struct nr_kb *kb, long *ret_failed, struct nr_os_error *err)
{
	struct kb_fail f = { 0 };
	size_t *ix = NULL, i, m = 0;
	int e;

	if (kb->n == 0)
		return 0;
	ix = malloc(kb->n * sizeof(*ix));
	if (!ix) {
		fail_set(&f, 0, &kb->q[0], -ENOMEM, NULL);
		goto out;
	}
	for (i = 0; i < kb->n; i++)
		if (!kb->q[i].run_in)
			ix[m++] = i;
	e = run_rounds(kb, ix, m, &f);
	if (e == 0)
		(void)run_elsewhere(kb, ix, &f);
out:
	free(ix);
	for (i = 0; i < kb->n; i++)
		req_done(&kb->q[i]);
	kb->n = 0;
	kb->last_create = -1;
	if (!f.err)
		return 0;
	if (ret_failed)
		*ret_failed = f.tag;
	return nr_os_error_set(err, f.err, "%s", f.msg);
}
