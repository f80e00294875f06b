/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One rtnetlink socket per namespace, on libnl-3. libnl reports a kernel
 * error as a lossy -NLE_* ("Unspecific failure") and drops the extended
 * ack, so the error path is ours: an error callback that keeps the
 * kernel's errno and NLMSGERR_ATTR_MSG text.
 */
#include "netrig/nlerr.h"
#include "netrig/nlsock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define NR_NL_RCVBUF (4 * 1024 * 1024)
/* The kernel sizes dump skbs after the largest read buffer seen, capped
 * at 32 KiB; reading with that much lets one recvmsg take a full skb. */
#define NR_NL_MSGBUF 32768
#define NR_DUMP_RETRIES 10
#define NR_NL_TIMEOUT_S 10

struct nr_nlsock {
	struct nl_sock *sk;
};

struct open_ctx {
	struct nl_sock *sk;
	int err;
	const char *step;
};

static int open_in_ns(void *arg)
{
	struct open_ctx *c = arg;
	int one = 1, r;

	c->sk = nl_socket_alloc();
	if (!c->sk) {
		c->step = "nl_socket_alloc";
		return c->err = -ENOMEM;
	}
	/* nl_connect creates the socket(): this is the moment it gets bound
	 * to the namespace the thread is in. */
	r = nl_connect(c->sk, NETLINK_ROUTE);
	if (r < 0) {
		c->step = "nl_connect";
		return c->err = nr_nl_errno(r);
	}
	if (setsockopt(nl_socket_get_fd(c->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		       sizeof(one)) < 0) {
		c->step = "NETLINK_EXT_ACK";
		return c->err = -errno;
	}
	/* Strict checking makes the kernel honour (or refuse) the filters
	 * in dump requests instead of ignoring them silently. */
	if (setsockopt(nl_socket_get_fd(c->sk), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one,
		       sizeof(one)) < 0) {
		c->step = "NETLINK_GET_STRICT_CHK";
		return c->err = -errno;
	}
	return 0;
}

static void set_rcvbuf(int fd)
{
	int sz = NR_NL_RCVBUF;

	/* FORCE passes rmem_max when we have CAP_NET_ADMIN; otherwise take
	 * what SO_RCVBUF gives. Either way a small buffer only costs
	 * retries (ENOBUFS), so failure is not an error. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
}

int nr_nlsock_open(struct nr_netns *ns, struct nr_nlsock **ret, struct nr_os_error *err)
{
	struct open_ctx c = { 0 };
	struct timeval tmo = { .tv_sec = NR_NL_TIMEOUT_S };
	struct nr_nlsock *s = NULL;
	int r;

	if (ns) {
		r = nr_netns_run(ns, open_in_ns, &c, err);
		if (r < 0 && !c.err)
			goto out; /* entering or leaving failed; err is set */
	} else {
		r = open_in_ns(&c);
	}
	if (r < 0) {
		nr_os_error_set(err, r, "netlink socket in %s: %s: %s",
				ns ? nr_netns_what(ns) : "own namespace", c.step, strerror(-r));
		goto out;
	}
	set_rcvbuf(nl_socket_get_fd(c.sk));
	/* Never block forever on a lost answer. */
	if (setsockopt(nl_socket_get_fd(c.sk), SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo)) < 0) {
		r = -errno;
		nr_os_error_set(err, r, "netlink socket: SO_RCVTIMEO: %s", strerror(-r));
		goto out;
	}
	nl_socket_enable_msg_peek(c.sk);
	nl_socket_set_msg_buf_size(c.sk, NR_NL_MSGBUF);

	s = calloc(1, sizeof(*s));
	if (!s) {
		r = nr_os_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	s->sk = c.sk;
	c.sk = NULL;
	*ret = s;
	r = 0;
out:
	nl_socket_free(c.sk);
	return r;
}

void nr_nlsock_close(struct nr_nlsock *s)
{
	if (!s)
		return;
	nl_socket_free(s->sk);
	free(s);
}

struct nl_sock *nr_nlsock_sk(struct nr_nlsock *s)
{
	return s->sk;
}

void nr_nlmsg_ext_ack(const struct nlmsghdr *h, char *buf, size_t cap)
{
	size_t off, len = h->nlmsg_len;
	struct nlattr *a;

	if (cap)
		buf[0] = '\0';
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS) || len < NLMSG_HDRLEN)
		return;
	if (h->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(h);

		off = NLMSG_HDRLEN + sizeof(*e);
		if (len < off)
			return;
		/* Unless capped, the request is echoed before the TLVs. */
		if (!(h->nlmsg_flags & NLM_F_CAPPED)) {
			if (e->msg.nlmsg_len < NLMSG_HDRLEN)
				return;
			off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
		}
	} else if (h->nlmsg_type == NLMSG_DONE) {
		off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(int));
	} else {
		return;
	}
	if (len <= off)
		return;
	a = nla_find((struct nlattr *)((char *)h + off), (int)(len - off), NLMSGERR_ATTR_MSG);
	if (a && nla_len(a) > 0 && cap)
		nla_strlcpy(buf, a, cap);
}

struct dump_ctx {
	int (*fn)(struct nlmsghdr *h, void *arg);
	void *arg;
	int err;        /* first error: fn's, or the kernel's */
	bool intr;
	bool done;
	char ack[200];
};

/*
 * One message of the answer. After a failure or an interruption keep
 * reading to NLMSG_DONE so the socket is clean for the next request;
 * just stop handing messages on.
 */
static void dump_msg(struct dump_ctx *c, struct nlmsghdr *h)
{
	if (h->nlmsg_flags & NLM_F_DUMP_INTR)
		c->intr = true;
	switch (h->nlmsg_type) {
	case NLMSG_DONE: {
		int e;

		c->done = true;
		/* A dumpit that fails part-way reports its errno in NLMSG_DONE. */
		if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
			memcpy(&e, NLMSG_DATA(h), sizeof(e));
			if (e < 0 && !c->err) {
				c->err = e;
				nr_nlmsg_ext_ack(h, c->ack, sizeof(c->ack));
			}
		}
		return;
	}
	case NLMSG_ERROR: {
		struct nlmsgerr e;

		c->done = true;
		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(e))) {
			if (!c->err)
				c->err = -EBADMSG;
			return;
		}
		memcpy(&e, NLMSG_DATA(h), sizeof(e));
		if (e.error < 0 && !c->err) {
			c->err = e.error;
			nr_nlmsg_ext_ack(h, c->ack, sizeof(c->ack));
		}
		return;
	}
	case NLMSG_NOOP:
	case NLMSG_OVERRUN:
		return;
	}
	if (!c->err && !c->intr) {
		int r = c->fn(h, c->arg);

		if (r < 0)
			c->err = r;
	}
}

/*
 * Read the answer to the request numbered seq up to its NLMSG_DONE (or
 * error), straight from the socket into one buffer: no copy and no
 * allocation per message, as libnl's nl_recvmsgs makes. Each datagram's
 * size is peeked first (nothing copied) so a large one is never cut.
 * 0, or the errno of the socket itself (the dump's own in c->err).
 */
static int dump_recv(int fd, uint32_t seq, struct dump_ctx *c, char **buf, size_t *cap)
{
	while (!c->done) {
		ssize_t n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
		struct nlmsghdr *h;
		size_t rem;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
		if ((size_t)n > *cap) {
			char *nb = realloc(*buf, (size_t)n);

			if (!nb)
				return -ENOMEM;
			*buf = nb;
			*cap = (size_t)n;
		}
		n = recv(fd, *buf, *cap, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
		rem = (size_t)n;
		for (h = (struct nlmsghdr *)*buf; !c->done && rem >= NLMSG_HDRLEN &&
						  h->nlmsg_len >= NLMSG_HDRLEN && h->nlmsg_len <= rem;) {
			size_t step = NLMSG_ALIGN(h->nlmsg_len);

			/* An answer to an earlier request given up on: not ours. */
			if (h->nlmsg_seq == seq)
				dump_msg(c, h);
			if (step >= rem)
				break;
			rem -= step;
			h = (struct nlmsghdr *)((char *)h + step);
		}
	}
	return 0;
}

int nr_nlsock_dump(struct nr_nlsock *s, const char *what, uint16_t type, const void *hdr,
		   size_t hdrlen, int (*fn)(struct nlmsghdr *h, void *arg),
		   void (*reset)(void *arg), void *arg, struct nr_os_error *err)
{
	struct dump_ctx c;
	struct nl_msg *msg = NULL;
	size_t cap = NR_NL_MSGBUF;
	char *buf = malloc(cap);
	int r, attempt;

	if (!buf) {
		r = nr_os_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (attempt = 0;; attempt++) {
		uint32_t seq;

		memset(&c, 0, sizeof(c));
		c.fn = fn;
		c.arg = arg;

		msg = nlmsg_alloc_simple(type, NLM_F_REQUEST | NLM_F_DUMP);
		if (!msg || nlmsg_append(msg, (void *)hdr, hdrlen, NLMSG_ALIGNTO) < 0) {
			r = nr_os_error_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		r = nl_send_auto(s->sk, msg);
		seq = nlmsg_hdr(msg)->nlmsg_seq;
		nlmsg_free(msg);
		msg = NULL;
		if (r < 0) {
			r = nr_nl_errno(r);
			nr_os_error_set(err, r, "%s: sending: %s", what, strerror(-r));
			goto out;
		}
		r = dump_recv(nl_socket_get_fd(s->sk), seq, &c, &buf, &cap);
		if (r == -ETIMEDOUT) {
			/* SO_RCVTIMEO: a dump is multipart to its NLMSG_DONE. */
			nr_os_error_set(err, r, "%s: the kernel stopped answering", what);
			goto out;
		}
		if (r < 0) {
			nr_os_error_set(err, r, "%s: receiving: %s", what, strerror(-r));
			goto out;
		}
		if (c.err) {
			r = c.err;
			if (c.ack[0])
				nr_os_error_set(err, r, "%s: %s", what, c.ack);
			else
				nr_os_error_set(err, r, "%s: %s", what, strerror(-r));
			goto out;
		}
		if (!c.intr)
			break;
		if (attempt + 1 >= NR_DUMP_RETRIES) {
			r = nr_os_error_set(err, -EAGAIN,
					    "%s: the table kept changing during %d dumps",
					    what, NR_DUMP_RETRIES);
			goto out;
		}
		if (reset)
			reset(arg);
	}
	r = 0;
out:
	nlmsg_free(msg);
	free(buf);
	return r;
}
