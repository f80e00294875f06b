/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Two links joined in memory. Each end owns a bounded ring of received
 * frames and an eventfd in semaphore mode whose count is the ring's fill,
 * so the loop sees the end readable exactly while frames wait.
 */
#include "link/link.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct mem_link {
	struct nr_link link; /* first */
	struct mem_link *peer;
	char name[NR_IFNAMSIZ];
	struct nr_lladdr mac;
	uint32_t mtu;
	int efd;
	size_t frame_max;
	size_t qlen, head, count;
	size_t *lens;
	uint8_t *slots; /* qlen * frame_max */
};

static struct mem_link *mem(const struct nr_link *l)
{
	return (struct mem_link *)l;
}

static ssize_t mem_recv(struct nr_link *l, void *buf, size_t cap)
{
	struct mem_link *m = mem(l);
	size_t len;
	eventfd_t one;

	if (m->count == 0)
		return -EAGAIN;
	len = m->lens[m->head];
	if (len <= cap)
		memcpy(buf, m->slots + m->head * m->frame_max, len);
	m->head = (m->head + 1) % m->qlen;
	m->count--;
	/* Semaphore mode: takes exactly one off the count the sender added. */
	(void)eventfd_read(m->efd, &one);
	return len <= cap ? (ssize_t)len : -EMSGSIZE;
}

static int mem_send(struct nr_link *l, const void *frame, size_t len)
{
	struct mem_link *p = mem(l)->peer;
	size_t tail;

	if (!p)
		return -ENOTCONN;
	if (len == 0)
		return -EINVAL;
	if (len > p->frame_max)
		return -EMSGSIZE;
	if (p->count == p->qlen)
		return -ENOBUFS;
	if (eventfd_write(p->efd, 1) < 0)
		return -errno;
	tail = (p->head + p->count) % p->qlen;
	memcpy(p->slots + tail * p->frame_max, frame, len);
	p->lens[tail] = len;
	p->count++;
	return 0;
}

static int mem_fd(const struct nr_link *l)
{
	return mem(l)->efd;
}

static uint32_t mem_mtu(const struct nr_link *l)
{
	return mem(l)->mtu;
}

static int mem_lladdr(const struct nr_link *l, struct nr_lladdr *ret)
{
	*ret = mem(l)->mac;
	return 0;
}

static const char *mem_name(const struct nr_link *l)
{
	return mem(l)->name;
}

static void mem_free(struct mem_link *m)
{
	if (!m)
		return;
	if (m->peer)
		m->peer->peer = NULL;
	if (m->efd >= 0)
		close(m->efd);
	free(m->lens);
	free(m->slots);
	free(m);
}

static void mem_close(struct nr_link *l)
{
	mem_free(mem(l));
}

static const struct nr_link_ops mem_ops = {
	.kind = "mem",
	.recv = mem_recv,
	.send = mem_send,
	.fd = mem_fd,
	.mtu = mem_mtu,
	.lladdr = mem_lladdr,
	.name = mem_name,
	.close = mem_close,
};

static int mem_new(const struct nr_link_mem_opts *o, const char *name,
		   const struct nr_lladdr *mac, uint8_t default_last, struct mem_link **ret)
{
	struct mem_link *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->efd = -1;
	m->link.ops = &mem_ops;
	m->link.layer = o->layer ? o->layer : NR_LINK_ETHERNET;
	m->mtu = o->mtu ? o->mtu : 1500;
	m->qlen = o->queue_len ? o->queue_len : 64;
	m->frame_max = m->link.layer == NR_LINK_ETHERNET ? m->mtu + NR_LINK_ETH_OVERHEAD : m->mtu;
	snprintf(m->name, sizeof(m->name), "%s", name);
	if (mac->len) {
		m->mac = *mac;
	} else if (m->link.layer == NR_LINK_ETHERNET) {
		/* Locally administered, unicast: 02:00:00:00:00:0N. */
		static const uint8_t base[6] = {0x02, 0, 0, 0, 0, 0};

		m->mac.len = 6;
		memcpy(m->mac.bytes, base, 6);
		m->mac.bytes[5] = default_last;
	}
	m->lens = calloc(m->qlen, sizeof(*m->lens));
	m->slots = calloc(m->qlen, m->frame_max);
	m->efd = eventfd(0, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
	if (!m->lens || !m->slots || m->efd < 0) {
		int r = m->efd < 0 && m->lens && m->slots ? -errno : -ENOMEM;

		mem_free(m);
		return r;
	}
	*ret = m;
	return 0;
}

int nr_link_mem_pair(const struct nr_link_mem_opts *o, struct nr_link **ret_a,
		     struct nr_link **ret_b)
{
	static const struct nr_link_mem_opts defaults = {0};
	struct mem_link *a = NULL, *b = NULL;
	int r;

	if (!o)
		o = &defaults;
	if (o->layer != 0 && o->layer != NR_LINK_ETHERNET && o->layer != NR_LINK_RAW_IP)
		return -EINVAL;
	if (o->mtu > 65535 || (o->queue_len && o->queue_len > 1u << 20))
		return -EINVAL;
	r = mem_new(o, o->name_a ? o->name_a : "mem0", &o->mac_a, 1, &a);
	if (r < 0)
		goto fail;
	r = mem_new(o, o->name_b ? o->name_b : "mem1", &o->mac_b, 2, &b);
	if (r < 0)
		goto fail;
	a->peer = b;
	b->peer = a;
	*ret_a = &a->link;
	*ret_b = &b->link;
	return 0;

fail:
	mem_free(a);
	mem_free(b);
	return r;
}
