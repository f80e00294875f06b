/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Topology loader on arbitrary bytes: never crashes, never leaks (run the
 * ASan build), and what it returns is consistent: on success every node
 * index is in range and every name fits; on failure the error has a
 * message and a position inside the input, and prints.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo/topo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ref(const struct nr_topo *t, const struct nr_topo_ifref *r, bool may_be_unset)
{
	if (may_be_unset && r->node == -1)
		return;
	if (r->node < 0 || (size_t)r->node >= t->nnodes || !memchr(r->ifname, '\0', sizeof(r->ifname)) ||
	    !r->ifname[0])
		abort();
}

static void check_topo(const struct nr_topo *t)
{
	if (!t->nnodes || !memchr(t->name, '\0', sizeof(t->name)))
		abort();
	for (size_t i = 0; i < t->nnodes; i++)
		if (!t->nodes[i].name[0] || nr_topo_node_index(t, t->nodes[i].name) != (int)i)
			abort();
	for (size_t i = 0; i < t->nlinks; i++) {
		check_ref(t, &t->links[i].ends[0], false);
		check_ref(t, &t->links[i].ends[1], t->links[i].kind != NR_TOPO_VETH);
		for (size_t j = 0; j < t->links[i].nports; j++)
			check_ref(t, &t->links[i].ports[j], false);
	}
	for (size_t i = 0; i < t->nifaces; i++) {
		check_ref(t, &t->ifaces[i].ref, false);
		for (size_t j = 0; j < t->ifaces[i].naddrs; j++)
			if (t->ifaces[i].addrs[j].local.len > nr_addr_bits(t->ifaces[i].addrs[j].local.addr.family))
				abort();
	}
	for (size_t i = 0; i < t->nroutes; i++)
		if (t->routes[i].node < 0 || (size_t)t->routes[i].node >= t->nnodes ||
		    t->routes[i].nnh > NR_ROUTE_MAX_NH ||
		    (t->routes[i].r.family != AF_INET && t->routes[i].r.family != AF_INET6))
			abort();
	for (size_t i = 0; i < t->nrules; i++)
		if (t->rules[i].node < 0 || (size_t)t->rules[i].node >= t->nnodes ||
		    t->rules[i].r.action == 0)
			abort();
	for (size_t i = 0; i < t->nneigh; i++)
		if (t->neigh[i].node < 0 || (size_t)t->neigh[i].node >= t->nnodes || !t->neigh[i].dev[0])
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nr_topo_error err;
	struct nr_topo *t = NULL;
	size_t lines = 1;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = nr_topo_load_text("fuzz.yaml", (const char *)data, size, &t, &err);
	if (rc == 0) {
		check_topo(t);
		nr_topo_free(t);
		return 0;
	}
	if (t || (rc != -EINVAL && rc != -ENOMEM))
		abort();
	/* an upper bound of libyaml's line count: \n, \r, U+0085, U+2028/9 */
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n' || data[i] == '\r' || data[i] == 0x85 || data[i] == 0xa8 ||
			 data[i] == 0xa9;
	if (!memchr(err.msg, '\0', sizeof(err.msg)) || !err.msg[0] || err.pos.line > lines ||
	    !memchr(err.line, '\0', sizeof(err.line))) {
		fprintf(stderr, "bad error: %u:%u '%s' (%zu lines)\n", err.pos.line, err.pos.col, err.msg, lines);
		abort();
	}
	f = open_memstream(&out, &outlen);
	if (f) {
		nr_topo_error_print(&err, f);
		fclose(f);
		if (outlen < 10 || strncmp(out, "fuzz.yaml:", 10) != 0)
			abort();
		free(out);
	}
	return 0;
}
