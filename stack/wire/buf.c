/* SPDX-License-Identifier: BSD-2-Clause */
/* The wire reasons and the copying cursor calls (the rest is inline in buf.h). */
#include "netrig/buf.h"

#include <errno.h>
#include <string.h>

/* The copies of a caller-chosen length stay out of line (see buf.h). */
int nr_buf_get_bytes(struct nr_buf *b, void *ret, size_t n)
{
	if (b->len - b->off < n)
		return -EBADMSG;
	if (n)
		memcpy(ret, b->data + b->off, n);
	b->off += n;
	return 0;
}

int nr_wbuf_put_bytes(struct nr_wbuf *w, const void *src, size_t n)
{
	if (w->cap - w->len < n)
		return -EMSGSIZE;
	if (n)
		memmove(w->data + w->len, src, n);
	w->len += n;
	return 0;
}

int nr_wbuf_put_zero(struct nr_wbuf *w, size_t n)
{
	if (w->cap - w->len < n)
		return -EMSGSIZE;
	if (n)
		memset(w->data + w->len, 0, n);
	w->len += n;
	return 0;
}

static const char *const reason_str[NR_WIRE_REASON_COUNT] = {
	[NR_WIRE_OK] = "ok",
	[NR_WIRE_TRUNCATED] = "truncated",
	[NR_WIRE_BAD_LENGTH] = "bad length field",
	[NR_WIRE_BAD_CHECKSUM] = "bad checksum",
	[NR_WIRE_BAD_VERSION] = "bad IP version",
	[NR_WIRE_NOT_ETHERNET_II] = "not Ethernet II (802.3 length)",
	[NR_WIRE_BAD_HTYPE] = "bad ARP hardware type",
	[NR_WIRE_BAD_PTYPE] = "bad ARP protocol type",
	[NR_WIRE_BAD_HLEN] = "bad ARP hardware address length",
	[NR_WIRE_BAD_PLEN] = "bad ARP protocol address length",
	[NR_WIRE_BAD_OP] = "bad ARP operation",
	[NR_WIRE_BAD_FRAGMENT] = "fragment past 65535 bytes",
	[NR_WIRE_TOO_MANY_EXT] = "too many IPv6 extension headers",
	[NR_WIRE_HBH_NOT_FIRST] = "hop-by-hop options not first",
	[NR_WIRE_BAD_TYPE] = "unexpected ICMP type",
	[NR_WIRE_BAD_CODE] = "bad ICMP code",
	[NR_WIRE_BAD_HOP_LIMIT] = "NDP hop limit not 255",
	[NR_WIRE_OPT_ZERO_LEN] = "zero-length option",
	[NR_WIRE_OPT_TRUNCATED] = "option truncated",
	[NR_WIRE_OPT_BAD_LEN] = "bad option length",
	[NR_WIRE_TOO_MANY_OPTS] = "too many options",
	[NR_WIRE_BAD_TARGET] = "multicast target",
	[NR_WIRE_BAD_SOURCE] = "source address not allowed",
	[NR_WIRE_BAD_DEST] = "destination address not allowed",
	[NR_WIRE_BAD_FLAGS] = "bad flags",
	[NR_WIRE_BAD_PREFIX_LEN] = "prefix length over 128",
};

const char *nr_wire_reason_str(enum nr_wire_reason r)
{
	if ((unsigned)r >= NR_WIRE_REASON_COUNT)
		return "unknown";
	return reason_str[r];
}

int nr_wire_reason_errno(enum nr_wire_reason r)
{
	switch (r) {
	case NR_WIRE_OK:
		return 0;
	case NR_WIRE_NOT_ETHERNET_II:
	case NR_WIRE_BAD_TYPE:
		return EPROTONOSUPPORT;
	default:
		return EBADMSG;
	}
}

int nr_wire_fail(enum nr_wire_reason r, enum nr_wire_reason *why)
{
	if (why)
		*why = r;
	return -nr_wire_reason_errno(r);
}
