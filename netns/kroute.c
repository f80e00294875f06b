/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Asking the kernel for route decisions: RTM_GETROUTE for one destination,
 * what `ip route get` sends. Many queries are pipelined: one sendmsg
 * carries a batch of requests (the kernel answers each in turn, an error
 * as NLMSG_ERROR), then the answers are read and matched by sequence
 * number. The batch is sized so its answers fit in the receive buffer;
 * if they do not (ENOBUFS), the unanswered ones are sent again.
 */
#include "netrig/nlerr.h"
#include "netrig/nlsock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#define NR_KROUTE_BATCH 128
/* nlmsghdr + rtmsg + DST, SRC (16 bytes each), IIF, OIF, MARK (4 each). */
#define NR_KROUTE_REQ_MAX (NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct rtmsg)) + \
			   2 * NLA_ALIGN(NLA_HDRLEN + 16) + 3 * NLA_ALIGN(NLA_HDRLEN + 4))
#define NR_KROUTE_RESENDS 8

struct nr_kroute {
	struct nr_nlsock *sock;
	struct nl_cb *cb;
	uint32_t seq;
	/* The batch in flight, for the callbacks. */
	uint32_t base;
	size_t count;
	struct nr_kroute_answer *ans;
	bool *answered;
	size_t nanswered;
	size_t seen; /* messages read, stale ones included: progress */
	int bad; /* a malformed answer */
};

static int seq_any(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK; /* matched by hand, several requests are in flight */
}

static struct nr_kroute_answer *slot(struct nr_kroute *k, uint32_t seq)
{
	uint32_t i = seq - k->base;

	if (i >= k->count || k->answered[i])
		return NULL; /* stale answer of an earlier, resent batch */
	k->answered[i] = true;
	k->nanswered++;
	return &k->ans[i];
}

static const struct nla_policy answer_policy[RTA_MAX + 1] = {
	[RTA_TABLE] = { .type = NLA_U32 },
	[RTA_OIF] = { .type = NLA_U32 },
	[RTA_PRIORITY] = { .type = NLA_U32 },
	[RTA_VIA] = { .minlen = 2 },
};

static int parse_answer(struct nlmsghdr *h, struct nr_kroute_answer *a)
{
	struct nlattr *tb[RTA_MAX + 1];
	struct rtmsg rtm;

	if (!nlmsg_valid_hdr(h, sizeof(rtm)) ||
	    nlmsg_parse(h, sizeof(rtm), tb, RTA_MAX, (struct nla_policy *)answer_policy) < 0)
		return -EBADMSG;
	memcpy(&rtm, nlmsg_data(h), sizeof(rtm));
	a->type = rtm.rtm_type;
	a->table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm.rtm_table;
	if (tb[RTA_OIF])
		a->ifindex = (int)nla_get_u32(tb[RTA_OIF]);
	if (tb[RTA_PRIORITY])
		a->metric = nla_get_u32(tb[RTA_PRIORITY]);
	if (tb[RTA_PREFSRC] && nr_os_get_addr(tb[RTA_PREFSRC], rtm.rtm_family, &a->prefsrc) < 0)
		return -EBADMSG;
	if (nr_os_get_gateway(tb, rtm.rtm_family, &a->gateway) < 0)
		return -EBADMSG;
	return 0;
}

static int on_answer(struct nl_msg *msg, void *arg)
{
	struct nr_kroute *k = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nr_kroute_answer *a;

	k->seen++;
	if (h->nlmsg_type != RTM_NEWROUTE)
		return NL_OK;
	a = slot(k, h->nlmsg_seq);
	if (!a)
		return NL_OK;
	if (parse_answer(h, a) < 0 && !k->bad)
		k->bad = -EBADMSG;
	return NL_OK;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nr_kroute *k = arg;
	/* The header precedes the payload libnl hands over (see nlsock.c). */
	const struct nlmsghdr *h = (const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	struct nr_kroute_answer *a;

	(void)nla;
	k->seen++;
	a = slot(k, e->msg.nlmsg_seq);
	if (a) {
		a->error = e->error;
		nr_nlmsg_ext_ack(h, a->errmsg, sizeof(a->errmsg));
	}
	return NL_SKIP; /* one refused query does not end the batch */
}

int nr_kroute_open(struct nr_netns *ns, struct nr_kroute **ret, struct nr_os_error *err)
{
	struct nr_kroute *k;
	int r;

	k = calloc(1, sizeof(*k));
	if (!k)
		return nr_os_error_set(err, -ENOMEM, "out of memory");
	r = nr_nlsock_open(ns, &k->sock, err);
	if (r < 0)
		goto fail;
	k->cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!k->cb) {
		r = nr_os_error_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	nl_cb_set(k->cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, seq_any, NULL);
	nl_cb_set(k->cb, NL_CB_VALID, NL_CB_CUSTOM, on_answer, k);
	nl_cb_err(k->cb, NL_CB_CUSTOM, on_error, k);
	k->seq = 1;
	*ret = k;
	return 0;
fail:
	nr_kroute_close(k);
	return r;
}

void nr_kroute_close(struct nr_kroute *k)
{
	if (!k)
		return;
	nl_cb_put(k->cb);
	nr_nlsock_close(k->sock);
	free(k);
}

static size_t put_attr(uint8_t *buf, size_t off, uint16_t type, const void *data, size_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = type };

	memcpy(buf + off, &a, sizeof(a));
	memcpy(buf + off + NLA_HDRLEN, data, len);
	memset(buf + off + NLA_HDRLEN + len, 0, NLA_ALIGN(NLA_HDRLEN + len) - NLA_HDRLEN - len);
	return off + NLA_ALIGN(NLA_HDRLEN + len);
}

/* One RTM_GETROUTE request at buf; returns its length or -EINVAL. */
static int build_request(uint8_t *buf, const struct nr_route_query *q, uint32_t seq)
{
	size_t alen = q->dst.family == AF_INET ? 4 : 16;
	struct nlmsghdr h = { 0 };
	struct rtmsg rtm = { 0 };
	size_t off;

	if (q->dst.family != AF_INET && q->dst.family != AF_INET6)
		return -EINVAL;
	if (q->src.family != AF_UNSPEC && q->src.family != q->dst.family)
		return -EINVAL;
	rtm.rtm_family = q->dst.family;
	rtm.rtm_dst_len = (uint8_t)(alen * 8);
	rtm.rtm_src_len = q->src.family != AF_UNSPEC ? (uint8_t)(alen * 8) : 0;
	rtm.rtm_tos = q->tos;
	/* Without it IPv4 answers "main" whatever table the route came
	 * from; IPv6 always names the table and refuses the flag. */
	if (q->dst.family == AF_INET)
		rtm.rtm_flags = RTM_F_LOOKUP_TABLE;
	off = NLMSG_HDRLEN;
	memcpy(buf + off, &rtm, sizeof(rtm));
	off += NLMSG_ALIGN(sizeof(rtm));
	off = put_attr(buf, off, RTA_DST, q->dst.bytes, alen);
	if (q->src.family != AF_UNSPEC)
		off = put_attr(buf, off, RTA_SRC, q->src.bytes, alen);
	if (q->iif > 0) {
		uint32_t v = (uint32_t)q->iif;

		off = put_attr(buf, off, RTA_IIF, &v, sizeof(v));
	}
	if (q->oif > 0) {
		uint32_t v = (uint32_t)q->oif;

		off = put_attr(buf, off, RTA_OIF, &v, sizeof(v));
	}
	if (q->mark)
		off = put_attr(buf, off, RTA_MARK, &q->mark, sizeof(q->mark));
	h.nlmsg_len = (uint32_t)off;
	h.nlmsg_type = RTM_GETROUTE;
	h.nlmsg_flags = NLM_F_REQUEST;
	h.nlmsg_seq = seq;
	memcpy(buf, &h, sizeof(h));
	return (int)off;
}

/* Send the unanswered queries of the batch in one sendmsg. */
static int send_batch(struct nr_kroute *k, const struct nr_route_query *q, uint8_t *buf)
{
	size_t i, len = 0;
	int r;

	for (i = 0; i < k->count; i++) {
		if (k->answered[i])
			continue;
		r = build_request(buf + len, &q[i], k->base + (uint32_t)i);
		if (r < 0)
			return r;
		len += (size_t)r;
	}
	if (!len)
		return 0;
	r = nl_sendto(nr_nlsock_sk(k->sock), buf, len);
	return r < 0 ? nr_nl_errno(r) : 0;
}

static int run_batch(struct nr_kroute *k, const struct nr_route_query *q, size_t n,
		     struct nr_kroute_answer *ret, uint8_t *buf)
{
	bool answered[NR_KROUTE_BATCH] = { false };
	int r, resends = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&ret[i], 0, sizeof(ret[i]));
		ret[i].gateway.family = AF_UNSPEC;
		ret[i].prefsrc.family = AF_UNSPEC;
		/* Refuse a malformed query here: the kernel would answer
		 * EINVAL too, but then it would look like its verdict. */
		if (build_request(buf, &q[i], 0) < 0)
			return -EINVAL;
	}
	k->base = k->seq;
	k->count = n;
	k->ans = ret;
	k->answered = answered;
	k->nanswered = 0;
	k->bad = 0;
	/* Fresh sequence numbers per batch: a late answer of an earlier
	 * batch can never be taken for one of this batch. */
	k->seq += (uint32_t)n;

	r = send_batch(k, q, buf);
	if (r < 0)
		goto out;
	while (k->nanswered < n) {
		size_t before = k->seen;

		r = nl_recvmsgs(nr_nlsock_sk(k->sock), k->cb);
		if (r == -NLE_NOMEM) {
			/* ENOBUFS: answers were dropped; ask again for the
			 * missing ones (their answers are idempotent). */
			if (++resends > NR_KROUTE_RESENDS) {
				r = -ENOBUFS;
				goto out;
			}
			r = send_batch(k, q, buf);
			if (r < 0)
				goto out;
			continue;
		}
		if (r < 0) {
			r = nr_nl_errno(r);
			goto out;
		}
		if (k->seen == before) {
			/* nl_recvmsgs returns 0 with nothing read only when
			 * the receive timed out. */
			r = -ETIMEDOUT;
			goto out;
		}
	}
	r = k->bad;
out:
	k->answered = NULL;
	k->ans = NULL;
	k->count = 0;
	return r;
}

int nr_kroute_get_many(struct nr_kroute *k, const struct nr_route_query *q, size_t n,
		       struct nr_kroute_answer *ret)
{
	uint8_t *buf;
	size_t done, m;
	int r = 0;

	buf = malloc(NR_KROUTE_BATCH * NR_KROUTE_REQ_MAX);
	if (!buf)
		return -ENOMEM;
	for (done = 0; done < n; done += m) {
		m = n - done < NR_KROUTE_BATCH ? n - done : NR_KROUTE_BATCH;
		r = run_batch(k, q + done, m, ret + done, buf);
		if (r < 0)
			break;
	}
	free(buf);
	return r;
}

int nr_kroute_get(struct nr_kroute *k, const struct nr_route_query *q,
		  struct nr_kroute_answer *ret)
{
	struct nr_kroute_answer a;
	int r;

	r = nr_kroute_get_many(k, q, 1, &a);
	if (r == 0)
		*ret = a;
	return r;
}
