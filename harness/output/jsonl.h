/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A fast JSON Lines writer for batch output: one flat object per line,
 * built in a large buffer and written with one fwrite per buffer-full.
 * No jansson here: a million objects a second is the goal.
 *
 * Values are escaped as RFC 8259 asks (quote, backslash, control
 * characters); bytes that are not valid UTF-8 become U+FFFD, so the output
 * is always valid JSON. Keys are the caller's literals and are not escaped.
 */
#ifndef NETRIG_OUTPUT_JSONL_H
#define NETRIG_OUTPUT_JSONL_H

#include "netrig/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct nr_jsonl {
	FILE *f;
	char *buf;
	size_t len, cap;
	bool need_comma; /* inside an object or array, after a member */
	int err;	 /* first write error, sticky */
};

/*
 * cap: buffer size (0 = 1 MiB). -ENOMEM. f NULL: in memory, the buffer
 * grows to hold everything written; the caller takes buf[0..len) and
 * sets len back to 0 (a batch's second thread).
 */
int nr_jsonl_init(struct nr_jsonl *w, FILE *f, size_t cap);
/* Flushes, then frees the buffer (not f). Returns the first error seen, or 0. */
int nr_jsonl_done(struct nr_jsonl *w);

void nr_jsonl_begin(struct nr_jsonl *w); /* "{" */
void nr_jsonl_end(struct nr_jsonl *w);	 /* "}\n" */
/* "key":"val" with the key's length given (the wrappers below take it
 * from a literal at compile time: no strlen per member). */
void nr_jsonl_kv(struct nr_jsonl *w, const char *key, size_t klen, const char *val, size_t len);
static inline void nr_jsonl_strn(struct nr_jsonl *w, const char *key, const char *val, size_t len)
{
	nr_jsonl_kv(w, key, strlen(key), val, len);
}
static inline void nr_jsonl_str(struct nr_jsonl *w, const char *key, const char *val)
{
	nr_jsonl_kv(w, key, strlen(key), val, strlen(val));
}
void nr_jsonl_uint(struct nr_jsonl *w, const char *key, uint64_t val);
void nr_jsonl_bool(struct nr_jsonl *w, const char *key, bool val);
/* Address as a string ("198.51.100.7", RFC 5952 for IPv6). */
void nr_jsonl_addr_k(struct nr_jsonl *w, const char *key, size_t klen, const struct nr_addr *a);
static inline void nr_jsonl_addr(struct nr_jsonl *w, const char *key, const struct nr_addr *a)
{
	nr_jsonl_addr_k(w, key, strlen(key), a);
}
/* "key":["a","b",...] */
void nr_jsonl_str_array(struct nr_jsonl *w, const char *key, const char *const *vals, size_t n);

/* Write what is buffered and fflush f; returns w->err (-EIO). */
int nr_jsonl_flush(struct nr_jsonl *w);

/*
 * The escaped form of s[0..len) (without quotes) into dst, which must
 * hold 6 * len bytes; returns the length written. For tests and for
 * writers that build their own lines.
 */
size_t nr_json_escape(char *dst, const char *s, size_t len);

/*
 * A copy of s (malloc'd) in which every byte that is not part of valid
 * UTF-8 is replaced by U+FFFD, for libraries that refuse such text
 * (jansson). NULL on allocation failure.
 */
char *nr_utf8_sanitize(const char *s);

/* Dotted quad of a host-order IPv4 address into dst (>= 16 bytes); returns length. */
size_t nr_fmt_ipv4(char *dst, uint32_t host_order);
/* An IPv6 address as glibc's inet_ntop writes it, into dst (>= 46 bytes); returns length. */
size_t nr_fmt_ipv6(char *dst, const uint8_t bytes[16]);
/*
 * A destination line of the batch: inet_pton of AF_INET6 when s has a
 * colon, AF_INET otherwise, with the same answers (the plain forms are
 * parsed here, anything else by inet_pton). -EINVAL when not an address.
 */
int nr_fast_pton(const char *s, struct nr_addr *ret);

#endif
