/* SPDX-License-Identifier: BSD-2-Clause */
/* Read and write cursors; the wire reasons. */
#include "netrig/buf.h"

#include <errno.h>
#include <string.h>

void nr_buf_init(struct nr_buf *b, const void *data, size_t len)
{
	b->data = data;
	b->len = data ? len : 0;
	b->off = 0;
}

size_t nr_buf_remaining(const struct nr_buf *b)
{
	return b->len - b->off;
}

size_t nr_buf_offset(const struct nr_buf *b)
{
	return b->off;
}

const uint8_t *nr_buf_cur(const struct nr_buf *b)
{
	/* data + off with off == len is one past the end: allowed, not read. */
	return b->data ? b->data + b->off : NULL;
}

int nr_buf_get_u8(struct nr_buf *b, uint8_t *ret)
{
	if (b->len - b->off < 1)
		return -EBADMSG;
	*ret = b->data[b->off];
	b->off += 1;
	return 0;
}

int nr_buf_get_be16(struct nr_buf *b, uint16_t *ret)
{
	if (b->len - b->off < 2)
		return -EBADMSG;
	*ret = nr_load_be16(b->data + b->off);
	b->off += 2;
	return 0;
}

int nr_buf_get_be32(struct nr_buf *b, uint32_t *ret)
{
	if (b->len - b->off < 4)
		return -EBADMSG;
	*ret = nr_load_be32(b->data + b->off);
	b->off += 4;
	return 0;
}

int nr_buf_get_bytes(struct nr_buf *b, void *ret, size_t n)
{
	if (b->len - b->off < n)
		return -EBADMSG;
	if (n)
		memcpy(ret, b->data + b->off, n);
	b->off += n;
	return 0;
}

int nr_buf_skip(struct nr_buf *b, size_t n)
{
	if (b->len - b->off < n)
		return -EBADMSG;
	b->off += n;
	return 0;
}

int nr_buf_sub(struct nr_buf *b, size_t n, struct nr_buf *ret)
{
	if (b->len - b->off < n)
		return -EBADMSG;
	ret->data = n ? b->data + b->off : b->data;
	ret->len = n;
	ret->off = 0;
	b->off += n;
	return 0;
}

void nr_wbuf_init(struct nr_wbuf *w, void *data, size_t cap)
{
	w->data = data;
	w->cap = data ? cap : 0;
	w->len = 0;
}

size_t nr_wbuf_len(const struct nr_wbuf *w)
{
	return w->len;
}

size_t nr_wbuf_room(const struct nr_wbuf *w)
{
	return w->cap - w->len;
}

int nr_wbuf_put_u8(struct nr_wbuf *w, uint8_t v)
{
	if (w->cap - w->len < 1)
		return -EMSGSIZE;
	w->data[w->len++] = v;
	return 0;
}

int nr_wbuf_put_be16(struct nr_wbuf *w, uint16_t v)
{
	if (w->cap - w->len < 2)
		return -EMSGSIZE;
	nr_store_be16(w->data + w->len, v);
	w->len += 2;
	return 0;
}

int nr_wbuf_put_be32(struct nr_wbuf *w, uint32_t v)
{
	if (w->cap - w->len < 4)
		return -EMSGSIZE;
	nr_store_be32(w->data + w->len, v);
	w->len += 4;
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

uint16_t nr_load_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

uint32_t nr_load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void nr_store_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void nr_store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
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
