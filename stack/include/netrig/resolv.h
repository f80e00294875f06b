/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Nameservers: resolv.conf(5) read the way glibc 2.36 reads it
 * (resolv/res_init.c), pure: text in, tables and warnings out.
 *
 * What glibc does, and so we do:
 * - a keyword must start the line, followed by a space or tab; a line
 *   whose first byte is '#' or ';' is a comment (an indented or trailing
 *   '#' is not one: Scapy's regex uses commented lines, we do not);
 * - `nameserver`: one IPv4 address (inet_aton forms: "127.1" and
 *   "0x7f.0.0.1" are accepted, with a warning) or IPv6 address with an
 *   optional %zone (kept as text); text after the address is ignored; all
 *   are kept, the first NR_RESOLV_MAXNS (3, MAXNS) are flagged `used`;
 *   without any, glibc queries 127.0.0.1 (not added here);
 * - `search` and `domain`: the last of them wins; `domain` keeps its first
 *   word only;
 * - `options`: ndots:N (capped 15), timeout:N (capped 30), attempts:N
 *   (capped 5), rotate, edns0, single-request, single-request-reopen,
 *   no-tld-query (or no_tld_query), use-vc, trust-ad, no-reload, no-aaaa;
 *   glibc matches names by prefix ("rotatex" is rotate): so do we, with a
 *   warning; options of several lines accumulate;
 * - `sortlist`: up to 10 ADDR[/MASK] (also '&'), MASK a dotted netmask
 *   read by inet_aton ("/24" is 0.0.0.24: warned), default the classful
 *   mask; a ';' ends the list. A sortlist line with a non-ASCII byte or
 *   '\r', '\v', '\f' before any ';' makes glibc 2.36's res_init loop
 *   forever (observed with a CRLF file: res_init never returns); we
 *   reject the line with NR_RESOLV_W_GLIBC_HANG.
 *
 * Limits (a choice, documented): glibc 2.26 and later have no limit on the
 * search list (resolv.conf(5) of 2.36: "Since glibc 2.26, the search list
 * is unlimited"); glibc 2.25 and earlier used 6 domains and 256
 * characters. We keep up to NR_RESOLV_SEARCH_MAX (64) domains, as 2.36
 * would use them, and warn when the list passes the old limits (older
 * glibc and other libcs would cut it). glibc reads lines of any length; we
 * reject lines over NR_RESOLV_LINE_MAX bytes with a warning.
 *
 * Where we differ from glibc we say so in a warning: "inet6" (ignored by
 * glibc 2.36, observed; we keep the flag), a negative option value (we ignore
 * it; glibc stores it), a non-number (glibc's atoi reads 0: so do we).
 */
#ifndef NETRIG_RESOLV_H
#define NETRIG_RESOLV_H

#include "netrig/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NR_RESOLV_MAXNS 3           /* glibc MAXNS: servers actually queried */
#define NR_RESOLV_LINE_MAX 4096     /* longest line accepted, without '\n' */
#define NR_RESOLV_SEARCH_MAX 64     /* netrig's cap on search domains */
#define NR_RESOLV_SEARCH_OLD_MAX 6  /* glibc <= 2.25 MAXDNSRCH */
#define NR_RESOLV_SEARCH_OLD_CHARS 256
#define NR_RESOLV_SORTLIST_MAX 10   /* MAXRESOLVSORT */
#define NR_RESOLV_WARNINGS_MAX 64   /* more are counted, not kept */

/* glibc's defaults and caps (RES_TIMEOUT, RES_DFLRETRY, RES_MAX*). */
#define NR_RESOLV_NDOTS_DEFAULT 1
#define NR_RESOLV_TIMEOUT_DEFAULT 5
#define NR_RESOLV_ATTEMPTS_DEFAULT 2
#define NR_RESOLV_NDOTS_MAX 15
#define NR_RESOLV_TIMEOUT_MAX 30
#define NR_RESOLV_ATTEMPTS_MAX 5

/* Option flags. */
#define NR_RESOLV_OPT_ROTATE 0x001u
#define NR_RESOLV_OPT_EDNS0 0x002u
#define NR_RESOLV_OPT_SINGLE_REQUEST 0x004u
#define NR_RESOLV_OPT_SINGLE_REQUEST_REOPEN 0x008u
#define NR_RESOLV_OPT_NO_TLD_QUERY 0x010u
#define NR_RESOLV_OPT_USE_VC 0x020u
#define NR_RESOLV_OPT_TRUST_AD 0x040u
#define NR_RESOLV_OPT_NO_RELOAD 0x080u
#define NR_RESOLV_OPT_NO_AAAA 0x100u
#define NR_RESOLV_OPT_INET6 0x200u /* kept, but glibc 2.36 ignores it */

struct nr_resolv_nameserver {
	struct nr_addr addr;
	char zone[NR_IFNAMSIZ]; /* "%zone" text, empty when none */
	unsigned line;          /* where it came from, 0 if added by API */
	bool used;              /* among the first NR_RESOLV_MAXNS */
};

struct nr_resolv_sort {
	struct nr_addr addr; /* IPv4 */
	struct nr_addr mask; /* IPv4 netmask */
};

struct nr_resolv_options {
	unsigned ndots;
	unsigned timeout;  /* seconds */
	unsigned attempts;
	uint32_t flags;    /* NR_RESOLV_OPT_* */
};

enum nr_resolv_warning_code {
	NR_RESOLV_W_LINE_TOO_LONG = 1, /* line rejected */
	NR_RESOLV_W_NUL,               /* NUL byte: the rest of the line is ignored */
	NR_RESOLV_W_INDENTED,          /* keyword not at line start: rejected */
	NR_RESOLV_W_UNKNOWN_KEYWORD,   /* rejected */
	NR_RESOLV_W_MISSING_VALUE,     /* rejected */
	NR_RESOLV_W_BAD_ADDRESS,       /* nameserver line / sortlist entry rejected */
	NR_RESOLV_W_CARRIAGE_RETURN,   /* '\r' in a value (CRLF file): see message */
	NR_RESOLV_W_ZONE,              /* zone dropped (too long or unusable) */
	NR_RESOLV_W_TRAILING,          /* text after the value, ignored */
	NR_RESOLV_W_NONCANONICAL,      /* IPv4 in an inet_aton form, read as shown */
	NR_RESOLV_W_UNUSED_NAMESERVER, /* past the first 3: kept, not queried */
	NR_RESOLV_W_SEARCH_CAP,        /* past NR_RESOLV_SEARCH_MAX: dropped */
	NR_RESOLV_W_SEARCH_OLD_LIMIT,  /* past 6 domains / 256 chars: kept */
	NR_RESOLV_W_COMMENT_IN_VALUE,  /* '#'/';' word inside a value, used as glibc does */
	NR_RESOLV_W_SORTLIST_FULL,     /* past 10 pairs: dropped */
	NR_RESOLV_W_BAD_MASK,          /* sortlist mask unreadable: classful mask used */
	NR_RESOLV_W_UNKNOWN_OPTION,    /* kept only as this warning */
	NR_RESOLV_W_OPTION_PREFIX,     /* "rotatex": read as "rotate", as glibc */
	NR_RESOLV_W_OPTION_VALUE,      /* value not a plain number */
	NR_RESOLV_W_OPTION_CAPPED,     /* value over glibc's cap: capped */
	NR_RESOLV_W_OPTION_IGNORED,    /* known option glibc 2.36 ignores */
	NR_RESOLV_W_GLIBC_HANG,        /* glibc 2.36's res_init never returns on it: rejected */
};

struct nr_resolv_warning {
	unsigned line;    /* 1-based */
	uint8_t code;     /* enum nr_resolv_warning_code */
	bool rejected;    /* the whole line (or entry) was not used */
	char msg[160];    /* "unknown keyword 'nameservers'", ... */
};

struct nr_resolv;

struct nr_resolv *nr_resolv_new(void);
void nr_resolv_free(struct nr_resolv *r);
/* Back to an empty configuration with glibc's default options. */
void nr_resolv_clear(struct nr_resolv *r);

/*
 * Replace r's contents by the configuration in text[0..len) (need not be
 * NUL-terminated). Bad lines are warnings, never errors. Returns 0, or
 * -ENOMEM (r is then cleared).
 */
int nr_resolv_parse(struct nr_resolv *r, const char *text, size_t len);

size_t nr_resolv_nameserver_count(const struct nr_resolv *r);
const struct nr_resolv_nameserver *nr_resolv_nameserver_at(const struct nr_resolv *r, size_t i);
size_t nr_resolv_search_count(const struct nr_resolv *r);
const char *nr_resolv_search_at(const struct nr_resolv *r, size_t i);
/* True when the list came from a `domain` line (one entry). */
bool nr_resolv_search_is_domain(const struct nr_resolv *r);
size_t nr_resolv_sortlist_count(const struct nr_resolv *r);
const struct nr_resolv_sort *nr_resolv_sortlist_at(const struct nr_resolv *r, size_t i);
const struct nr_resolv_options *nr_resolv_options(const struct nr_resolv *r);

size_t nr_resolv_warning_count(const struct nr_resolv *r);
const struct nr_resolv_warning *nr_resolv_warning_at(const struct nr_resolv *r, size_t i);
/* Warnings past NR_RESOLV_WARNINGS_MAX, counted but not kept. */
size_t nr_resolv_warnings_dropped(const struct nr_resolv *r);

/* Builders (scenarios, tests). zone may be NULL. -EINVAL, -ENAMETOOLONG, -ENOMEM. */
int nr_resolv_add_nameserver(struct nr_resolv *r, const struct nr_addr *addr, const char *zone);
/* Append a search domain (no space, tab or newline). -EINVAL, -ENOSPC, -ENOMEM. */
int nr_resolv_add_search(struct nr_resolv *r, const char *domain);

/*
 * resolv.conf text that parses back to the same configuration: the
 * nameservers, then `domain` or `search`, `sortlist`, and `options` with
 * what differs from the defaults. Returns the length written (without the
 * NUL, which is written too), or -EMSGSIZE when cap is too small
 * (nr_resolv_format_len() + 1 is enough).
 */
int nr_resolv_format(const struct nr_resolv *r, char *buf, size_t cap);
size_t nr_resolv_format_len(const struct nr_resolv *r);

/* Same nameservers (address, zone, used), search list, sortlist and options. */
bool nr_resolv_equal(const struct nr_resolv *a, const struct nr_resolv *b);

#endif
