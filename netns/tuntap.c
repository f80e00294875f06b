/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TUN/TAP devices: netrig's TunTapInterface. The device is created in the
 * namespace of the thread that opens /dev/net/tun, so the open and the
 * TUNSETIFF happen inside the target namespace (nr_netns_run). Unlike
 * Scapy: names are never truncated, the real name (a %d template's
 * result) is read back with TUNGETIFF, and raw IP written to a TUN with
 * the packet-information header gets a real protocol, never 0x9000.
 */
#include "netrig/kbuild.h"
#include "netrig/nlsock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>

#define TUN_DEV "/dev/net/tun"
/* Ethernet header + one 802.1Q tag, for a TAP's read size. */
#define TAP_L2_OVERHEAD 18

struct nr_tuntap {
	int fd;
	char name[IFNAMSIZ];
	bool tap;
	bool pi;
	bool strip_pi;
	size_t vnet_sz; /* 0 without IFF_VNET_HDR */
	size_t read_size;
};

struct open_ctx {
	const char *name;
	short flags;
	const struct nr_tuntap_opts *o;
	int fd;
	char real[IFNAMSIZ];
	int vnet_sz;
	int mtu;
	const char *step;
	bool ran;
};

static int open_inside(void *arg)
{
	struct open_ctx *c = arg;
	struct ifreq ifr;
	int s, e;

	c->ran = true;
	c->step = "opening " TUN_DEV;
	c->fd = open(TUN_DEV, O_RDWR | O_CLOEXEC);
	if (c->fd < 0)
		return -errno;
	/* A zeroed ifreq: the kernel copies all of it (Scapy passes 18 bytes
	 * and the rest is whatever follows in memory). */
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, c->name, strlen(c->name));
	ifr.ifr_flags = c->flags;
	c->step = "TUNSETIFF";
	if (ioctl(c->fd, TUNSETIFF, &ifr) < 0)
		return -errno;
	c->step = "TUNSETOWNER";
	if (c->o->owner != (uid_t)-1 && c->o->owner != 0 &&
	    ioctl(c->fd, TUNSETOWNER, (unsigned long)c->o->owner) < 0)
		return -errno;
	c->step = "TUNSETGROUP";
	if (c->o->group != (gid_t)-1 && c->o->group != 0 &&
	    ioctl(c->fd, TUNSETGROUP, (unsigned long)c->o->group) < 0)
		return -errno;
	/* Set either way, so that opening without persist also undoes an
	 * earlier persist (what `ip tuntap del` does) -- unless asked to keep
	 * it: clearing it on someone else's device and setting it back later
	 * loses the device to a SIGKILL in between. */
	c->step = "TUNSETPERSIST";
	if (!c->o->keep_persist &&
	    ioctl(c->fd, TUNSETPERSIST, (unsigned long)(c->o->persist ? 1 : 0)) < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	c->step = "TUNGETIFF";
	if (ioctl(c->fd, TUNGETIFF, &ifr) < 0)
		return -errno;
	memcpy(c->real, ifr.ifr_name, IFNAMSIZ - 1);
	c->real[IFNAMSIZ - 1] = '\0';
	c->vnet_sz = 0;
	if (c->o->vnet_hdr) {
		c->step = "TUNGETVNETHDRSZ";
		if (ioctl(c->fd, TUNGETVNETHDRSZ, &c->vnet_sz) < 0)
			return -errno;
	}
	/* The MTU, for the default read size: asked of a socket made here,
	 * where the device is. */
	c->step = "SIOCGIFMTU";
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, c->real, strlen(c->real));
	e = ioctl(s, SIOCGIFMTU, &ifr) < 0 ? -errno : 0;
	close(s);
	if (e < 0)
		return e;
	c->mtu = ifr.ifr_mtu;
	return 0;
}

static const char *hint(int e, const char *step)
{
	if (!strcmp(step, "TUNSETIFF")) {
		switch (e) {
		case -EBUSY:
			return " (the device is in use by another process)";
		case -EINVAL:
			return " (a device of that name exists with other flags "
			       "(TUN/TAP, multi-queue), or is not a TUN/TAP)";
		case -EPERM:
			return " (creating TUN/TAP needs CAP_NET_ADMIN; run as root)";
		default:
			return "";
		}
	}
	return "";
}

int nr_tuntap_open(struct nr_netns *ns, const char *name, const struct nr_tuntap_opts *o,
		   struct nr_tuntap **ret, struct nr_os_error *err)
{
	static const struct nr_tuntap_opts defaults = { .owner = (uid_t)-1,
							.group = (gid_t)-1 };
	struct open_ctx c = { .fd = -1 };
	enum nr_tuntap_mode mode;
	struct nr_tuntap *t = NULL;
	size_t n;
	int r;

	if (!o)
		o = &defaults;
	mode = o->mode;
	if (!name || !*name) {
		if (mode == NR_TUNTAP_AUTO)
			return nr_os_error_set(err, -EINVAL,
					       "TUN/TAP without a name needs an explicit mode");
		name = mode == NR_TUNTAP_TAP ? "tap%d" : "tun%d";
	}
	n = strlen(name);
	if (n >= IFNAMSIZ)
		return nr_os_error_set(err, -ENAMETOOLONG,
				       "TUN/TAP name '%s' has %zu characters (at most %d)", name, n,
				       IFNAMSIZ - 1);
	if (strchr(name, '/') || strchr(name, ' ') || strchr(name, ':'))
		return nr_os_error_set(err, -EINVAL, "bad TUN/TAP name '%s'", name);
	if (mode == NR_TUNTAP_AUTO) {
		if (!strncmp(name, "tun", 3))
			mode = NR_TUNTAP_TUN;
		else if (!strncmp(name, "tap", 3))
			mode = NR_TUNTAP_TAP;
		else
			return nr_os_error_set(err, -EINVAL,
					       "cannot tell TUN from TAP by the name '%s' "
					       "(expected tun* or tap*); set the mode",
					       name);
	}
	if (o->strip_pi && !o->pi)
		return nr_os_error_set(err, -EINVAL, "TUN/TAP '%s': strip_pi needs pi", name);
	/* Say why before trying: here the node is root-only (mode 0600). */
	if (faccessat(AT_FDCWD, TUN_DEV, R_OK | W_OK, AT_EACCESS) < 0) {
		r = -errno;
		if (r == -ENOENT)
			return nr_os_error_set(err, r,
					       "no %s (load the tun module, or "
					       "mknod %s c 10 200)",
					       TUN_DEV, TUN_DEV);
		return nr_os_error_set(err, r,
				       "%s: %s (creating TUN/TAP needs read-write access to it; "
				       "run as root)",
				       TUN_DEV, strerror(-r));
	}

	c.name = name;
	c.o = o;
	c.flags = (short)(mode == NR_TUNTAP_TAP ? IFF_TAP : IFF_TUN);
	if (!o->pi)
		c.flags |= IFF_NO_PI;
	if (o->vnet_hdr)
		c.flags |= IFF_VNET_HDR;
	if (o->multi_queue)
		c.flags |= IFF_MULTI_QUEUE;
	if (ns) {
		r = nr_netns_run(ns, open_inside, &c, err);
		if (r < 0 && !c.ran)
			goto out; /* entering failed; err says so */
	} else {
		r = open_inside(&c);
	}
	if (r < 0) {
		nr_os_error_set(err, r, "TUN/TAP '%s'%s%s: %s: %s%s", name, ns ? " in " : "",
				ns ? nr_netns_what(ns) : "", c.step, strerror(-r),
				hint(r, c.step));
		goto out;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		r = nr_os_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	t->fd = c.fd;
	c.fd = -1;
	memcpy(t->name, c.real, sizeof(t->name));
	/* From the flags asked for, which TUNSETIFF took as they are (an
	 * existing device with others is refused): TUNGETIFF cannot tell,
	 * its 0x1000 is also IFF_NOFILTER (no socket filter attached). */
	t->tap = (c.flags & IFF_TAP) != 0;
	t->pi = !(c.flags & IFF_NO_PI);
	t->strip_pi = t->pi && o->strip_pi;
	t->vnet_sz = c.vnet_sz > 0 ? (size_t)c.vnet_sz : 0;
	t->read_size = o->read_size;
	if (!t->read_size)
		t->read_size = (size_t)(c.mtu > 0 ? c.mtu : 1500) + t->vnet_sz +
			       (t->pi && !t->strip_pi ? sizeof(struct tun_pi) : 0) +
			       (t->tap ? TAP_L2_OVERHEAD : 0);
	*ret = t;
	r = 0;
out:
	/* On failure the fd goes, and with it a device this call made. */
	if (c.fd >= 0)
		close(c.fd);
	return r;
}

void nr_tuntap_close(struct nr_tuntap *t)
{
	if (!t)
		return;
	close(t->fd);
	free(t);
}

const char *nr_tuntap_name(const struct nr_tuntap *t)
{
	return t->name;
}

int nr_tuntap_fd(const struct nr_tuntap *t)
{
	return t->fd;
}

bool nr_tuntap_is_tap(const struct nr_tuntap *t)
{
	return t->tap;
}

size_t nr_tuntap_read_size(const struct nr_tuntap *t)
{
	return t->read_size;
}

ssize_t nr_tuntap_read(struct nr_tuntap *t, void *buf, size_t cap)
{
	struct tun_pi pi;
	struct iovec iov[2] = { { &pi, sizeof(pi) }, { buf, cap } };
	ssize_t n;

	do
		n = t->strip_pi ? readv(t->fd, iov, 2) : read(t->fd, buf, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (!t->strip_pi)
		return n;
	if ((size_t)n < sizeof(pi))
		return -EBADMSG;
	return n - (ssize_t)sizeof(pi);
}

/* The tun_pi protocol of a packet: network byte order. */
static int pi_proto(const struct nr_tuntap *t, const uint8_t *p, size_t len, uint16_t *ret)
{
	size_t off = t->vnet_sz;

	if (t->tap) {
		if (len < off + ETH_HLEN)
			return -EINVAL;
		memcpy(ret, p + off + 12, 2);
		return 0;
	}
	if (len <= off)
		return -EINVAL;
	switch (p[off] >> 4) {
	case 4:
		*ret = htons(ETH_P_IP);
		return 0;
	case 6:
		*ret = htons(ETH_P_IPV6);
		return 0;
	default:
		return -EPROTONOSUPPORT;
	}
}

ssize_t nr_tuntap_write(struct nr_tuntap *t, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	struct tun_pi pi = { 0 };
	struct iovec iov[2] = { { &pi, sizeof(pi) }, { (void *)buf, len } };
	bool build;
	ssize_t n;
	int e;

	/* A tun_pi starts with its flags (only TUN_PKT_STRIP, bit 0, is
	 * defined), so a first nibble of 4 or 6 can only be raw IP. */
	build = t->strip_pi ||
		(t->pi && !t->tap && len > 0 && !t->vnet_sz && (p[0] >> 4 == 4 || p[0] >> 4 == 6));
	if (build) {
		e = pi_proto(t, p, len, &pi.proto);
		if (e < 0)
			return e;
	}
	do
		n = build ? writev(t->fd, iov, 2) : write(t->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (!build)
		return n;
	if ((size_t)n < sizeof(pi))
		return -EIO;
	return n - (ssize_t)sizeof(pi);
}
