/* SPDX-License-Identifier: BSD-2-Clause */
#include "output/jsonl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define JSONL_DEFAULT_CAP (1u << 20)

int nr_jsonl_init(struct nr_jsonl *w, FILE *f, size_t cap)
{
	char *buf;

	if (!cap)
		cap = JSONL_DEFAULT_CAP;
	/* Room for at least one worst-case address member after a flush. */
	if (cap < 256)
		cap = 256;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	*w = (struct nr_jsonl){.f = f, .buf = buf, .cap = cap};
	return 0;
}

static void drain(struct nr_jsonl *w)
{
	if (!w->f)
		return; /* in memory: the caller takes buf and len */
	if (w->len && !w->err && fwrite(w->buf, 1, w->len, w->f) != w->len)
		w->err = -EIO;
	w->len = 0;
}

int nr_jsonl_flush(struct nr_jsonl *w)
{
	drain(w);
	if (w->f && !w->err && fflush(w->f))
		w->err = -EIO;
	return w->err;
}

int nr_jsonl_done(struct nr_jsonl *w)
{
	int r;

	if (!w->buf)
		return w->err;
	r = nr_jsonl_flush(w);
	free(w->buf);
	w->buf = NULL;
	return r;
}

/*
 * Make room for need more bytes: drain the buffer, and grow it only for
 * a single value bigger than the whole buffer. On allocation failure the
 * member is dropped and the error kept.
 */
static bool reserve(struct nr_jsonl *w, size_t need)
{
	if (w->cap - w->len >= need)
		return true;
	if (w->f) {
		drain(w);
		if (w->cap >= need)
			return true;
	}
	/* In memory (no f): keep everything, doubling. */
	size_t ncap = w->f ? need : w->cap * 2 > w->len + need ? w->cap * 2 : w->len + need;
	char *n = realloc(w->buf, ncap);

	if (!n) {
		w->err = -ENOMEM;
		return false;
	}
	w->buf = n;
	w->cap = ncap;
	return true;
}

static void put_key(struct nr_jsonl *w, const char *key, size_t klen)
{
	char *p = w->buf + w->len;

	if (w->need_comma)
		*p++ = ',';
	*p++ = '"';
	memcpy(p, key, klen);
	p += klen;
	*p++ = '"';
	*p++ = ':';
	w->len = (size_t)(p - w->buf);
	w->need_comma = true;
}

void nr_jsonl_begin(struct nr_jsonl *w)
{
	if (!reserve(w, 1))
		return;
	w->buf[w->len++] = '{';
	w->need_comma = false;
}

void nr_jsonl_end(struct nr_jsonl *w)
{
	if (!reserve(w, 2))
		return;
	w->buf[w->len++] = '}';
	w->buf[w->len++] = '\n';
	w->need_comma = false;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	/* Overlong forms, surrogates and code points past U+10FFFF. */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* 1 for the bytes a JSON string holds as they are: printable ASCII (and
 * DEL) but the quote and the backslash. */
static const uint8_t json_plain[256] = {
	[0x20 ... 0x21] = 1,
	[0x23 ... 0x5b] = 1,
	[0x5d ... 0x7f] = 1,
};

size_t nr_json_escape(char *dst, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)src;
	char *p = dst;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t run = i;

		/* A run of bytes that stand for themselves, copied at once. */
		while (run < len && json_plain[s[run]])
			run++;
		if (run > i) {
			memcpy(p, s + i, run - i);
			p += run - i;
			i = run;
			continue;
		}
		if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = (char)c;
			i++;
			continue;
		}
		if (c < 0x20) {
			*p++ = '\\';
			switch (c) {
			case '\b':
				*p++ = 'b';
				break;
			case '\f':
				*p++ = 'f';
				break;
			case '\n':
				*p++ = 'n';
				break;
			case '\r':
				*p++ = 'r';
				break;
			case '\t':
				*p++ = 't';
				break;
			default:
				*p++ = 'u';
				*p++ = '0';
				*p++ = '0';
				*p++ = hex[c >> 4];
				*p++ = hex[c & 15];
			}
			i++;
			continue;
		}
		size_t n = utf8_seq(s + i, len - i);

		if (n) {
			memcpy(p, s + i, n);
			p += n;
			i += n;
		} else {
			memcpy(p, "\\ufffd", 6);
			p += 6;
			i++;
		}
	}
	return (size_t)(p - dst);
}

char *nr_utf8_sanitize(const char *s)
{
	size_t len = strlen(s), o = 0;
	char *out = malloc(3 * len + 1);

	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq((const unsigned char *)s + i, len - i);

		if (n) {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	out[o] = '\0';
	return out;
}

void nr_jsonl_kv(struct nr_jsonl *w, const char *key, size_t klen, const char *val, size_t len)
{
	if (!reserve(w, klen + 6 * len + 8))
		return;
	put_key(w, key, klen);
	w->buf[w->len++] = '"';
	w->len += nr_json_escape(w->buf + w->len, val, len);
	w->buf[w->len++] = '"';
}

/* Digits of v, most significant first, at dst; returns the count. */
static size_t fmt_u64(char *dst, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		dst[i] = tmp[n - 1 - i];
	return n;
}

void nr_jsonl_uint(struct nr_jsonl *w, const char *key, uint64_t val)
{
	if (!reserve(w, strlen(key) + 24))
		return;
	put_key(w, key, strlen(key));
	w->len += fmt_u64(w->buf + w->len, val);
}

void nr_jsonl_bool(struct nr_jsonl *w, const char *key, bool val)
{
	if (!reserve(w, strlen(key) + 10))
		return;
	put_key(w, key, strlen(key));
	memcpy(w->buf + w->len, val ? "true" : "false", val ? 4 : 5);
	w->len += val ? 4 : 5;
}

size_t nr_fmt_ipv4(char *dst, uint32_t a)
{
	char *p = dst;

	for (int shift = 24; shift >= 0; shift -= 8) {
		unsigned o = (a >> shift) & 0xffu;

		if (o >= 100) {
			*p++ = (char)('0' + o / 100);
			*p++ = (char)('0' + o / 10 % 10);
		} else if (o >= 10) {
			*p++ = (char)('0' + o / 10);
		}
		*p++ = (char)('0' + o % 10);
		if (shift)
			*p++ = '.';
	}
	*p = '\0';
	return (size_t)(p - dst);
}

/*
 * glibc's inet_ntop for AF_INET6 without its sprintf per field (a fifth
 * of a batch's time): the longest run of two or more zero fields (the
 * first of equal ones) becomes "::", fields in lower-case hex without
 * leading zeros, and the last 32 bits as a dotted quad after "::" (6
 * zero fields) or "::ffff:" (v4-mapped), as inet_ntop6 does.
 */
size_t nr_fmt_ipv6(char *dst, const uint8_t b[16])
{
	static const char hex[] = "0123456789abcdef";
	unsigned words[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0, i;
	char *p = dst;

	for (i = 0; i < 8; i++)
		words[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
	for (i = 0; i < 8; i++) {
		if (words[i] == 0) {
			if (cur < 0) {
				cur = i;
				cur_len = 0;
			}
			cur_len++;
		} else if (cur >= 0) {
			if (best < 0 || cur_len > best_len) {
				best = cur;
				best_len = cur_len;
			}
			cur = -1;
		}
	}
	if (cur >= 0 && (best < 0 || cur_len > best_len)) {
		best = cur;
		best_len = cur_len;
	}
	if (best >= 0 && best_len < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		unsigned v = words[i];

		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff))) {
			p += nr_fmt_ipv4(p, (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
						    (uint32_t)b[14] << 8 | b[15]);
			return (size_t)(p - dst);
		}
		if (v >= 0x1000)
			*p++ = hex[v >> 12];
		if (v >= 0x100)
			*p++ = hex[(v >> 8) & 0xf];
		if (v >= 0x10)
			*p++ = hex[(v >> 4) & 0xf];
		*p++ = hex[v & 0xf];
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	*p = '\0';
	return (size_t)(p - dst);
}

void nr_jsonl_addr_k(struct nr_jsonl *w, const char *key, size_t klen, const struct nr_addr *a)
{
	char text[NR_ADDR_STRLEN];
	size_t n;

	if (!reserve(w, klen + NR_ADDR_STRLEN + 8))
		return;
	if (a->family == AF_INET)
		n = nr_fmt_ipv4(text, nr_addr_v4(a));
	else if (a->family == AF_INET6)
		n = nr_fmt_ipv6(text, a->bytes);
	else
		n = strlen(nr_addr_format(a, text, sizeof(text)));
	put_key(w, key, klen);
	w->buf[w->len++] = '"';
	memcpy(w->buf + w->len, text, n);
	w->len += n;
	w->buf[w->len++] = '"';
}

void nr_jsonl_str_array(struct nr_jsonl *w, const char *key, const char *const *vals, size_t n)
{
	size_t need = strlen(key) + 8;

	for (size_t i = 0; i < n; i++)
		need += 6 * strlen(vals[i]) + 3;
	if (!reserve(w, need))
		return;
	put_key(w, key, strlen(key));
	w->buf[w->len++] = '[';
	for (size_t i = 0; i < n; i++) {
		if (i)
			w->buf[w->len++] = ',';
		w->buf[w->len++] = '"';
		w->len += nr_json_escape(w->buf + w->len, vals[i], strlen(vals[i]));
		w->buf[w->len++] = '"';
	}
	w->buf[w->len++] = ']';
}

/* One more than each hex digit's value, 0 for any other byte: a table,
 * because digits and letters alternate at random in addresses and the
 * branches of a range test mispredict. */
static const uint8_t hex_val1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static int hexval(char c)
{
	return hex_val1[(unsigned char)c] - 1;
}

/*
 * The plain forms only: four decimal octets without leading zeros. false
 * for anything else, which inet_pton then decides (it accepts nothing
 * more than this in glibc, but the slow path keeps the rule in one place).
 */
static bool fast_pton4(const char *s, uint8_t out[4])
{
	const char *p = s;

	for (int i = 0; i < 4; i++) {
		unsigned v = 0;
		int d = 0;

		while (*p >= '0' && *p <= '9' && d < 4) {
			v = v * 10 + (unsigned)(*p++ - '0');
			d++;
		}
		if (d == 0 || d > 3 || v > 255 || (d > 1 && p[-d] == '0'))
			return false;
		out[i] = (uint8_t)v;
		if (*p != (i < 3 ? '.' : '\0'))
			return false;
		p++;
	}
	return true;
}

/*
 * Hex fields of one to four digits, at most one "::" standing for one or
 * more zero fields; false for anything else (a dotted quad at the end,
 * a stray colon), which inet_pton decides.
 */
static bool fast_pton6(const char *s, uint8_t out[16])
{
	unsigned w[8];
	int n = 0, gap = -1;
	const char *p = s;

	if (p[0] == ':') {
		if (p[1] != ':')
			return false;
		gap = 0;
		p += 2;
	}
	while (*p) {
		unsigned v = 0;
		int d = 0, x;

		while ((x = hexval(*p)) >= 0 && d < 5) {
			v = v << 4 | (unsigned)x;
			d++;
			p++;
		}
		if (d == 0 || d > 4 || n == 8)
			return false;
		w[n++] = v;
		if (!*p)
			break;
		if (*p++ != ':')
			return false;
		if (*p == ':') {
			if (gap >= 0)
				return false;
			gap = n;
			p++;
		} else if (!*p) {
			return false; /* one trailing colon */
		}
	}
	if (gap < 0 ? n != 8 : n > 7)
		return false;
	memset(out, 0, 16);
	for (int i = 0; i < n; i++) {
		/* Fields after the gap go to the end. */
		int at = gap >= 0 && i >= gap ? 8 - (n - i) : i;

		out[2 * at] = (uint8_t)(w[i] >> 8);
		out[2 * at + 1] = (uint8_t)w[i];
	}
	return true;
}

int nr_fast_pton(const char *s, struct nr_addr *ret)
{
	struct nr_addr a = {0};

	/* A dotted quad has no colon: the family is the one strchr tells. */
	if (fast_pton4(s, a.bytes)) {
		a.family = AF_INET;
	} else if (strchr(s, ':')) {
		if (!fast_pton6(s, a.bytes) && inet_pton(AF_INET6, s, a.bytes) != 1)
			return -EINVAL;
		a.family = AF_INET6;
	} else {
		if (inet_pton(AF_INET, s, a.bytes) != 1)
			return -EINVAL;
		a.family = AF_INET;
	}
	*ret = a;
	return 0;
}
