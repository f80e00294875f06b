/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Comparing netrig's answers and tables with the kernel's.
 */
#ifndef NETRIG_VERIFY_COMPARE_H
#define NETRIG_VERIFY_COMPARE_H

#include "netrig/netns.h"
#include "netrig/stack.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * Does netrig's decision equal the kernel's? Same refusal (errno), or the
 * same type, table, device, gateway and source; for ECMP any of netrig's
 * nexthops may be the one the kernel hashed to. When they differ, *what
 * names the first differing field ("error", "type", "table", "dev",
 * "gateway", "prefsrc"). When q gives a source the kernel's answer carries
 * none (the source is the caller's), so the source is not compared then.
 */
bool nr_verify_same(const struct nr_route_query *q, const struct nr_kroute_answer *k,
		    const struct nr_route_result *n, const char **what);

/* "QUERY" as `ip route get` arguments: "203.0.113.5 from 198.51.100.1 mark 0x3". */
char *nr_verify_fmt_query(const struct nr_route_query *q, char *buf, size_t cap);
/* One answer, laid out as `ip route get` prints it. */
char *nr_verify_fmt_kernel(const struct nr_iface_table *t, const struct nr_route_query *q,
			   const struct nr_kroute_answer *k, char *buf, size_t cap);
char *nr_verify_fmt_netrig(const struct nr_iface_table *t, const struct nr_route_query *q,
			   const struct nr_route_result *n, char *buf, size_t cap);
/* netrig's reasons: rule, table, prefix, tables tried, source choice. */
char *nr_verify_fmt_why(const struct nr_route_result *n, char *buf, size_t cap);

/* A route as one canonical line, so two tables compare as sorted text. */
char *nr_verify_route_key(const struct nr_route *r, char *buf, size_t cap);

#endif
