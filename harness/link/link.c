/* SPDX-License-Identifier: BSD-2-Clause */
/* What every link does around its backend: counting and the capture tee. */
#include "link/link.h"
#include "link/capture.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

static void count_rx(struct nr_link *l, const void *frame, size_t len)
{
	l->stats.rx_frames++;
	l->stats.rx_bytes += len;
	/* A capture that cannot write counts its own drops; the frame still goes up. */
	if (l->capture)
		(void)nr_capture_write(l->capture, NR_CAPTURE_IN, frame, len);
}

static void count_tx(struct nr_link *l, const void *frame, size_t len, int err)
{
	if (err < 0) {
		l->stats.tx_errors++;
		return;
	}
	l->stats.tx_frames++;
	l->stats.tx_bytes += len;
	if (l->capture)
		(void)nr_capture_write(l->capture, NR_CAPTURE_OUT, frame, len);
}

ssize_t nr_link_recv(struct nr_link *l, void *buf, size_t cap)
{
	ssize_t n = l->ops->recv(l, buf, cap);

	if (n == -EMSGSIZE)
		l->stats.rx_too_long++;
	if (n < 0)
		return n;
	count_rx(l, buf, (size_t)n);
	return n;
}

int nr_link_send(struct nr_link *l, const void *frame, size_t len)
{
	int r = l->ops->send(l, frame, len);

	count_tx(l, frame, len, r);
	return r < 0 ? r : 0;
}

bool nr_link_frame_fd(const struct nr_link *l)
{
	return l->ops->frame_fd;
}

void nr_link_count_rx(struct nr_link *l, const void *frame, size_t len, size_t cap)
{
	if (len > cap) {
		l->stats.rx_too_long++;
		return;
	}
	count_rx(l, frame, len);
}

void nr_link_count_tx(struct nr_link *l, const void *frame, size_t len, int err)
{
	count_tx(l, frame, len, err);
}

int nr_link_fd(const struct nr_link *l)
{
	return l->ops->fd(l);
}

uint32_t nr_link_mtu(const struct nr_link *l)
{
	return l->ops->mtu(l);
}

int nr_link_lladdr(const struct nr_link *l, struct nr_lladdr *ret)
{
	return l->ops->lladdr(l, ret);
}

const char *nr_link_name(const struct nr_link *l)
{
	return l->ops->name(l);
}

const char *nr_link_kind(const struct nr_link *l)
{
	return l->ops->kind;
}

enum nr_link_layer nr_link_layer(const struct nr_link *l)
{
	return l->layer;
}

size_t nr_link_frame_max(const struct nr_link *l)
{
	size_t mtu = nr_link_mtu(l);

	return l->layer == NR_LINK_ETHERNET ? mtu + NR_LINK_ETH_OVERHEAD : mtu;
}

const struct nr_link_stats *nr_link_stats(const struct nr_link *l)
{
	return &l->stats;
}

void nr_link_set_capture(struct nr_link *l, struct nr_capture *cap)
{
	l->capture = cap;
}

void nr_link_close(struct nr_link *l)
{
	if (l)
		l->ops->close(l);
}

/* One SIOCGIF* request for the device named by name, or by ifindex. */
static int dev_ifreq(int fd, int ifindex, const char *name, unsigned long req, struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	if (name) {
		snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
	} else {
		ifr->ifr_ifindex = ifindex;
		if (ioctl(fd, SIOCGIFNAME, ifr) < 0)
			return -errno;
	}
	if (ioctl(fd, req, ifr) < 0)
		return -errno;
	return 0;
}

uint32_t nr_link_dev_mtu(int fd, int ifindex, const char *name)
{
	struct ifreq ifr;

	if (dev_ifreq(fd, ifindex, name, SIOCGIFMTU, &ifr) < 0 || ifr.ifr_mtu <= 0)
		return 0;
	return (uint32_t)ifr.ifr_mtu;
}

int nr_link_dev_hwaddr(int fd, int ifindex, const char *name, struct nr_lladdr *ret)
{
	struct ifreq ifr;
	int r = dev_ifreq(fd, ifindex, name, SIOCGIFHWADDR, &ifr);

	if (r < 0)
		return r;
	memset(ret, 0, sizeof(*ret));
	ret->len = 6; /* Ethernet: the only hardware type these links carry */
	memcpy(ret->bytes, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}
