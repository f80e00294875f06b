/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Building kernel objects in namespaces: named namespaces compatible with
 * `ip netns`, links, addresses, routes, rules, neighbours, sysctls, and
 * TUN/TAP devices. The "k" marks kernel objects (nr_kroute_* answers the
 * kernel's route lookups; nr_kb_* builds). All requests go through one
 * rtnetlink socket per namespace, batched: queued requests are sent
 * together and their acks matched by sequence number; the first refusal
 * comes back with the kernel's errno and extended-ack text and the index
 * of the request that failed.
 */
#ifndef NETRIG_KBUILD_H
#define NETRIG_KBUILD_H

#include "netrig/addr.h"
#include "netrig/netns.h"
#include "netrig/route.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* --- named namespaces (/run/netns/NAME, as `ip netns add` makes them) --- */

/* -EEXIST if the name is taken; -EPERM without CAP_SYS_ADMIN. */
int nr_knetns_create(const char *name, struct nr_os_error *err);

/*
 * The same in steps, for many namespaces: nr_knetns_prepare makes
 * /run/netns a shared mount once (a recursive propagation change costs
 * in proportion to the mounts under it, one per namespace);
 * nr_knetns_reserve makes the names' files, all links of one inode
 * (-EEXIST if a name is taken: then none is made); nr_knetns_create_in
 * makes each namespace (on its reserved file when reserved, removed
 * again on failure). sysctls[0..n) are written from inside the new
 * namespace before it gets its name, so every interface made later
 * inherits them; a key the kernel lacks (IPv6 disabled) is skipped. A
 * reserved name not made yet is a plain file: nr_knetns_exists says no,
 * and nr_knetns_delete removes it.
 */
struct nr_knetns_sysctl {
	const char *path;  /* under /proc/sys: "net/ipv6/conf/default/accept_dad" */
	const char *value;
	bool required;     /* a missing key is an error (-ENOENT), not skipped */
};
int nr_knetns_prepare(struct nr_os_error *err);
int nr_knetns_reserve(const char *const *names, size_t n, struct nr_os_error *err);
int nr_knetns_create_in(const char *name, bool reserved, const struct nr_knetns_sysctl *sysctls,
			size_t n, struct nr_os_error *err);
/*
 * nr_knetns_create_in with more: the thread's way back given (home_fd,
 * when have_home: an fd of the namespace to return to, opened once by a
 * caller that makes many), and inside(arg) run in the new namespace once
 * it has its name, before the thread leaves it: a socket or an
 * nr_netns_open made there costs no setns in and out later. When inside
 * fails, the namespace is removed again (and its reserved file) and its
 * error returned. A refused sysctl writes its index to *ret_failed_sysctl
 * (when not NULL), so a caller can name the element it came from.
 */
struct nr_knetns_create_opts {
	bool reserved;
	const struct nr_knetns_sysctl *sysctls;
	size_t nsysctls;
	bool have_home;
	int home_fd;
	int (*inside)(void *arg, struct nr_os_error *err);
	void *arg;
	size_t *ret_failed_sysctl;
};
int nr_knetns_create_with(const char *name, const struct nr_knetns_create_opts *o,
			  struct nr_os_error *err);
/* umount2(MNT_DETACH) + unlink; -ENOENT if absent. Does not wait. */
int nr_knetns_delete(const char *name, struct nr_os_error *err);
bool nr_knetns_exists(const char *name);

/* --- a builder: one rtnetlink socket inside one namespace --- */

struct nr_kb;

int nr_kb_open(struct nr_netns *ns, struct nr_kb **ret, struct nr_os_error *err);
/* Discards what is queued (never sent: flush first) and closes. */
void nr_kb_close(struct nr_kb *kb);

/*
 * Every nr_kb_* request below is queued; nr_kb_flush sends the queue and
 * waits for every ack. 0, or the first refusal: err->err, err->msg
 * ("RTM_NEWROUTE: Nexthop has invalid gateway") and *ret_failed = the
 * request's tag (the value given when it was queued, e.g. an index into
 * the caller's topology so the error can name FILE:LINE:COL).
 * Requests after a refused one are still answered; only the first error
 * is reported. Requests that need an earlier one's result (an ifindex)
 * must be flushed in between.
 */
int nr_kb_flush(struct nr_kb *kb, long *ret_failed, struct nr_os_error *err);
/* Tag for the requests queued from now on. */
void nr_kb_tag(struct nr_kb *kb, long tag);

/* Interface index by name in this namespace (RTM_GETLINK), -ENODEV. */
int nr_kb_ifindex(struct nr_kb *kb, const char *name);

struct nr_klink_opts {
	struct nr_lladdr mac;  /* len 0: kernel's choice */
	uint32_t mtu;          /* 0: default */
	int up;                /* 1 up, 0 down, -1 leave */
	uint32_t group;        /* IFLA_GROUP, 0 = leave */
	const char *master;    /* bridge to enslave to, NULL = none */
	const char *alias;     /* IFLA_IFALIAS (run-id tag), NULL = none */
};

/*
 * veth "name" here, its peer "peer_name" created directly in peer_ns
 * (NULL: here too), so it never appears anywhere else. The peer's up,
 * master and alias cannot be given at creation; they are sent after the
 * rest of the queue from a socket inside peer_ns, which must therefore
 * stay open until the flush.
 */
int nr_kb_veth(struct nr_kb *kb, const char *name, struct nr_netns *peer_ns,
	       const char *peer_name, const struct nr_klink_opts *o,
	       const struct nr_klink_opts *peer_o);
int nr_kb_bridge(struct nr_kb *kb, const char *name, const struct nr_klink_opts *o);
int nr_kb_macvlan(struct nr_kb *kb, const char *name, const char *parent, const char *mode,
		  const struct nr_klink_opts *o);
struct nr_kvxlan {
	uint32_t vni;
	struct nr_addr local, remote, group;
	uint16_t port;
	const char *dev;
};
int nr_kb_vxlan(struct nr_kb *kb, const char *name, const struct nr_kvxlan *v,
		const struct nr_klink_opts *o);
/*
 * The index the kernel gives the link made by the last creating call
 * (nr_kb_veth, _bridge, _macvlan, _vxlan), and for a veth its peer's index
 * in the peer's namespace (ret_peer_ifindex may be NULL; non-NULL for
 * another kind is -EINVAL): written by the next nr_kb_flush when that
 * request succeeds, from the kernel's echo of it (NLM_F_ECHO), so later
 * requests need no lookup. A kernel that does not echo (before 6.3)
 * leaves them as they were: callers preset 0 and look up by name then.
 * The pointers must stay valid until the flush. -EINVAL with no creating
 * request queued since the last flush.
 */
int nr_kb_want_index(struct nr_kb *kb, int *ret_ifindex, int *ret_peer_ifindex);
/* Change an existing link (RTM_NEWLINK without NLM_F_CREATE / RTM_SETLINK). */
int nr_kb_link_set(struct nr_kb *kb, const char *name, const struct nr_klink_opts *o);
/* Delete one link by name. */
int nr_kb_link_del(struct nr_kb *kb, const char *name);
/* Delete every link of a group in one request (bulk teardown); group 0
 * (every link's default) is refused with -EINVAL. */
int nr_kb_link_del_group(struct nr_kb *kb, uint32_t group);

/* IFA_F_NODAD when nodad; peer for point-to-point (AF_UNSPEC: none). */
int nr_kb_addr(struct nr_kb *kb, int ifindex, const struct nr_prefix *local,
	       const struct nr_addr *peer, bool nodad);
/* A route of any type and table; nexthops carry ifindexes. */
int nr_kb_route(struct nr_kb *kb, const struct nr_route *r);
int nr_kb_rule(struct nr_kb *kb, const struct nr_rule *r);
/* state: NUD_* bits; router: NTF_ROUTER. */
int nr_kb_neigh(struct nr_kb *kb, int ifindex, const struct nr_addr *addr,
		const struct nr_lladdr *lladdr, uint16_t state, bool router);

/*
 * Write a sysctl inside ns ("net.ipv4.ip_forward" = "1"): /proc/sys
 * opened from a thread inside the namespace, so per-namespace values are
 * the namespace's. -ENOENT unknown key, -EINVAL refused value.
 */
int nr_ksysctl_set(struct nr_netns *ns, const char *key, const char *value,
		   struct nr_os_error *err);
int nr_ksysctl_get(struct nr_netns *ns, const char *key, char *buf, size_t cap,
		   struct nr_os_error *err);
/* A key's path under /proc/sys ("net/ipv4/ip_forward"), checked as
 * nr_ksysctl_set checks it (net.* only, no way out of /proc/sys/net), for
 * nr_knetns_create_with. */
int nr_ksysctl_path(const char *key, char *buf, size_t cap, struct nr_os_error *err);

/* --- TUN/TAP: netrig's TunTapInterface --- */

enum nr_tuntap_mode { NR_TUNTAP_AUTO = 0, NR_TUNTAP_TUN, NR_TUNTAP_TAP };

struct nr_tuntap_opts {
	enum nr_tuntap_mode mode; /* AUTO: from the name, "tun*" or "tap*" */
	bool pi;                  /* the device has the 4-byte tun_pi header (no IFF_NO_PI) */
	bool strip_pi;            /* with pi: netrig removes it on read and builds it on
				   * write (Scapy's strip_packet_info; its TUN default) */
	bool vnet_hdr;
	bool multi_queue;
	bool persist;             /* set or cleared on open: attaching without it to a
				   * persistent device makes it go away on close */
	bool keep_persist;        /* leave the persistent flag as the device has it
				   * (persist ignored): attaching to a user's persistent
				   * device never puts it at risk, even if we are killed;
				   * a device created now is not persistent */
	uid_t owner;              /* 0 or (uid_t)-1: none (root may always attach) */
	gid_t group;              /* 0 or (gid_t)-1: none */
	size_t read_size;         /* 0: the device's MTU + headers, measured at open */
};

struct nr_tuntap;

/*
 * Create (or attach to) a TUN/TAP device inside ns. name may hold a %d
 * template ("tap%d"); names longer than 15 characters are refused
 * (-ENAMETOOLONG), never truncated. The real name is read back (TUNGETIFF).
 * Needs /dev/net/tun to be accessible: -EACCES with a message saying so.
 */
int nr_tuntap_open(struct nr_netns *ns, const char *name, const struct nr_tuntap_opts *o,
		   struct nr_tuntap **ret, struct nr_os_error *err);
/* Closes the fd; the device disappears unless persistent. */
void nr_tuntap_close(struct nr_tuntap *t);
const char *nr_tuntap_name(const struct nr_tuntap *t);
int nr_tuntap_fd(const struct nr_tuntap *t);
bool nr_tuntap_is_tap(const struct nr_tuntap *t);
/* A buffer this big holds any packet read (o->read_size, or MTU + headers). */
size_t nr_tuntap_read_size(const struct nr_tuntap *t);
/*
 * One frame/packet. Without pi the bytes go as they are (the kernel takes
 * a TUN packet's protocol from its version nibble). With pi, a write
 * builds the tun_pi header when it is stripped, and also when a TUN
 * caller hands a raw IP packet (first nibble 4 or 6, which no tun_pi
 * starts with): protocol 0x0800 / 0x86dd from the version nibble (after
 * the vnet header when there is one), never Scapy's 0x9000; anything
 * else is -EPROTONOSUPPORT. A TAP's header takes the frame's ethertype.
 * Writes return the caller's bytes written; reads the bytes given to the
 * caller. -errno on failure (-EAGAIN on a non-blocking empty read).
 */
ssize_t nr_tuntap_read(struct nr_tuntap *t, void *buf, size_t cap);
ssize_t nr_tuntap_write(struct nr_tuntap *t, const void *buf, size_t len);
/*
 * A read's -errno that says the device is gone for good: deleted under
 * its fd (-EBADFD), or no longer there (-ENODEV, -ENXIO). The fd stays
 * readable with the error, so a reader must stop watching it.
 */
static inline bool nr_tuntap_gone(ssize_t err)
{
	return err == -EBADFD || err == -ENODEV || err == -ENXIO;
}

#endif
