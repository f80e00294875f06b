/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * For run_topo.sh: the raw-netlink cost of chain.py's chain, the floor
 * netrig is measured against. One process, one thread, plain rtnetlink
 * sockets (no libnl, no journal, no tags), the cheapest way that is still
 * an honest build of the same chain:
 *   bench_topo_raw up PREFIX N     namespaces PREFIX0..PREFIX{N-1}
 *   bench_topo_raw down PREFIX N   delete them, return when devices are gone
 * Up, per namespace: unshare(CLONE_NEWNET) and a bind mount onto
 * /run/netns/NAME, as `ip netns add` makes it (/run/netns made a shared
 * mount once); a netlink socket opened while inside, so no setns is needed
 * to configure it later; one datagram per namespace, in chain order: lo up,
 * eth0 up (made by the previous namespace's datagram), veth eth1 created up
 * with its peer eth0 directly in the next namespace, both with pinned
 * ifindexes (no echo, no lookup), addresses with IFA_F_NODAD, the default
 * route. The kernel runs a datagram's requests inside sendmsg, so the acks
 * are only read at the end.
 * Down: as `ip netns del` (umount2 MNT_DETACH, unlink) for every name, then
 * the same wait every tool's "down" is timed with (nr_run_wait_fds:
 * RTM_DELNSID, then a barrier namespace).
 * Prints the in-process milliseconds; run_topo.sh times the whole command.
 */
#include "netrig/run.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#define IDX_ETH0 2 /* pinned: a namespace's eth0 (peer of the previous link) */
#define IDX_ETH1 3 /* its eth1 (this namespace's end of the next link) */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_topo_raw: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* One datagram of requests. */
struct msgbuf {
	char b[4096];
	size_t len;
	uint32_t seq;
	unsigned nreq;
};

static struct nlmsghdr *msg_start(struct msgbuf *m, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(m->b + m->len);

	memset(h, 0, NLMSG_HDRLEN);
	h->nlmsg_len = NLMSG_HDRLEN;
	h->nlmsg_type = type;
	h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	h->nlmsg_seq = ++m->seq;
	m->nreq++;
	return h;
}

static void *put(struct nlmsghdr *h, const void *data, size_t len)
{
	char *p = (char *)h + NLMSG_ALIGN(h->nlmsg_len);

	memcpy(p, data, len);
	h->nlmsg_len = (uint32_t)(NLMSG_ALIGN(h->nlmsg_len) + len);
	return p;
}

static struct nlattr *attr(struct nlmsghdr *h, uint16_t type, const void *data, size_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = type };
	struct nlattr *p = put(h, &a, sizeof(a));

	if (len)
		put(h, data, len);
	return p;
}

static void nest_end(struct nlmsghdr *h, struct nlattr *a)
{
	a->nla_len = (uint16_t)((char *)h + h->nlmsg_len - (char *)a);
}

static void msg_end(struct msgbuf *m, struct nlmsghdr *h)
{
	m->len += NLMSG_ALIGN(h->nlmsg_len);
}

static void link_up(struct msgbuf *m, int index)
{
	struct nlmsghdr *h = msg_start(m, RTM_NEWLINK, 0);
	struct ifinfomsg ifi = { .ifi_index = index, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };

	put(h, &ifi, sizeof(ifi));
	msg_end(m, h);
}

static void veth(struct msgbuf *m, int peer_ns)
{
	struct nlmsghdr *h = msg_start(m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg ifi = { .ifi_index = IDX_ETH1, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	struct ifinfomsg pifi = { .ifi_index = IDX_ETH0 };
	struct nlattr *li, *data, *peer;
	uint32_t fd = (uint32_t)peer_ns;

	put(h, &ifi, sizeof(ifi));
	attr(h, IFLA_IFNAME, "eth1", 5);
	li = attr(h, IFLA_LINKINFO, NULL, 0);
	attr(h, IFLA_INFO_KIND, "veth", 5);
	data = attr(h, IFLA_INFO_DATA, NULL, 0);
	peer = attr(h, VETH_INFO_PEER, NULL, 0);
	put(h, &pifi, sizeof(pifi));
	attr(h, IFLA_IFNAME, "eth0", 5);
	attr(h, IFLA_NET_NS_FD, &fd, sizeof(fd));
	nest_end(h, peer);
	nest_end(h, data);
	nest_end(h, li);
	msg_end(m, h);
}

static void v6(unsigned link, unsigned host, struct in6_addr *ret)
{
	char s[64];

	snprintf(s, sizeof(s), "2001:db8:%x::%u", link, host);
	if (inet_pton(AF_INET6, s, ret) != 1)
		exit(2);
}

static void addr(struct msgbuf *m, int index, unsigned link, unsigned host)
{
	struct nlmsghdr *h = msg_start(m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg ifa = { .ifa_family = AF_INET6, .ifa_prefixlen = 64,
				 .ifa_flags = IFA_F_NODAD, .ifa_index = (uint32_t)index };
	struct in6_addr a;

	v6(link, host, &a);
	put(h, &ifa, sizeof(ifa));
	attr(h, IFA_LOCAL, &a, sizeof(a));
	attr(h, IFA_ADDRESS, &a, sizeof(a));
	msg_end(m, h);
}

static void default_route(struct msgbuf *m, unsigned link, unsigned host)
{
	struct nlmsghdr *h = msg_start(m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg rt = { .rtm_family = AF_INET6, .rtm_table = RT_TABLE_MAIN,
			    .rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_UNIVERSE,
			    .rtm_type = RTN_UNICAST };
	struct in6_addr gw;

	v6(link, host, &gw);
	put(h, &rt, sizeof(rt));
	attr(h, RTA_GATEWAY, &gw, sizeof(gw));
	msg_end(m, h);
}

/* Every ack of a socket's datagram; the first refusal ends the run. */
static void read_acks(int sk, unsigned want, unsigned ns)
{
	char buf[8192];

	while (want) {
		ssize_t len = recv(sk, buf, sizeof(buf), 0);
		int left = (int)len;

		if (len < 0)
			die("recv");
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (e->error) {
				fprintf(stderr, "bench_topo_raw: namespace %u, request %u: %s\n", ns,
					h->nlmsg_seq, strerror(-e->error));
				exit(1);
			}
			want--;
		}
	}
}

static int up(const char *prefix, unsigned n)
{
	int *sk = calloc(n, sizeof(*sk)), *nsfd = calloc(n, sizeof(*nsfd));
	unsigned *nreq = calloc(n, sizeof(*nreq));
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char path[256];
	int self, fd;

	if (!sk || !nsfd || !nreq)
		die("calloc");
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		die("own namespace");
	/* As iproute2: /run/netns a shared mount, once. */
	mkdir("/run/netns", 0755);
	if (mount("", "/run/netns", "none", MS_SHARED | MS_REC, NULL) < 0) {
		if (mount("/run/netns", "/run/netns", "none", MS_BIND | MS_REC, NULL) < 0 ||
		    mount("", "/run/netns", "none", MS_SHARED | MS_REC, NULL) < 0)
			die("/run/netns");
	}
	for (unsigned i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/run/netns/%s%u", prefix, i);
		fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
		if (fd < 0)
			die(path);
		close(fd);
		if (unshare(CLONE_NEWNET) < 0)
			die("unshare");
		if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0)
			die("bind mount");
		nsfd[i] = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		sk[i] = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		if (nsfd[i] < 0 || sk[i] < 0 || bind(sk[i], (struct sockaddr *)&sa, sizeof(sa)) < 0)
			die("namespace socket");
		if (setns(self, CLONE_NEWNET) < 0)
			abort();
	}
	for (unsigned i = 0; i < n; i++) {
		static struct msgbuf m;

		m.len = 0;
		m.nreq = 0;
		link_up(&m, 1);
		if (i > 0) {
			link_up(&m, IDX_ETH0);
			addr(&m, IDX_ETH0, i - 1, 2);
		}
		if (i + 1 < n) {
			veth(&m, nsfd[i + 1]);
			addr(&m, IDX_ETH1, i, 1);
			default_route(&m, i, 2);
		} else if (i > 0) {
			default_route(&m, i - 1, 1);
		}
		if (send(sk[i], m.b, m.len, 0) != (ssize_t)m.len)
			die("send");
		nreq[i] = m.nreq;
	}
	for (unsigned i = 0; i < n; i++) {
		read_acks(sk[i], nreq[i], i);
		close(sk[i]);
		close(nsfd[i]);
	}
	close(self);
	free(sk);
	free(nsfd);
	free(nreq);
	return 0;
}

static int down(const char *prefix, unsigned n)
{
	struct nr_os_error err = { 0 };
	int *fds = calloc(n ? n : 1, sizeof(*fds));
	char path[256];

	if (!fds)
		die("calloc");
	/* The fds are the detector's (nr_run_wait_fds closes them): a tool
	 * that deletes by name holds none. */
	for (unsigned i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/run/netns/%s%u", prefix, i);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			die(path);
	}
	for (unsigned i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/run/netns/%s%u", prefix, i);
		if (umount2(path, MNT_DETACH) < 0 || unlink(path) < 0)
			die(path);
	}
	if (nr_run_wait_fds(fds, n, 60000, &err) < 0) {
		fprintf(stderr, "bench_topo_raw: %s\n", err.msg);
		return 1;
	}
	free(fds);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long n;
	double t0;
	int r;

	if (argc != 4 || (strcmp(argv[1], "up") && strcmp(argv[1], "down"))) {
		fprintf(stderr, "usage: bench_topo_raw up|down PREFIX N\n");
		return 2;
	}
	n = strtoul(argv[3], NULL, 10);
	if (n < 1 || n > 100000) {
		fprintf(stderr, "bench_topo_raw: N from 1 to 100000\n");
		return 2;
	}
	t0 = now_ms();
	r = !strcmp(argv[1], "up") ? up(argv[2], (unsigned)n) : down(argv[2], (unsigned)n);
	if (r == 0)
		printf("%.1f\n", now_ms() - t0);
	return r;
}
