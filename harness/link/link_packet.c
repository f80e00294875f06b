/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A packet socket on an existing interface (a veth end in a namespace).
 *
 * Partial checksums: a frame sent by the local kernel through a veth
 * with tx checksum offload (the default) reaches the peer's packet
 * sockets with its TCP/UDP checksum holding only the pseudo-header sum
 * (CHECKSUM_PARTIAL). PACKET_AUXDATA would only say so
 * (TP_STATUS_CSUMNOTREADY); PACKET_VNET_HDR also says where the sum
 * starts and where it goes, so the link completes it exactly as the
 * kernel's skb_checksum_help would, for any protocol, without changing
 * the peer's offload settings.
 */
#include "link/link.h"
#include "netrig/csum.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* Frames skipped in one recv (our own copies, bad offsets) before yielding. */
#define SKIP_MAX 64

struct packet_link {
	struct nr_link link; /* first */
	int fd;
	int ifindex;
	char name[NR_IFNAMSIZ];
};

static struct packet_link *pl(const struct nr_link *l)
{
	return (struct packet_link *)l;
}

/* Fill in a CHECKSUM_PARTIAL checksum: false if the offsets lie outside the frame. */
static bool complete_csum(uint8_t *frame, size_t len, size_t start, size_t off)
{
	uint16_t v;

	if (start > len || len - start < 2 || off > len - start - 2)
		return false;
	/* The field holds the pseudo-header sum: summing over it finishes the job. */
	v = nr_csum(frame + start, len - start);
	/* As the kernel does (CSUM_MANGLED_0): UDP reserves 0 for "no checksum". */
	if (v == 0)
		v = 0xffff;
	frame[start + off] = (uint8_t)(v >> 8);
	frame[start + off + 1] = (uint8_t)v;
	return true;
}

/*
 * The kernel tells a packet socket ENETDOWN both when its interface goes
 * down and when it is deleted; only the second is for good. The socket's
 * own namespace answers which (SIOCGIFNAME by index).
 */
static bool device_exists(const struct packet_link *p)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = p->ifindex;
	return ioctl(p->fd, SIOCGIFNAME, &ifr) == 0 || errno != ENODEV;
}

static ssize_t packet_recv(struct nr_link *l, void *buf, size_t cap)
{
	struct packet_link *p = pl(l);

	for (int i = 0; i < SKIP_MAX; i++) {
		struct virtio_net_hdr vh;
		struct iovec iov[2] = {{&vh, sizeof(vh)}, {buf, cap}};
		struct sockaddr_ll from;
		struct msghdr msg = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = iov,
			.msg_iovlen = 2,
		};
		ssize_t n;
		size_t len;

		n = recvmsg(p->fd, &msg, MSG_TRUNC | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR) {
				i--;
				continue;
			}
			if (errno == ENETDOWN && !device_exists(p))
				return -ENODEV; /* deleted, not merely down: gone for good */
			return -errno;
		}
		/* Kernels before 4.20 have no PACKET_IGNORE_OUTGOING. */
		if (from.sll_pkttype == PACKET_OUTGOING) {
			l->stats.rx_outgoing++;
			continue;
		}
		if ((size_t)n < sizeof(vh))
			continue; /* cannot happen with PACKET_VNET_HDR set */
		len = (size_t)n - sizeof(vh);
		if (len > cap || (msg.msg_flags & MSG_TRUNC))
			return -EMSGSIZE;
		if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE)
			l->stats.rx_gso++;
		if (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
			/* Host order: the packet socket writes a legacy (native) header. */
			if (!complete_csum(buf, len, vh.csum_start, vh.csum_offset)) {
				l->stats.rx_csum_bad_offset++;
				continue;
			}
			l->stats.rx_csum_completed++;
		}
		return (ssize_t)len;
	}
	/* The socket is still readable; the loop will come back. */
	return -EAGAIN;
}

static int packet_send(struct nr_link *l, const void *frame, size_t len)
{
	struct packet_link *p = pl(l);
	struct virtio_net_hdr vh;
	struct iovec iov[2] = {{&vh, sizeof(vh)}, {(void *)frame, len}};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
	ssize_t n;

	/* No offload asked: the frame goes as it is. */
	memset(&vh, 0, sizeof(vh));
	do
		n = sendmsg(p->fd, &msg, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != sizeof(vh) + len)
		return -EIO;
	return 0;
}

static int packet_fd(const struct nr_link *l)
{
	return pl(l)->fd;
}

static uint32_t packet_mtu(const struct nr_link *l)
{
	/* By index: the name may have changed since open. */
	return nr_link_dev_mtu(pl(l)->fd, pl(l)->ifindex, NULL);
}

static int packet_lladdr(const struct nr_link *l, struct nr_lladdr *ret)
{
	return nr_link_dev_hwaddr(pl(l)->fd, pl(l)->ifindex, NULL, ret);
}

static const char *packet_name(const struct nr_link *l)
{
	return pl(l)->name;
}

static void packet_close(struct nr_link *l)
{
	struct packet_link *p = pl(l);

	if (p->fd >= 0)
		close(p->fd);
	free(p);
}

static const struct nr_link_ops packet_ops = {
	.kind = "packet",
	.recv = packet_recv,
	.send = packet_send,
	.fd = packet_fd,
	.mtu = packet_mtu,
	.lladdr = packet_lladdr,
	.name = packet_name,
	.close = packet_close,
};

struct open_ctx {
	const char *ifname;
	const struct nr_link_packet_opts *o;
	int fd;
	int ifindex;
	const char *step; /* what failed, for the message */
	bool ran;
};

/* Runs inside the namespace: the socket belongs to the one it is created in. */
static int open_inside(void *arg)
{
	struct open_ctx *c = arg;
	struct sockaddr_ll sll;
	struct ifreq ifr;
	int one = 1;

	c->ran = true;
	/* Protocol 0: nothing is queued until bind names the device. */
	c->step = "socket(AF_PACKET)";
	c->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	c->step = "interface";
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", c->ifname);
	if (ioctl(c->fd, SIOCGIFINDEX, &ifr) < 0)
		return -errno;
	c->ifindex = ifr.ifr_ifindex;
	c->step = "SIOCGIFHWADDR";
	if (ioctl(c->fd, SIOCGIFHWADDR, &ifr) < 0)
		return -errno;
	c->step = "link type";
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER && ifr.ifr_hwaddr.sa_family != ARPHRD_LOOPBACK)
		return -EPROTONOSUPPORT;
	c->step = "PACKET_VNET_HDR";
	if (setsockopt(c->fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0)
		return -errno;
	/* Best effort: older kernels lack it, and recv skips PACKET_OUTGOING anyway. */
	(void)setsockopt(c->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	if (c->o->rcvbuf > 0) {
		c->step = "SO_RCVBUF";
		if (setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &c->o->rcvbuf, sizeof(c->o->rcvbuf)) < 0)
			return -errno;
	}
	if (c->o->promisc) {
		struct packet_mreq mr = {.mr_ifindex = c->ifindex, .mr_type = PACKET_MR_PROMISC};

		c->step = "PACKET_MR_PROMISC";
		if (setsockopt(c->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
			return -errno;
	}
	c->step = "bind";
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = c->ifindex;
	if (bind(c->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -errno;
	return 0;
}

int nr_link_packet_open(struct nr_netns *ns, const char *ifname,
			const struct nr_link_packet_opts *o, struct nr_link **ret,
			struct nr_os_error *err)
{
	static const struct nr_link_packet_opts defaults = {0};
	struct open_ctx c = {.fd = -1};
	struct packet_link *p;
	const char *hint = "";
	int r;

	if (!o)
		o = &defaults;
	if (!ifname || !*ifname || strlen(ifname) >= NR_IFNAMSIZ)
		return nr_os_error_set(err, -EINVAL, "packet link: bad interface name '%s'",
			       ifname ? ifname : "");
	c.ifname = ifname;
	c.o = o;
	if (ns) {
		r = nr_netns_run(ns, open_inside, &c, err);
		if (r < 0 && !c.ran)
			goto out; /* entering the namespace failed; err says why */
	} else {
		r = open_inside(&c);
	}
	if (r < 0) {
		if (r == -EPERM || r == -EACCES)
			hint = " (packet sockets need CAP_NET_RAW; run as root)";
		else if (r == -ENODEV)
			hint = " (no such interface there)";
		else if (r == -EPROTONOSUPPORT)
			hint = " (not an Ethernet device; use a TUN link for layer 3)";
		nr_os_error_set(err, r, "packet link on '%s'%s%s: %s: %s%s", ifname, ns ? " in " : "",
			ns ? nr_netns_name(ns) : "", c.step, strerror(-r), hint);
		goto out;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		r = nr_os_error_set(err, -ENOMEM, "packet link on '%s': out of memory", ifname);
		goto out;
	}
	p->link.ops = &packet_ops;
	p->link.layer = NR_LINK_ETHERNET;
	p->fd = c.fd;
	c.fd = -1;
	p->ifindex = c.ifindex;
	snprintf(p->name, sizeof(p->name), "%s", ifname);
	*ret = &p->link;
	r = 0;
out:
	if (c.fd >= 0)
		close(c.fd);
	return r;
}
