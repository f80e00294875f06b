/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TUN/TAP: made inside a namespace, names (readback, %d, too long, mode
 * from the name), persist on and off, pi / strip_pi / vnet_hdr /
 * multi-queue as the kernel reports them (`ip -d -j`), and packets both
 * ways: `ping` in the namespace sends an echo request out of the TUN, the
 * test reads it from the fd and writes the reply back, and ping succeeds.
 *
 *   nrt-kbuild-PID-t
 *   +-------------------------------------------------------------+
 *   | ping --> tun0 192.0.2.1 peer 192.0.2.2, 2001:db8:ff::1/64   |
 *   |          (fd: no pi)              ^ test reads/answers     |
 *   |          tun1 192.0.2.5 peer .6   (pi, stripped: Scapy's)  |
 *   |          tun2 192.0.2.9 peer .10  (pi kept, raw IP written) |
 *   +-------------------------------------------------------------+
 */
#include "netrig/kbuild.h"
#include "netrig/netns.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static char ns_t[64];
static struct nr_netns *nt;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	r = system(cmd);
	return r == -1 ? -1 : WEXITSTATUS(r);
}

static char *run_out(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static char *run_out(char *buf, size_t cap, const char *fmt, ...)
{
	char cmd[1024];
	size_t n = 0, m;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	buf[0] = '\0';
	f = popen(cmd, "r");
	if (!f)
		return buf;
	while (n < cap - 1 && (m = fread(buf + n, 1, cap - 1 - n, f)) > 0)
		n += m;
	buf[n] = '\0';
	pclose(f);
	return buf;
}

static void cleanup(void)
{
	nr_netns_close(nt);
	nt = NULL;
	if (ns_t[0])
		nr_knetns_delete(ns_t, NULL);
	ns_t[0] = '\0';
}

static void on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static bool link_exists(const char *ns, const char *dev)
{
	if (ns)
		return sh("ip -n %s link show dev %s >/dev/null 2>&1", ns, dev) == 0;
	return sh("ip link show dev %s >/dev/null 2>&1", dev) == 0;
}

/* info_data of `ip -d -j link show dev`: type, pi, vnet_hdr, multi_queue, persist. */
static json_t *tun_info(const char *dev)
{
	static char buf[65536];
	json_t *j, *d;

	run_out(buf, sizeof(buf), "ip -d -j -n %s link show dev %s", ns_t, dev);
	j = json_loads(buf, 0, NULL);
	assert_non_null(j);
	d = json_object_get(json_object_get(json_array_get(j, 0), "linkinfo"), "info_data");
	assert_non_null(d);
	json_incref(d);
	json_decref(j);
	return d;
}

static bool jbool(json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

static void test_names(void **state)
{
	struct nr_tuntap_opts o = { .owner = (uid_t)-1, .group = (gid_t)-1 };
	struct nr_tuntap *t = NULL, *t2 = NULL;
	struct nr_os_error err;
	json_t *d;

	(void)state;
	assert_false(link_exists(NULL, "tun0"));
	assert_int_equal(nr_tuntap_open(nt, "tun0", &o, &t, &err), 0);
	assert_string_equal(nr_tuntap_name(t), "tun0");
	assert_false(nr_tuntap_is_tap(t));
	assert_true(nr_tuntap_fd(t) >= 0);
	assert_int_equal(nr_tuntap_read_size(t), 1500);
	assert_true(link_exists(ns_t, "tun0"));
	assert_false(link_exists(NULL, "tun0")); /* in the namespace only */
	d = tun_info("tun0");
	assert_string_equal(json_string_value(json_object_get(d, "type")), "tun");
	assert_false(jbool(d, "pi"));
	assert_false(jbool(d, "persist"));
	json_decref(d);
	/* Taken by an open fd: a second, non-multi-queue open is refused. */
	assert_int_equal(nr_tuntap_open(nt, "tun0", &o, &t2, &err), -EBUSY);
	assert_non_null(strstr(err.msg, "in use"));
	nr_tuntap_close(t);
	assert_false(link_exists(ns_t, "tun0")); /* gone with the fd */

	/* Template: the kernel's name is read back; TAP from the name. */
	assert_int_equal(nr_tuntap_open(nt, "tap%d", &o, &t, &err), 0);
	assert_true(nr_tuntap_is_tap(t));
	assert_int_equal(strncmp(nr_tuntap_name(t), "tap", 3), 0);
	assert_null(strchr(nr_tuntap_name(t), '%'));
	assert_true(link_exists(ns_t, nr_tuntap_name(t)));
	assert_int_equal(nr_tuntap_read_size(t), 1500 + 18);
	d = tun_info(nr_tuntap_name(t));
	assert_string_equal(json_string_value(json_object_get(d, "type")), "tap");
	json_decref(d);
	nr_tuntap_close(t);

	/* Explicit mode for any name; no name at all takes a template. */
	o.mode = NR_TUNTAP_TUN;
	assert_int_equal(nr_tuntap_open(nt, "lab-if", &o, &t, &err), 0);
	assert_false(nr_tuntap_is_tap(t));
	nr_tuntap_close(t);
	assert_int_equal(nr_tuntap_open(nt, NULL, &o, &t, &err), 0);
	assert_int_equal(strncmp(nr_tuntap_name(t), "tun", 3), 0);
	nr_tuntap_close(t);
	o.mode = NR_TUNTAP_AUTO;

	/* Refused, never truncated (Scapy truncates to 16 and the kernel to 15). */
	assert_int_equal(nr_tuntap_open(nt, "tunabcdefghijklm", &o, &t, &err), -ENAMETOOLONG);
	assert_non_null(strstr(err.msg, "at most 15"));
	assert_false(link_exists(ns_t, "tunabcdefghijkl"));
	assert_int_equal(nr_tuntap_open(nt, "eth9", &o, &t, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "set the mode"));
	assert_int_equal(nr_tuntap_open(nt, NULL, &o, &t, &err), -EINVAL);
	o.strip_pi = true;
	assert_int_equal(nr_tuntap_open(nt, "tun3", &o, &t, &err), -EINVAL);
}

static void test_flags_persist(void **state)
{
	struct nr_tuntap_opts o = { .owner = (uid_t)-1, .group = (gid_t)-1 };
	struct nr_tuntap *t = NULL, *q2 = NULL;
	struct nr_os_error err;
	json_t *d;

	(void)state;
	o.persist = true;
	assert_int_equal(nr_tuntap_open(nt, "tun7", &o, &t, &err), 0);
	nr_tuntap_close(t);
	assert_true(link_exists(ns_t, "tun7")); /* persistent: stays */
	d = tun_info("tun7");
	assert_true(jbool(d, "persist"));
	json_decref(d);
	/* Attaching without persist takes it back, as `ip tuntap del`. */
	o.persist = false;
	assert_int_equal(nr_tuntap_open(nt, "tun7", &o, &t, &err), 0);
	nr_tuntap_close(t);
	assert_false(link_exists(ns_t, "tun7"));

	o.pi = true;
	o.vnet_hdr = true;
	o.multi_queue = true;
	o.owner = 65534;
	assert_int_equal(nr_tuntap_open(nt, "tun8", &o, &t, &err), 0);
	/* MTU + pi + virtio_net_hdr */
	assert_int_equal(nr_tuntap_read_size(t), 1500 + 4 + 10);
	assert_int_equal(nr_tuntap_open(nt, "tun8", &o, &q2, &err), 0); /* second queue */
	d = tun_info("tun8");
	assert_true(jbool(d, "pi"));
	assert_true(jbool(d, "vnet_hdr"));
	assert_true(jbool(d, "multi_queue"));
	assert_string_equal(json_string_value(json_object_get(d, "user")), "nobody"); /* uid 65534 */
	json_decref(d);
	nr_tuntap_close(q2);
	assert_true(link_exists(ns_t, "tun8")); /* one queue left */
	nr_tuntap_close(t);
	assert_false(link_exists(ns_t, "tun8"));
	/* Attaching sets pi/vnet_hdr anew (the kernel takes the newest
	 * opener's), but never changes TUN/TAP or multi-queue. */
	o.multi_queue = false;
	o.vnet_hdr = false;
	o.persist = true;
	assert_int_equal(nr_tuntap_open(nt, "tun9", &o, &t, &err), 0);
	nr_tuntap_close(t);
	o.mode = NR_TUNTAP_TAP;
	assert_int_equal(nr_tuntap_open(nt, "tun9", &o, &t, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "other flags"));
	o.mode = NR_TUNTAP_AUTO;
	o.multi_queue = true;
	assert_int_equal(nr_tuntap_open(nt, "tun9", &o, &t, &err), -EINVAL);
	o.multi_queue = false;
	assert_true(link_exists(ns_t, "tun9")); /* the failures left it alone */
	o.pi = false;
	o.persist = false;
	assert_int_equal(nr_tuntap_open(nt, "tun9", &o, &t, &err), 0);
	assert_int_equal(nr_tuntap_read_size(t), 1500);
	d = tun_info("tun9");
	assert_false(jbool(d, "pi"));
	assert_false(jbool(d, "persist"));
	json_decref(d);
	nr_tuntap_close(t);
	assert_false(link_exists(ns_t, "tun9"));
}

static void configure(const char *dev, const char *local, const char *peer, const char *v6)
{
	struct nr_klink_opts up = { .up = 1 };
	struct nr_os_error err;
	struct nr_kb *kb = NULL;
	struct nr_prefix p;
	struct nr_addr a;
	long failed;
	int idx;

	assert_int_equal(nr_kb_open(nt, &kb, &err), 0);
	idx = nr_kb_ifindex(kb, dev);
	assert_true(idx > 0);
	assert_int_equal(nr_prefix_parse(local, AF_INET, NR_PREFIX_PARSE_HOST_BITS, &p), 0);
	assert_int_equal(nr_addr_parse(peer, AF_INET, &a), 0);
	assert_int_equal(nr_kb_addr(kb, idx, &p, &a, false), 0);
	if (v6) {
		assert_int_equal(nr_prefix_parse(v6, AF_INET6, NR_PREFIX_PARSE_HOST_BITS, &p), 0);
		assert_int_equal(nr_kb_addr(kb, idx, &p, NULL, true), 0);
	}
	assert_int_equal(nr_kb_link_set(kb, dev, &up), 0);
	assert_int_equal(nr_kb_flush(kb, &failed, &err), 0);
	nr_kb_close(kb);
}

static pid_t start_ping(const char *args)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "exec ip netns exec %s ping %s >/dev/null 2>&1", ns_t,
			 args);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int wait_exit(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * Read packets (at most 32, each within 5 s) until an echo request of the
 * family comes; hdr: bytes before the IP packet in what the fd gives.
 */
static ssize_t read_echo(struct nr_tuntap *t, uint8_t *buf, size_t cap, size_t hdr, int v)
{
	int i;

	for (i = 0; i < 32; i++) {
		struct pollfd pfd = { .fd = nr_tuntap_fd(t), .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 5000) != 1)
			return -ETIMEDOUT;
		n = nr_tuntap_read(t, buf, cap);
		if (n < 0)
			return n;
		if ((size_t)n < hdr + 48 || buf[hdr] >> 4 != v)
			continue;
		if (v == 4 && buf[hdr + 9] == 1 && buf[hdr + (buf[hdr] & 15u) * 4] == 8)
			return n;
		if (v == 6 && buf[hdr + 6] == 58 && buf[hdr + 40] == 128)
			return n;
	}
	return -ENOMSG;
}

/* Turn an echo request into its reply in place: swap the addresses
 * (no IP checksum change) and fix the ICMP checksum for the new type. */
static void make_reply(uint8_t *p, int v)
{
	uint8_t tmp[16];
	size_t off = v == 4 ? (p[0] & 15u) * 4 : 40, a = v == 4 ? 12 : 8, al = v == 4 ? 4 : 16;
	uint32_t sum;

	memcpy(tmp, p + a, al);
	memcpy(p + a, p + a + al, al);
	memcpy(p + a + al, tmp, al);
	/* RFC 1624: HC' = ~(~HC + ~m + m') on the word holding the type. */
	sum = (uint32_t)(~((p[off + 2] << 8) | p[off + 3]) & 0xffff);
	sum += (uint32_t)(~((p[off] << 8) | p[off + 1]) & 0xffff);
	p[off] = v == 4 ? 0 : 129;
	sum += (uint32_t)((p[off] << 8) | p[off + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	p[off + 2] = (uint8_t)(sum >> 8);
	p[off + 3] = (uint8_t)sum;
}

static void ping_through(struct nr_tuntap *t, const char *args, size_t hdr, int v)
{
	uint8_t buf[2048];
	pid_t pid = start_ping(args);
	ssize_t n = read_echo(t, buf, sizeof(buf), hdr, v);
	ssize_t w;

	if (n < 0)
		kill(pid, SIGKILL);
	assert_true(n > 0);
	if (hdr) {
		/* The kernel's tun_pi: flags 0, protocol from the packet. */
		assert_int_equal(buf[2], v == 4 ? 0x08 : 0x86);
		assert_int_equal(buf[3], v == 4 ? 0x00 : 0xdd);
	}
	make_reply(buf + hdr, v);
	/* Raw IP written (no tun_pi from us): the handle supplies it. */
	w = nr_tuntap_write(t, buf + hdr, (size_t)n - hdr);
	assert_int_equal(w, n - (ssize_t)hdr);
	assert_int_equal(wait_exit(pid), 0); /* ping got its reply */
}

static void test_packets(void **state)
{
	struct nr_tuntap_opts o = { .owner = (uid_t)-1, .group = (gid_t)-1 };
	struct nr_tuntap *t0 = NULL, *t1 = NULL, *t2 = NULL;
	struct nr_os_error err;
	uint8_t junk[40] = { 0x50 };

	(void)state;
	/* No pi: the kernel takes the protocol from the version nibble. */
	assert_int_equal(nr_tuntap_open(nt, "tun0", &o, &t0, &err), 0);
	configure("tun0", "192.0.2.1/32", "192.0.2.2", "2001:db8:ff::1/64");
	ping_through(t0, "-c1 -W5 192.0.2.2", 0, 4);
	ping_through(t0, "-6 -c1 -W5 2001:db8:ff::2", 0, 6);

	/* Scapy's default: pi on the device, stripped for the caller. */
	o.pi = true;
	o.strip_pi = true;
	assert_int_equal(nr_tuntap_open(nt, "tun1", &o, &t1, &err), 0);
	configure("tun1", "192.0.2.5/32", "192.0.2.6", NULL);
	ping_through(t1, "-c1 -W5 192.0.2.6", 0, 4);
	/* Not IP: no protocol to give it (Scapy would send 0x9000). */
	assert_int_equal(nr_tuntap_write(t1, junk, sizeof(junk)), -EPROTONOSUPPORT);

	/* pi kept: the caller sees the header; raw IP written still works. */
	o.strip_pi = false;
	assert_int_equal(nr_tuntap_open(nt, "tun2", &o, &t2, &err), 0);
	configure("tun2", "192.0.2.9/32", "192.0.2.10", NULL);
	ping_through(t2, "-c1 -W5 192.0.2.10", 4, 4);

	nr_tuntap_close(t0);
	nr_tuntap_close(t1);
	nr_tuntap_close(t2);
	assert_false(link_exists(ns_t, "tun0"));
	assert_false(link_exists(ns_t, "tun1"));
	assert_false(link_exists(ns_t, "tun2"));
}

static int setup(void **state)
{
	struct nr_os_error err;

	(void)state;
	snprintf(ns_t, sizeof(ns_t), "nrt-kbuild-%d-t", (int)getpid());
	if (nr_knetns_create(ns_t, &err) || nr_netns_open(ns_t, &nt, &err)) {
		print_error("%s\n", err.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_flags_persist),
		cmocka_unit_test(test_packets),
	};
	char before[16384], after[16384];
	int r;

	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0) {
		printf("SKIP: needs root and /dev/net/tun\n");
		return 77;
	}
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	run_out(before, sizeof(before), "ip -o link show | cut -d' ' -f1-2 | sort");
	r = cmocka_run_group_tests(tests, setup, teardown);
	cleanup();
	run_out(after, sizeof(after), "ip -o link show | cut -d' ' -f1-2 | sort");
	if (strcmp(before, after) != 0) {
		printf("FAIL: the root namespace's links changed:\nbefore:\n%safter:\n%s", before,
		       after);
		return 1;
	}
	return r;
}
