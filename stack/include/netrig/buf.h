/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Byte cursors for the wire codecs, and the reasons a decoder refuses a
 * packet.
 *
 * A struct nr_buf reads: every getter checks what is left before it
 * touches a byte and fails with -EBADMSG instead of overrunning, leaving
 * the cursor where it was. A struct nr_wbuf writes: every put fails with
 * -EMSGSIZE, writing nothing, when the bytes do not fit in cap.
 * Endianness is in the name (be16, be32); values come out in host order.
 *
 * Nothing here allocates; a cursor is a view of memory the caller owns.
 */
#ifndef NETRIG_BUF_H
#define NETRIG_BUF_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct nr_buf {
	const uint8_t *data;
	size_t len; /* bytes in the view */
	size_t off; /* next byte to read, 0 <= off <= len */
};

/*
 * The cursor and the loads and stores are inline: a decoder reads a field
 * with one bounds test and one load, not a call per field (each call cost
 * more than the field on the echo path).
 */

/* Big-endian loads and stores on memory the caller has bounds-checked. */
static inline uint16_t nr_load_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t nr_load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void nr_store_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void nr_store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void nr_buf_init(struct nr_buf *b, const void *data, size_t len)
{
	b->data = data;
	b->len = data ? len : 0;
	b->off = 0;
}

static inline size_t nr_buf_remaining(const struct nr_buf *b)
{
	return b->len - b->off;
}

static inline size_t nr_buf_offset(const struct nr_buf *b)
{
	return b->off;
}

/* The next byte to read; a valid pointer only when remaining() > 0. */
static inline const uint8_t *nr_buf_cur(const struct nr_buf *b)
{
	/* data + off with off == len is one past the end: allowed, not read. */
	return b->data ? b->data + b->off : NULL;
}

static inline int nr_buf_get_u8(struct nr_buf *b, uint8_t *ret)
{
	if (b->len - b->off < 1)
		return -EBADMSG;
	*ret = b->data[b->off];
	b->off += 1;
	return 0;
}

static inline int nr_buf_get_be16(struct nr_buf *b, uint16_t *ret)
{
	if (b->len - b->off < 2)
		return -EBADMSG;
	*ret = nr_load_be16(b->data + b->off);
	b->off += 2;
	return 0;
}

static inline int nr_buf_get_be32(struct nr_buf *b, uint32_t *ret)
{
	if (b->len - b->off < 4)
		return -EBADMSG;
	*ret = nr_load_be32(b->data + b->off);
	b->off += 4;
	return 0;
}

/* Out of line: a copy of a caller-chosen length (compilers warn on inlined impossible sizes). */
int nr_buf_get_bytes(struct nr_buf *b, void *ret, size_t n);

static inline int nr_buf_skip(struct nr_buf *b, size_t n)
{
	if (b->len - b->off < n)
		return -EBADMSG;
	b->off += n;
	return 0;
}

/*
 * The next n bytes as a cursor of their own (for options and TLVs): the
 * sub-cursor cannot read past them, and b moves past them.
 */
static inline int nr_buf_sub(struct nr_buf *b, size_t n, struct nr_buf *ret)
{
	if (b->len - b->off < n)
		return -EBADMSG;
	ret->data = n ? b->data + b->off : b->data;
	ret->len = n;
	ret->off = 0;
	b->off += n;
	return 0;
}

struct nr_wbuf {
	uint8_t *data;
	size_t cap; /* bytes that may be written */
	size_t len; /* bytes written so far */
};

static inline void nr_wbuf_init(struct nr_wbuf *w, void *data, size_t cap)
{
	w->data = data;
	w->cap = data ? cap : 0;
	w->len = 0;
}

static inline size_t nr_wbuf_len(const struct nr_wbuf *w)
{
	return w->len;
}

static inline size_t nr_wbuf_room(const struct nr_wbuf *w)
{
	return w->cap - w->len;
}

static inline int nr_wbuf_put_u8(struct nr_wbuf *w, uint8_t v)
{
	if (w->cap - w->len < 1)
		return -EMSGSIZE;
	w->data[w->len++] = v;
	return 0;
}

static inline int nr_wbuf_put_be16(struct nr_wbuf *w, uint16_t v)
{
	if (w->cap - w->len < 2)
		return -EMSGSIZE;
	nr_store_be16(w->data + w->len, v);
	w->len += 2;
	return 0;
}

static inline int nr_wbuf_put_be32(struct nr_wbuf *w, uint32_t v)
{
	if (w->cap - w->len < 4)
		return -EMSGSIZE;
	nr_store_be32(w->data + w->len, v);
	w->len += 4;
	return 0;
}

/* src may overlap the destination (memmove), so a payload already in place stays put. */
int nr_wbuf_put_bytes(struct nr_wbuf *w, const void *src, size_t n);
int nr_wbuf_put_zero(struct nr_wbuf *w, size_t n);

/*
 * Why a decoder refused its input. Every decoder returns a negative errno
 * (nr_wire_reason_errno() says which) and, when its `why` argument is not
 * NULL, stores one of these there on failure only, so callers can count
 * drops per reason.
 */
enum nr_wire_reason {
	NR_WIRE_OK = 0,
	NR_WIRE_TRUNCATED,        /* shorter than a header or a length field says */
	NR_WIRE_BAD_LENGTH,       /* a length field is impossible (too small, odd) */
	NR_WIRE_BAD_CHECKSUM,
	NR_WIRE_BAD_VERSION,      /* IP version field */
	NR_WIRE_NOT_ETHERNET_II,  /* ethertype < 0x0600: an 802.3 length field */
	NR_WIRE_BAD_HTYPE,        /* ARP hardware type */
	NR_WIRE_BAD_PTYPE,        /* ARP protocol type */
	NR_WIRE_BAD_HLEN,         /* ARP hardware address length */
	NR_WIRE_BAD_PLEN,         /* ARP protocol address length */
	NR_WIRE_BAD_OP,           /* ARP operation */
	NR_WIRE_BAD_FRAGMENT,     /* fragment past 65535 bytes */
	NR_WIRE_TOO_MANY_EXT,     /* IPv6 extension headers over the cap */
	NR_WIRE_HBH_NOT_FIRST,    /* hop-by-hop options after another header */
	NR_WIRE_BAD_TYPE,         /* ICMP type this decoder does not handle */
	NR_WIRE_BAD_CODE,
	NR_WIRE_BAD_HOP_LIMIT,    /* NDP not sent with hop limit 255 */
	NR_WIRE_OPT_ZERO_LEN,     /* NDP option of length 0 */
	NR_WIRE_OPT_TRUNCATED,    /* NDP option runs past the message */
	NR_WIRE_OPT_BAD_LEN,      /* NDP option of the wrong size for its type */
	NR_WIRE_TOO_MANY_OPTS,    /* NDP options (or one kind of option) over the cap */
	NR_WIRE_BAD_TARGET,       /* NDP target or destination multicast */
	NR_WIRE_BAD_SOURCE,       /* NDP source not allowed (RA not link-local, :: with SLLAO) */
	NR_WIRE_BAD_DEST,         /* NDP destination not allowed (DAD NS to unicast) */
	NR_WIRE_BAD_FLAGS,        /* NA solicited flag on a multicast NA */
	NR_WIRE_BAD_PREFIX_LEN,   /* prefix length over 128 */
	NR_WIRE_REASON_COUNT
};

/* Short lowercase text, e.g. "bad checksum"; "unknown" out of range. */
const char *nr_wire_reason_str(enum nr_wire_reason r);
/*
 * The errno a decoder returns (negated) for a reason: EPROTONOSUPPORT for
 * well-formed input of a kind the decoder does not handle (802.3 frames,
 * an ICMP type given to the wrong decoder), EBADMSG for the rest.
 */
int nr_wire_reason_errno(enum nr_wire_reason r);
/* For decoders: store r in *why (when why is not NULL); return -errno. */
int nr_wire_fail(enum nr_wire_reason r, enum nr_wire_reason *why);

#endif
