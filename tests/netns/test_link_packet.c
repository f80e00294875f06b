/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Link backends against the kernel: packet sockets on a veth pair, and
 * TUN/TAP links, in namespaces this test creates and deletes (on every
 * path out, including a fatal signal; stale ones of dead runs are
 * removed at start). Skips (77) without the privileges.
 *
 *   nrt-loop-PID-a                          nrt-loop-PID-b
 *   +--------------------------------+      +-------------------------+
 *   | va 198.51.100.1/24 mtu 1400    |-veth-| vb 198.51.100.2/24      |
 *   |    02:00:00:00:aa:01           |      |    02:00:00:00:bb:01    |
 *   |    (packet link A)             |      |    (packet link B)      |
 *   | tap0 203.0.113.1/24 (TAP link) |      +-------------------------+
 *   | tun0 192.0.2.1 peer 192.0.2.2  |
 *   |      (TUN link, DLT_RAW pcap)  |
 *   +--------------------------------+
 *
 * Waits are on events (the loop watching a link's fd) with a deadline
 * on the real clock that only bounds a broken run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "link/capture.h"
#include "link/link.h"
#include "loop/loop.h"
#include "netrig/csum.h"
#include "netrig/netns.h"

#define WAIT_BOUND (5 * NR_NSEC_PER_SEC)

static char ns_a[64], ns_b[64];
static struct nr_netns *nsa, *nsb;
static char tmpdir[64];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	r = system(cmd);
	return r == -1 ? -1 : WEXITSTATUS(r);
}

static void cleanup(void)
{
	/* ip netns del of a missing name fails quietly. */
	if (ns_a[0])
		sh("ip netns del %s 2>/dev/null", ns_a);
	if (ns_b[0])
		sh("ip netns del %s 2>/dev/null", ns_b);
	if (tmpdir[0])
		sh("rm -rf '%s'", tmpdir);
}

static void on_fatal(int signo)
{
	cleanup();
	signal(signo, SIG_DFL);
	raise(signo);
}

/* Namespaces left by runs that died by SIGKILL: nrt-loop-PID-x with PID gone. */
static void remove_stale(void)
{
	DIR *d = opendir("/run/netns");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		int pid;

		if (sscanf(e->d_name, "nrt-loop-%d-", &pid) == 1 && pid > 0 &&
		    kill(pid, 0) < 0 && errno == ESRCH)
			sh("ip netns del '%s' 2>/dev/null", e->d_name);
	}
	closedir(d);
}

static int group_setup(void **state)
{
	struct nr_os_error err;

	(void)state;
	remove_stale();
	snprintf(ns_a, sizeof(ns_a), "nrt-loop-%d-a", (int)getpid());
	snprintf(ns_b, sizeof(ns_b), "nrt-loop-%d-b", (int)getpid());
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/nrt-loop-%d", (int)getpid());
	if (sh("mkdir -p %s", tmpdir) != 0)
		return -1;
	if (sh("ip netns add %s && ip netns add %s", ns_a, ns_b) != 0)
		return -1;
	/* No IPv6: its router solicitations and MLD reports would only be noise. */
	if (sh("set -e; for n in %s %s; do "
	       "ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
	       "net.ipv6.conf.default.disable_ipv6=1; ip -n $n link set lo up; done; "
	       "ip -n %s link add va type veth peer name vb netns %s; "
	       "ip -n %s link set va address 02:00:00:00:aa:01 mtu 1400 up; "
	       "ip -n %s addr add 198.51.100.1/24 dev va; "
	       "ip -n %s link set vb address 02:00:00:00:bb:01 up; "
	       "ip -n %s addr add 198.51.100.2/24 dev vb",
	       ns_a, ns_b, ns_a, ns_b, ns_a, ns_a, ns_b, ns_b) != 0)
		return -1;
	if (nr_netns_open(ns_a, &nsa, &err) < 0 || nr_netns_open(ns_b, &nsb, &err) < 0) {
		fprintf(stderr, "open namespace: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	nr_netns_close(nsa);
	nr_netns_close(nsb);
	cleanup();
	return 0;
}

/* --- waiting until a device can carry frames --- */

/*
 * A device that was just brought up drops what it is given until the
 * kernel's link watcher activates its queue (up to a second later for a
 * veth whose peer came up second). Wait for the event saying it is
 * running (IFF_RUNNING: operstate up or unknown), subscribed before
 * asking, so the answer cannot be missed.
 */
struct running {
	const char *ifname;
	bool found;
};

static int nl_open(void *arg)
{
	int *fd = arg;

	*fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	return *fd < 0 ? -errno : 0;
}

static bool running_msg(const struct nlmsghdr *h, const char *ifname)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	const struct rtattr *rta = IFLA_RTA(ifi);
	int len = (int)IFLA_PAYLOAD(h);

	if (h->nlmsg_type != RTM_NEWLINK || !(ifi->ifi_flags & IFF_RUNNING))
		return false;
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == IFLA_IFNAME)
			return strcmp(RTA_DATA(rta), ifname) == 0;
	return false;
}

static void on_netlink(struct nr_loop *l, int fd, unsigned events, void *arg)
{
	struct running *r = arg;
	static uint8_t buf[32768];
	ssize_t n;

	(void)events;
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		size_t len = (size_t)n;

		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (running_msg(h, r->ifname)) {
				r->found = true;
				nr_loop_stop(l);
				return;
			}
		}
	}
}

static void wait_running(struct nr_netns *ns, const char *ifname)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req = {
		.h = {.nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK,
		      .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1},
		.i = {.ifi_family = AF_UNSPEC},
	};
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK};
	struct running r = {.ifname = ifname};
	struct nr_os_error err;
	struct nr_loop *l;
	int fd = -1;

	assert_int_equal(nr_netns_run(ns, nl_open, &fd, &err), 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(send(fd, &req, sizeof(req), 0), sizeof(req));
	assert_int_equal(nr_loop_new(NULL, &l), 0);
	assert_int_equal(nr_loop_fd_add(l, fd, NR_LOOP_READ, on_netlink, &r, NULL), 0);
	(void)nr_loop_run_until(l, nr_loop_update_time(l) + WAIT_BOUND);
	nr_loop_free(l);
	close(fd);
	if (!r.found)
		fail_msg("%s did not come up within the bound", ifname);
}

/* --- waiting for a frame through the loop --- */

typedef bool (*match_fn)(const uint8_t *f, size_t len, const void *arg);

struct waiter {
	struct nr_link *link;
	match_fn match;
	const void *arg;
	uint8_t buf[65536];
	ssize_t got;
	int seen; /* frames read, matching or not */
};

static void on_frame(struct nr_loop *l, int fd, unsigned events, void *arg)
{
	struct waiter *w = arg;
	ssize_t n;

	(void)fd;
	(void)events;
	while ((n = nr_link_recv(w->link, w->buf, sizeof(w->buf))) > 0 || n == -EMSGSIZE) {
		w->seen++;
		if (n > 0 && w->match(w->buf, (size_t)n, w->arg)) {
			w->got = n;
			nr_loop_stop(l);
			return;
		}
	}
}

/* The first frame on link that matches, within WAIT_BOUND: its length, or -ETIMEDOUT. */
static ssize_t wait_frame(struct nr_link *link, match_fn match, const void *arg, uint8_t *out,
			  size_t cap)
{
	static struct waiter w;
	struct nr_loop *l;
	struct nr_loop_watch *watch;
	int r;

	memset(&w, 0, sizeof(w));
	w.link = link;
	w.match = match;
	w.arg = arg;
	w.got = -ETIMEDOUT;
	assert_int_equal(nr_loop_new(NULL, &l), 0);
	assert_int_equal(nr_loop_fd_add(l, nr_link_fd(link), NR_LOOP_READ, on_frame, &w, &watch), 0);
	r = nr_loop_run_until(l, nr_loop_update_time(l) + WAIT_BOUND);
	assert_true(r == NR_LOOP_STOPPED || r == NR_LOOP_DEADLINE);
	nr_loop_fd_remove(watch);
	nr_loop_free(l);
	if (w.got > 0) {
		assert_true((size_t)w.got <= cap);
		memcpy(out, w.buf, (size_t)w.got);
	}
	return w.got;
}

/* Drain what is queued now, without waiting: how many frames match. */
static int drain_count(struct nr_link *link, match_fn match, const void *arg)
{
	static uint8_t buf[65536];
	ssize_t n;
	int count = 0;

	while ((n = nr_link_recv(link, buf, sizeof(buf))) > 0 || n == -EMSGSIZE)
		if (n > 0 && match(buf, (size_t)n, arg))
			count++;
	assert_int_equal(n, -EAGAIN);
	return count;
}

static bool same_bytes(const uint8_t *f, size_t len, const void *arg)
{
	const uint8_t *want = arg;

	/* want: 2-byte length, then the bytes. */
	return len == (size_t)(want[0] << 8 | want[1]) && memcmp(f, want + 2, len) == 0;
}

/* --- packet sockets on the veth pair --- */

/* An experimental-ethertype frame (IEEE 802 local experimental 0x88b5), 60 bytes. */
static void make_frame(uint8_t *msg, const char *dst, const char *src, uint8_t marker)
{
	uint8_t *f = msg + 2;
	unsigned m[12];

	msg[0] = 0;
	msg[1] = 60;
	sscanf(dst, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]);
	sscanf(src, "%x:%x:%x:%x:%x:%x", &m[6], &m[7], &m[8], &m[9], &m[10], &m[11]);
	for (int i = 0; i < 12; i++)
		f[i] = (uint8_t)m[i];
	f[12] = 0x88; /* ethertype: local experimental */
	f[13] = 0xb5;
	for (int i = 14; i < 60; i++)
		f[i] = (uint8_t)(marker + i);
}

static void test_packet_frames_cross(void **state)
{
	struct nr_link *a, *b;
	struct nr_os_error err;
	struct nr_lladdr mac;
	char text[NR_LLADDR_STRLEN];
	uint8_t ab[62], ba[62], bcast[62], out[2048];

	(void)state;
	assert_int_equal(nr_link_packet_open(nsa, "va", NULL, &a, &err), 0);
	assert_int_equal(nr_link_packet_open(nsb, "vb", NULL, &b, &err), 0);
	wait_running(nsa, "va");
	wait_running(nsb, "vb");
	assert_string_equal(nr_link_kind(a), "packet");
	assert_string_equal(nr_link_name(a), "va");
	assert_int_equal(nr_link_layer(a), NR_LINK_ETHERNET);
	assert_int_equal(nr_link_mtu(a), 1400);
	assert_int_equal(nr_link_mtu(b), 1500);
	assert_int_equal(nr_link_frame_max(a), 1418);
	assert_int_equal(nr_link_lladdr(a, &mac), 0);
	assert_string_equal(nr_lladdr_format(&mac, text, sizeof(text)), "02:00:00:00:aa:01");
	assert_int_equal(nr_link_lladdr(b, &mac), 0);
	assert_string_equal(nr_lladdr_format(&mac, text, sizeof(text)), "02:00:00:00:bb:01");

	/* A to B, unicast to vb's MAC. */
	make_frame(ab, "02:00:00:00:bb:01", "02:00:00:00:aa:01", 1);
	assert_int_equal(nr_link_send(a, ab + 2, 60), 0);
	assert_int_equal(wait_frame(b, same_bytes, ab, out, sizeof(out)), 60);
	assert_memory_equal(out, ab + 2, 60);
	/* B to A, to a MAC nobody has: a packet socket sees it all the same. */
	make_frame(ba, "02:00:00:00:cc:01", "02:00:00:00:bb:01", 2);
	assert_int_equal(nr_link_send(b, ba + 2, 60), 0);
	assert_int_equal(wait_frame(a, same_bytes, ba, out, sizeof(out)), 60);
	/* Broadcast from A, with a source MAC that is not va's own. */
	make_frame(bcast, "ff:ff:ff:ff:ff:ff", "02:00:00:00:dd:01", 3);
	assert_int_equal(nr_link_send(a, bcast + 2, 60), 0);
	assert_int_equal(wait_frame(b, same_bytes, bcast, out, sizeof(out)), 60);
	/* The senders never got their own frames back. */
	assert_int_equal(drain_count(a, same_bytes, ab), 0);
	assert_int_equal(drain_count(a, same_bytes, bcast), 0);
	assert_int_equal(drain_count(b, same_bytes, ba), 0);
	assert_int_equal(nr_link_stats(a)->tx_frames, 2);
	assert_int_equal(nr_link_stats(b)->tx_frames, 1);
	assert_true(nr_link_stats(b)->rx_frames >= 2);

	/* Larger than va's MTU plus the Ethernet header: refused by the kernel. */
	{
		static uint8_t big[1415];

		memcpy(big, ab + 2, 14);
		assert_int_equal(nr_link_send(a, big, 1400 + 14 + 1), -EMSGSIZE);
		assert_int_equal(nr_link_send(a, big, 1400 + 14), 0);
		assert_int_equal(nr_link_stats(a)->tx_errors, 1);
	}
	nr_link_close(a);
	nr_link_close(b);
}

/* --- a kernel UDP datagram with a partial checksum --- */

struct udp_send {
	const char *dst;
	uint16_t port;
	const char *payload;
};

static int send_udp(void *arg)
{
	const struct udp_send *u = arg;
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(u->port)};
	int fd, r = 0;

	inet_pton(AF_INET, u->dst, &to.sin_addr);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, u->payload, strlen(u->payload), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		r = -errno;
	close(fd);
	return r;
}

static bool is_udp_to(const uint8_t *f, size_t len, const void *arg)
{
	uint16_t port = *(const uint16_t *)arg;
	size_t ihl;

	if (len < 14 + 20 || f[12] != 0x08 || f[13] != 0x00 || f[14 + 9] != 17)
		return false;
	ihl = (size_t)(f[14] & 0x0f) * 4;
	return len >= 14 + ihl + 8 && (f[14 + ihl + 2] << 8 | f[14 + ihl + 3]) == port;
}

/* UDP checksum of an IPv4 datagram (from its IP header) verifies. */
static bool udp4_csum_ok(const uint8_t *ip, size_t len)
{
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
	size_t ulen = (size_t)(ip[ihl + 4] << 8 | ip[ihl + 5]);
	struct nr_addr src, dst;
	struct nr_csum c;

	if (ihl + ulen > len)
		return false;
	nr_addr_set_v4(&src, (uint32_t)ip[12] << 24 | (uint32_t)ip[13] << 16 | (uint32_t)ip[14] << 8 | ip[15]);
	nr_addr_set_v4(&dst, (uint32_t)ip[16] << 24 | (uint32_t)ip[17] << 16 | (uint32_t)ip[18] << 8 | ip[19]);
	nr_csum_init(&c);
	nr_csum_add_pseudo4(&c, &src, &dst, 17, (uint16_t)ulen);
	nr_csum_add(&c, ip + ihl, ulen);
	return nr_csum_verify(&c);
}

static void test_packet_partial_checksum(void **state)
{
	struct nr_link *b;
	struct nr_os_error err;
	uint16_t port = 9;
	struct udp_send u = {"198.51.100.2", 9, "netrig partial checksum"};
	struct nr_capture *cap;
	char path[128], errbuf[PCAP_ERRBUF_SIZE];
	uint8_t out[2048];
	struct pcap_pkthdr *h;
	const u_char *data;
	ssize_t n;
	pcap_t *rd;

	(void)state;
	assert_int_equal(nr_link_packet_open(nsb, "vb", NULL, &b, &err), 0);
	snprintf(path, sizeof(path), "%s/vb.pcap", tmpdir);
	assert_int_equal(nr_capture_open(path, DLT_EN10MB, NULL, &cap, &err), 0);
	nr_link_set_capture(b, cap);
	/* The kernel in A resolves vb by ARP (answered by B's kernel), then sends. */
	assert_int_equal(nr_netns_run(nsa, send_udp, &u, &err), 0);
	n = wait_frame(b, is_udp_to, &port, out, sizeof(out));
	assert_true(n > 0);
	assert_true(udp4_csum_ok(out + 14, (size_t)n - 14));
	assert_memory_equal(out + 14 + 20 + 8, u.payload, strlen(u.payload));
	/* It was partial on the wire (veth tx offload) and completed by the link. */
	assert_true(nr_link_stats(b)->rx_csum_completed >= 1);
	assert_int_equal(nr_link_stats(b)->rx_csum_bad_offset, 0);

	/* The capture holds the completed frame too. */
	assert_true(nr_capture_stats(cap)->in >= 1);
	rd = pcap_open_offline(path, errbuf);
	assert_non_null(rd);
	{
		bool found = false;

		while (!found && pcap_next_ex(rd, &h, &data) == 1)
			found = h->len == (bpf_u_int32)n && memcmp(data, out, (size_t)n) == 0;
		assert_true(found);
	}
	pcap_close(rd);
	nr_link_set_capture(b, NULL);
	nr_capture_close(cap);
	nr_link_close(b);
}

static void test_packet_options(void **state)
{
	struct nr_link_packet_opts o = {.promisc = true, .rcvbuf = 1 << 20};
	struct nr_link *l;
	struct nr_os_error err;

	(void)state;
	assert_int_equal(sh("ip -d -n %s link show vb | grep -q 'promiscuity 0 '", ns_b), 0);
	assert_int_equal(nr_link_packet_open(nsb, "vb", &o, &l, &err), 0);
	/* The membership counts as one promiscuous user while the socket lives. */
	assert_int_equal(sh("ip -d -n %s link show vb | grep -q 'promiscuity 1 '", ns_b), 0);
	nr_link_close(l);
	assert_int_equal(sh("ip -d -n %s link show vb | grep -q 'promiscuity 0 '", ns_b), 0);
}

static void test_packet_open_errors(void **state)
{
	struct nr_link *l = NULL;
	struct nr_os_error err = {0};

	(void)state;
	assert_int_equal(nr_link_packet_open(nsa, "nosuch0", NULL, &l, &err), -ENODEV);
	assert_non_null(strstr(err.msg, "nosuch0"));
	assert_int_equal(nr_link_packet_open(nsa, "", NULL, &l, &err), -EINVAL);
	assert_int_equal(nr_link_packet_open(nsa, "a-name-far-too-long", NULL, &l, &err), -EINVAL);
	/* vb lives in B only. */
	assert_int_equal(nr_link_packet_open(nsa, "vb", NULL, &l, &err), -ENODEV);
	assert_null(l);
}

/* --- TAP: an ARP request written in, the kernel's reply read out --- */

static bool is_arp_reply(const uint8_t *f, size_t len, const void *arg)
{
	(void)arg;
	return len >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[20] == 0 && f[21] == 2;
}

static void test_tap(void **state)
{
	static const uint8_t me[6] = {0x02, 0x00, 0x00, 0x00, 0x99, 0x01};
	uint8_t req[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* broadcast */
		0x02, 0x00, 0x00, 0x00, 0x99, 0x01, /* from us */
		0x08, 0x06,                         /* ARP */
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, /* Ethernet/IPv4 */
		0x00, 0x01,                         /* request */
		0x02, 0x00, 0x00, 0x00, 0x99, 0x01, /* sender MAC */
		203,  0,    113,  2,                /* sender 203.0.113.2 */
		0,    0,    0,    0,    0,    0,    /* target MAC */
		203,  0,    113,  1,                /* who has 203.0.113.1 (the kernel's) */
	};
	struct nr_link *t;
	struct nr_os_error err;
	struct nr_lladdr mac;
	uint8_t out[2048];

	(void)state;
	assert_int_equal(nr_link_tuntap_open(nsa, "tap0", NR_TUNTAP_AUTO, &t, &err), 0);
	assert_string_equal(nr_link_kind(t), "tap");
	assert_string_equal(nr_link_name(t), "tap0");
	assert_int_equal(nr_link_layer(t), NR_LINK_ETHERNET);
	assert_non_null(nr_link_tuntap(t));
	assert_int_equal(sh("ip -n %s addr add 203.0.113.1/24 dev tap0 && "
			    "ip -n %s link set tap0 mtu 1280 up", ns_a, ns_a), 0);
	wait_running(nsa, "tap0");
	assert_int_equal(nr_link_mtu(t), 1280);
	assert_int_equal(nr_link_lladdr(t, &mac), 0);
	assert_int_equal(mac.len, 6);
	assert_int_equal(nr_link_send(t, req, sizeof(req)), 0);
	assert_int_equal(wait_frame(t, is_arp_reply, NULL, out, sizeof(out)), 42);
	assert_memory_equal(out, me, 6);                /* to us */
	assert_memory_equal(out + 6, mac.bytes, 6);     /* from the TAP's own MAC */
	assert_memory_equal(out + 22, mac.bytes, 6);    /* sender hardware address */
	assert_memory_equal(out + 28, req + 38, 4);     /* sender 203.0.113.1 */
	assert_memory_equal(out + 32, me, 6);           /* target: us */
	assert_memory_equal(out + 38, req + 28, 4);     /* target 203.0.113.2 */
	/* The kernel learnt us from the request. */
	assert_int_equal(sh("ip -n %s neigh show 203.0.113.2 dev tap0 | grep -q 02:00:00:00:99:01",
			    ns_a), 0);
	/* A short buffer: the frame is reported too long, not cut. */
	assert_int_equal(nr_link_send(t, req, sizeof(req)), 0);
	{
		struct pollfd pfd = {.fd = nr_link_fd(t), .events = POLLIN};
		uint8_t small[20];

		/* Waiting for the reply event, bounded. */
		assert_int_equal(poll(&pfd, 1, 5000), 1);
		assert_int_equal(nr_link_recv(t, small, sizeof(small)), -EMSGSIZE);
		assert_int_equal(nr_link_stats(t)->rx_too_long, 1);
	}
	nr_link_close(t);
	/* Not persistent: the device is gone with the link. */
	assert_int_not_equal(sh("ip -n %s link show tap0 >/dev/null 2>&1", ns_a), 0);
}

/* --- TUN: raw IP both ways, captured as DLT_RAW --- */

static bool is_ip_proto(const uint8_t *f, size_t len, const void *arg)
{
	const uint8_t *want = arg; /* protocol, then for ICMP the type */

	if (len < 28 || f[0] >> 4 != 4 || f[9] != want[0])
		return false;
	return want[0] != 1 || f[20] == want[1];
}

static void test_tun(void **state)
{
	static const char payload[] = "netrig tun echo!"; /* 16 bytes */
	uint8_t req[20 + 8 + 16] = {
		0x45, 0x00, 0x00, 44,   /* IPv4, total length 44 */
		0x12, 0x34, 0x40, 0x00, /* id 0x1234, DF */
		64,   1,    0,    0,    /* TTL 64, ICMP, header checksum (below) */
		192,  0,    2,    2,    /* from the peer 192.0.2.2 */
		192,  0,    2,    1,    /* to the kernel's 192.0.2.1 */
		8,    0,    0,    0,    /* echo request, checksum (below) */
		0xbe, 0xef, 0x00, 0x07, /* id 0xbeef, seq 7 */
	};
	const uint8_t want_udp[1] = {17}, want_reply[2] = {1, 0};
	struct udp_send u = {"192.0.2.2", 7, "netrig over tun"};
	struct nr_link *t, *bad = NULL;
	struct nr_os_error err;
	struct nr_lladdr mac;
	struct nr_capture *cap;
	char path[128], errbuf[PCAP_ERRBUF_SIZE];
	uint8_t out[2048];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint16_t c;
	ssize_t n;
	pcap_t *rd;

	(void)state;
	memcpy(req + 28, payload, 16);
	c = nr_csum(req, 20);
	req[10] = (uint8_t)(c >> 8);
	req[11] = (uint8_t)c;
	c = nr_csum(req + 20, 24);
	req[22] = (uint8_t)(c >> 8);
	req[23] = (uint8_t)c;

	assert_int_equal(nr_link_tuntap_open(nsa, "tun0", NR_TUNTAP_AUTO, &t, &err), 0);
	assert_string_equal(nr_link_kind(t), "tun");
	assert_int_equal(nr_link_layer(t), NR_LINK_RAW_IP);
	assert_int_equal(nr_link_lladdr(t, &mac), 0);
	assert_int_equal(mac.len, 0);
	assert_int_equal(sh("ip -n %s addr add 192.0.2.1 peer 192.0.2.2 dev tun0 && "
			    "ip -n %s link set tun0 up", ns_a, ns_a), 0);
	wait_running(nsa, "tun0");
	assert_int_equal(nr_link_mtu(t), 1500);
	assert_int_equal(nr_link_frame_max(t), 1500);
	/* A packet socket wants Ethernet; a TUN has no link layer. */
	assert_int_equal(nr_link_packet_open(nsa, "tun0", NULL, &bad, &err), -EPROTONOSUPPORT);
	assert_null(bad);

	snprintf(path, sizeof(path), "%s/tun0.pcap", tmpdir);
	assert_int_equal(nr_capture_open(path, nr_capture_dlt_for(nr_link_layer(t)), NULL, &cap, &err),
			 0);
	nr_link_set_capture(t, cap);

	/* Kernel to link: a UDP datagram routed to the peer, checksum complete. */
	assert_int_equal(nr_netns_run(nsa, send_udp, &u, &err), 0);
	n = wait_frame(t, is_ip_proto, want_udp, out, sizeof(out));
	assert_int_equal(n, 20 + 8 + (ssize_t)strlen(u.payload));
	assert_int_equal(out[16], 192);                   /* to the peer 192.0.2.2 */
	assert_int_equal(out[17], 0);
	assert_int_equal(out[18], 2);
	assert_int_equal(out[19], 2);
	assert_true(udp4_csum_ok(out, (size_t)n));
	assert_memory_equal(out + 28, u.payload, strlen(u.payload));

	/* Link to kernel: an echo request from the peer; the kernel's reply comes back. */
	assert_int_equal(nr_link_send(t, req, sizeof(req)), 0);
	n = wait_frame(t, is_ip_proto, want_reply, out, sizeof(out));
	assert_int_equal(n, sizeof(req));
	assert_memory_equal(out + 12, req + 16, 4);       /* from 192.0.2.1 */
	assert_memory_equal(out + 16, req + 12, 4);       /* to 192.0.2.2 */
	assert_memory_equal(out + 24, req + 24, 4);       /* id, seq */
	assert_memory_equal(out + 28, payload, 16);       /* payload intact */
	assert_int_equal(nr_csum(out, 20), 0);            /* header checksum verifies */
	assert_int_equal(nr_csum(out + 20, (size_t)n - 20), 0);

	/* The capture: raw IP records, our request among them, then the reply. */
	nr_link_set_capture(t, NULL);
	nr_capture_close(cap);
	rd = pcap_open_offline(path, errbuf);
	assert_non_null(rd);
	assert_int_equal(pcap_datalink(rd), DLT_RAW);
	{
		int state_seen = 0; /* 1: request seen, 2: then the reply */

		while (state_seen < 2 && pcap_next_ex(rd, &h, &data) == 1) {
			if (state_seen == 0 && h->len == sizeof(req) && !memcmp(data, req, sizeof(req)))
				state_seen = 1;
			else if (state_seen == 1 && h->len == (bpf_u_int32)n && !memcmp(data, out, (size_t)n))
				state_seen = 2;
		}
		assert_int_equal(state_seen, 2);
	}
	pcap_close(rd);
	nr_link_close(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_packet_frames_cross),
		cmocka_unit_test(test_packet_partial_checksum),
		cmocka_unit_test(test_packet_options),
		cmocka_unit_test(test_packet_open_errors),
		cmocka_unit_test(test_tap),
		cmocka_unit_test(test_tun),
	};
	char probe[64];

	if (geteuid() != 0) {
		printf("SKIP: needs root (CAP_NET_ADMIN, CAP_NET_RAW, CAP_SYS_ADMIN)\n");
		return 77;
	}
	snprintf(probe, sizeof(probe), "nrt-loop-%d-probe", (int)getpid());
	if (sh("ip netns add %s 2>/dev/null", probe) != 0) {
		printf("SKIP: cannot create network namespaces here\n");
		return 77;
	}
	sh("ip netns del %s", probe);
	signal(SIGINT, on_fatal);
	signal(SIGTERM, on_fatal);
	signal(SIGHUP, on_fatal);
	signal(SIGABRT, on_fatal);
	signal(SIGSEGV, on_fatal);
	atexit(cleanup);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
