/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TUN and TAP links on nr_tuntap (kbuild.h). Always without packet
 * information or vnet header: a TAP link carries Ethernet frames, a TUN
 * link bare IPv4/IPv6 packets (pcap DLT_RAW).
 *
 * A read from a TUN/TAP into a buffer shorter than the packet does not
 * report the packet's length, so a short caller buffer is served from a
 * scratch buffer big enough for any packet, and the frame is reported as
 * too long instead of silently cut.
 */
#include "link/link.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if_arp.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define SCRATCH_SIZE 65536u /* larger than any TUN/TAP packet (64 KiB IP + header) */

struct tt_link {
	struct nr_link link; /* first */
	struct nr_tuntap *t;
	int ctl; /* a socket in the device's namespace for interface ioctls */
	uint8_t *scratch;
};

static struct tt_link *tt(const struct nr_link *l)
{
	return (struct tt_link *)l;
}

static ssize_t tt_recv(struct nr_link *l, void *buf, size_t cap)
{
	struct tt_link *t = tt(l);
	struct iovec iov[2];
	ssize_t n;

	if (cap >= SCRATCH_SIZE)
		return nr_tuntap_read(t->t, buf, cap);
	if (!t->scratch) {
		t->scratch = malloc(SCRATCH_SIZE);
		if (!t->scratch)
			return -ENOMEM;
	}
	/*
	 * Straight into the caller's buffer, no copy per frame: only what
	 * does not fit lands in the scratch tail, which is how a frame too
	 * long for the caller is told apart from one that fills it exactly.
	 * A link never has packet information on (see the top), so the fd
	 * carries the bare frame.
	 */
	iov[0] = (struct iovec){.iov_base = buf, .iov_len = cap};
	iov[1] = (struct iovec){.iov_base = t->scratch, .iov_len = SCRATCH_SIZE - cap};
	do
		n = readv(nr_tuntap_fd(t->t), iov, 2);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n > cap)
		return -EMSGSIZE;
	return n;
}

static int tt_send(struct nr_link *l, const void *frame, size_t len)
{
	ssize_t n;

	if (len == 0)
		return -EINVAL;
	n = nr_tuntap_write(tt(l)->t, frame, len);
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

static int tt_fd(const struct nr_link *l)
{
	return nr_tuntap_fd(tt(l)->t);
}

static uint32_t tt_mtu(const struct nr_link *l)
{
	return nr_link_dev_mtu(tt(l)->ctl, 0, nr_tuntap_name(tt(l)->t));
}

static int tt_lladdr(const struct nr_link *l, struct nr_lladdr *ret)
{
	if (!nr_tuntap_is_tap(tt(l)->t)) {
		memset(ret, 0, sizeof(*ret));
		return 0;
	}
	return nr_link_dev_hwaddr(tt(l)->ctl, 0, nr_tuntap_name(tt(l)->t), ret);
}

static const char *tt_name(const struct nr_link *l)
{
	return nr_tuntap_name(tt(l)->t);
}

static void tt_free(struct tt_link *t)
{
	if (!t)
		return;
	if (t->ctl >= 0)
		close(t->ctl);
	nr_tuntap_close(t->t);
	free(t->scratch);
	free(t);
}

static void tt_close(struct nr_link *l)
{
	tt_free(tt(l));
}

static const struct nr_link_ops tun_ops = {
	.kind = "tun",
	.recv = tt_recv,
	.send = tt_send,
	.fd = tt_fd,
	.mtu = tt_mtu,
	.lladdr = tt_lladdr,
	.name = tt_name,
	.close = tt_close,
	.frame_fd = true,
};

static const struct nr_link_ops tap_ops = {
	.kind = "tap",
	.recv = tt_recv,
	.send = tt_send,
	.fd = tt_fd,
	.mtu = tt_mtu,
	.lladdr = tt_lladdr,
	.name = tt_name,
	.close = tt_close,
	.frame_fd = true,
};

static int ctl_socket(void *arg)
{
	int *fd = arg;

	*fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return *fd < 0 ? -errno : 0;
}

int nr_link_tuntap_open(struct nr_netns *ns, const char *name, enum nr_tuntap_mode mode,
			struct nr_link **ret, struct nr_os_error *err)
{
	struct nr_tuntap_opts o = {
		.mode = mode,
		.owner = (uid_t)-1,
		.group = (gid_t)-1,
		/* A link never changes a device's lifetime: attaching to a
		 * persistent device must not make it vanish if we are killed. */
		.keep_persist = true,
	};
	struct tt_link *t;
	int fl, r;

	t = calloc(1, sizeof(*t));
	if (!t)
		return nr_os_error_set(err, -ENOMEM, "TUN/TAP '%s': out of memory", name ? name : "");
	t->ctl = -1;
	r = nr_tuntap_open(ns, name, &o, &t->t, err);
	if (r < 0)
		goto fail;
	/* The loop drains until -EAGAIN: the fd must not block. */
	fl = fcntl(nr_tuntap_fd(t->t), F_GETFL);
	if (fl < 0 || fcntl(nr_tuntap_fd(t->t), F_SETFL, fl | O_NONBLOCK) < 0) {
		r = nr_os_error_set(err, -errno, "TUN/TAP '%s': O_NONBLOCK: %s", nr_tuntap_name(t->t),
			    strerror(errno));
		goto fail;
	}
	r = ns ? nr_netns_run(ns, ctl_socket, &t->ctl, err) : ctl_socket(&t->ctl);
	if (r < 0) {
		if (t->ctl < 0 && (!err || !err->msg[0]))
			nr_os_error_set(err, r, "TUN/TAP '%s': socket: %s", nr_tuntap_name(t->t),
				strerror(-r));
		goto fail;
	}
	if (nr_tuntap_is_tap(t->t)) {
		t->link.ops = &tap_ops;
		t->link.layer = NR_LINK_ETHERNET;
	} else {
		t->link.ops = &tun_ops;
		t->link.layer = NR_LINK_RAW_IP;
	}
	*ret = &t->link;
	return 0;

fail:
	tt_free(t);
	return r;
}

struct nr_tuntap *nr_link_tuntap(struct nr_link *l)
{
	if (l->ops != &tun_ops && l->ops != &tap_ops)
		return NULL;
	return tt(l)->t;
}
