/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Topology files: YAML -> nr_ynode tree (yaml_doc.c) -> schema tables
 * below -> struct nr_topo. The tables list the top-level keys in the order
 * they are processed (nodes, then links, then what refers to interfaces),
 * so every reference can be checked the moment it is read, whatever order
 * the file uses. Nothing here touches the kernel.
 */
#include "topo/topo.h"
#include "topo/iproute_parse.h"
#include "topo/schema.h"
#include "topo/yaml_doc.h"

#include "netrig/host.h"
#include "netrig/responder.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#define TOPO_MAX_BYTES NR_TOPO_MAX_BYTES

struct iface_key {
	int node;
	char ifname[NR_IFNAMSIZ];
};

struct iface_ent {
	struct iface_key key;
	size_t idx; /* into t->ifaces */
	const char *bridge; /* the bridge it is a port of, if any */
	UT_hash_handle hh;
};

struct node_ent {
	char name[NR_TOPO_NAME_MAX]; /* a copy: t->nodes moves as it grows */
	int idx;
	UT_hash_handle hh;
};

/* A reference to check once every link has created its interfaces. */
struct pending {
	struct nr_topo_ifref ref;
	const struct nr_ynode *at;
	size_t off;
	const char *what; /* "bridge port", "macvlan parent" */
	size_t link;
};

struct loader {
	struct nr_topo *t;
	struct nr_schema s;
	size_t cap_nodes, cap_links, cap_ifaces, cap_routes, cap_rules, cap_neigh, cap_pend;
	struct iface_ent *ifmap;
	struct node_ent *nodemap;
	struct pending *pend;
	size_t npend;
	int cur_node; /* the node whose routes/rules/neighbours are being read */
	size_t cur_link;
};

static int grow(void *arrp, size_t *cap, size_t n, size_t elem)
{
	void **arr = arrp;
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	memset((char *)p + *cap * elem, 0, (ncap - *cap) * elem);
	*arr = p;
	*cap = ncap;
	return 0;
}

static struct loader *L(struct nr_schema *s)
{
	return s->user;
}

/* --- names and references --- */

static bool valid_node_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= NR_TOPO_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  (i > 0 && (c == '_' || c == '-'));

		if (!ok)
			return false;
	}
	return true;
}

static int name_error(struct nr_schema *s, const struct nr_ynode *n, const char *what)
{
	if (n->len >= NR_TOPO_NAME_MAX)
		return nr_schema_fail_at(s, n, 0, "%s name '%.40s...' is longer than %d characters",
					 what, n->str, NR_TOPO_NAME_MAX - 1);
	return nr_schema_fail_at(s, n, 0,
				 "%s name '%s' is not valid (a-z, 0-9, '_' and '-', starting with a "
				 "letter or digit)",
				 what, n->str);
}

static int find_node(struct loader *l, const char *name)
{
	struct node_ent *e;

	HASH_FIND_STR(l->nodemap, name, e);
	return e ? e->idx : -1;
}

static struct iface_ent *find_iface(struct loader *l, int node, const char *ifname)
{
	struct iface_key k;
	struct iface_ent *e;

	memset(&k, 0, sizeof(k));
	k.node = node;
	snprintf(k.ifname, sizeof(k.ifname), "%s", ifname);
	HASH_FIND(hh, l->ifmap, &k, sizeof(k), e);
	return e;
}

static int unknown_node(struct nr_schema *s, const struct nr_ynode *at, size_t off, const char *name)
{
	struct loader *l = L(s);
	const char **names = calloc(l->t->nnodes + 1, sizeof(*names));
	const char *hint = NULL;
	char buf[NR_TOPO_NAME_MAX + 40] = "";

	if (names) {
		for (size_t i = 0; i < l->t->nnodes; i++)
			names[i] = l->t->nodes[i].name;
		hint = nr_schema_suggest(name, names);
		if (hint)
			snprintf(buf, sizeof(buf), " (did you mean '%s'?)", hint);
		free(names);
	}
	return nr_schema_fail_at(s, at, off, "unknown node '%s'%s", name, buf);
}

/*
 * "node:ifname" at byte off of scalar n (0 for a whole scalar) into ref;
 * the node must exist. The interface is not looked up here.
 */
static int parse_ifref(struct nr_schema *s, const struct nr_ynode *n, struct nr_topo_ifref *ref)
{
	const char *colon, *why;
	char node[NR_TOPO_NAME_MAX + 1];
	size_t nl;
	int idx;

	if (n->kind != NR_YSCALAR)
		return nr_schema_fail_at(s, n, 0, "expected an interface NODE:IFNAME, got %s",
					 nr_ynode_kind_name(n));
	colon = strchr(n->str, ':');
	if (!colon)
		return nr_schema_fail_at(s, n, 0,
					 "'%s' is not an interface reference: write NODE:IFNAME (h1:eth0)",
					 n->str);
	nl = (size_t)(colon - n->str);
	if (nl == 0 || nl >= sizeof(node))
		return nr_schema_fail_at(s, n, 0, "'%s': the node name before ':' %s", n->str,
					 nl ? "is too long" : "is missing");
	memcpy(node, n->str, nl);
	node[nl] = '\0';
	idx = find_node(L(s), node);
	if (idx < 0)
		return unknown_node(s, n, 0, node);
	why = nr_ipp_ifname_problem(colon + 1);
	if (why)
		return nr_schema_fail_at(s, n, nl + 1, "interface name '%s' %s", colon + 1, why);
	memset(ref, 0, sizeof(*ref));
	ref->node = idx;
	memcpy(ref->ifname, colon + 1, strlen(colon + 1) + 1);
	ref->pos.line = n->line;
	ref->pos.col = n->col;
	return 0;
}

/* Byte offset of the interface name in "node:ifname". */
static size_t ifname_off(const char *ref)
{
	return strcspn(ref, ":") + 1;
}

static int add_iface(struct loader *l, const struct nr_topo_ifref *ref, struct iface_ent **ret)
{
	struct nr_topo *t = l->t;
	struct nr_topo_iface *i;
	struct iface_ent *e;
	int rc = grow(&t->ifaces, &l->cap_ifaces, t->nifaces, sizeof(*t->ifaces));

	if (rc < 0)
		return rc;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->key.node = ref->node;
	memcpy(e->key.ifname, ref->ifname, sizeof(e->key.ifname));
	e->idx = t->nifaces;
	HASH_ADD(hh, l->ifmap, key, sizeof(e->key), e);
	i = &t->ifaces[t->nifaces++];
	memset(i, 0, sizeof(*i));
	i->ref = *ref;
	i->up = NR_TOPO_TRI_UNSET;
	i->pos = ref->pos;
	*ret = e;
	return 0;
}

/* An interface a link creates: must be new in its node. */
static int create_iface(struct nr_schema *s, const struct nr_ynode *n, struct nr_topo_ifref *ref)
{
	struct loader *l = L(s);
	struct iface_ent *e;
	int rc = parse_ifref(s, n, ref);

	if (rc < 0)
		return rc;
	if (strcmp(ref->ifname, "lo") == 0)
		return nr_schema_fail_at(s, n, ifname_off(n->str),
					 "every node has 'lo' already; a link cannot create it");
	e = find_iface(l, ref->node, ref->ifname);
	if (e)
		return nr_schema_fail_at(s, n, 0, "duplicate interface %s (first created at line %u)",
					 n->str, l->t->ifaces[e->idx].pos.line);
	return add_iface(l, ref, &e);
}

/*
 * An interface that must exist: made by a link, or lo (created on first
 * mention so it can carry addresses and settings).
 */
static int existing_iface(struct nr_schema *s, const struct nr_ynode *n, size_t off,
			  const struct nr_topo_ifref *ref, struct iface_ent **ret)
{
	struct loader *l = L(s);
	struct iface_ent *e = find_iface(l, ref->node, ref->ifname);
	int rc;

	if (!e && strcmp(ref->ifname, "lo") == 0) {
		rc = add_iface(l, ref, &e);
		if (rc < 0)
			return rc;
	}
	if (!e)
		return nr_schema_fail_at(s, n, off,
					 "node '%s' has no interface '%s' (no link creates it)",
					 l->t->nodes[ref->node].name, ref->ifname);
	*ret = e;
	return 0;
}

static bool node_has_dev(void *arg, const char *ifname)
{
	struct loader *l = arg;

	return strcmp(ifname, "lo") == 0 || find_iface(l, l->cur_node, ifname) != NULL;
}

/* --- nodes --- */

static int sysctl_pair(struct nr_schema *s, struct nr_topo_node *node, const struct nr_ynode *k,
		       const struct nr_ynode *v)
{
	struct nr_topo_sysctl *sc;
	const char *val = v->str;

	if (strncmp(k->str, "net.", 4) != 0 || k->len == 4)
		return nr_schema_fail_at(s, k, 0,
					 "sysctl '%s' is not per-namespace: only net.* keys can be set in "
					 "a node",
					 k->str);
	if (k->len >= sizeof(sc->key))
		return nr_schema_fail_at(s, k, 0, "sysctl key longer than %zu characters",
					 sizeof(sc->key) - 1);
	for (size_t i = 0; i < k->len; i++) {
		char c = k->str[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.') ||
		    (c == '.' && k->str[i + 1] == '.'))
			return nr_schema_fail_at(s, k, i, "sysctl key '%s': unexpected character",
						 k->str);
	}
	if (v->kind != NR_YSCALAR)
		return nr_schema_fail_at(s, v, 0, "sysctl %s: expected a value, got %s", k->str,
					 nr_ynode_kind_name(v));
	if (v->style == NR_YPLAIN && (strcmp(val, "true") == 0 || strcmp(val, "false") == 0))
		val = val[0] == 't' ? "1" : "0";
	if (v->len == 0 || nr_schema_is_null(v))
		return nr_schema_fail_at(s, v, 0, "sysctl %s: empty value", k->str);
	if (strlen(val) >= sizeof(sc->value))
		return nr_schema_fail_at(s, v, 0, "sysctl %s: value longer than %zu characters",
					 k->str, sizeof(sc->value) - 1);
	sc = realloc(node->sysctls, (node->nsysctls + 1) * sizeof(*sc));
	if (!sc)
		return -ENOMEM;
	node->sysctls = sc;
	sc = &sc[node->nsysctls++];
	memset(sc, 0, sizeof(*sc));
	memcpy(sc->key, k->str, k->len + 1);
	snprintf(sc->value, sizeof(sc->value), "%s", val);
	sc->pos.line = k->line;
	sc->pos.col = k->col;
	return 0;
}

static int node_sysctl(struct nr_schema *s, const struct nr_schema_key *k, const struct nr_ynode *v,
		       void *obj)
{
	int rc;

	(void)k;
	if (v->kind != NR_YMAP)
		return 0; /* empty */
	for (size_t i = 0; i < v->n; i++) {
		rc = sysctl_pair(s, obj, v->pairs[i].key, v->pairs[i].val);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static const struct nr_schema_key node_keys[] = {
	{.name = "sysctl", .type = NR_S_MAP, .fn = node_sysctl},
	{0},
};
static const struct nr_schema_map node_map = {"a node", node_keys};

static int top_nodes(struct nr_schema *s, const struct nr_schema_key *k, const struct nr_ynode *v,
		     void *obj)
{
	struct loader *l = L(s);
	struct nr_topo *t = obj;
	int rc;

	(void)k;
	if (v->kind != NR_YMAP || v->n == 0)
		return nr_schema_fail_at(s, v, 0, "nodes: a topology needs at least one node");
	for (size_t i = 0; i < v->n; i++) {
		const struct nr_ynode *name = v->pairs[i].key;
		struct nr_topo_node *node;
		struct node_ent *e;

		if (!valid_node_name(name->str))
			return name_error(s, name, "node");
		rc = grow(&t->nodes, &l->cap_nodes, t->nnodes, sizeof(*t->nodes));
		if (rc < 0)
			return rc;
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		node = &t->nodes[t->nnodes];
		memset(node, 0, sizeof(*node));
		memcpy(node->name, name->str, name->len + 1);
		node->pos.line = name->line;
		node->pos.col = name->col;
		e->idx = (int)t->nnodes++;
		memcpy(e->name, node->name, sizeof(e->name));
		HASH_ADD_STR(l->nodemap, name, e);
		rc = nr_schema_walk(s, v->pairs[i].val, &node_map, node);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* --- links --- */

static int link_ends(struct nr_schema *s, const struct nr_schema_key *k, const struct nr_ynode *v,
		     void *obj)
{
	struct nr_topo_link *link = obj;
	int rc;

	(void)k;
	if (v->n != 2)
		return nr_schema_fail_at(s, v, 0, "ends: a veth has exactly two ends, got %zu", v->n);
	for (size_t i = 0; i < 2; i++) {
		rc = create_iface(s, v->items[i], &link->ends[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int link_end(struct nr_schema *s, const struct nr_schema_key *k, const struct nr_ynode *v,
		    void *obj)
{
	struct nr_topo_link *link = obj;
	int rc;

	(void)k;
	rc = create_iface(s, v, &link->ends[0]);
	if (rc < 0)
		return rc;
	link->ends[1].node = -1;
	return 0;
}

static int pend(struct nr_schema *s, const struct nr_ynode *at, size_t off,
		const struct nr_topo_ifref *ref, const char *what)
{
	struct loader *l = L(s);
	int rc = grow(&l->pend, &l->cap_pend, l->npend, sizeof(*l->pend));

	if (rc < 0)
		return rc;
	l->pend[l->npend].ref = *ref;
	l->pend[l->npend].at = at;
	l->pend[l->npend].off = off;
	l->pend[l->npend].what = what;
	l->pend[l->npend++].link = l->cur_link;
	return 0;
}

static int link_ports(struct nr_schema *s, const struct nr_schema_key *k, const struct nr_ynode *v,
		      void *obj)
{
	struct nr_topo_link *link = obj;
	int rc;

	(void)k;
	link->ports = calloc(v->n ? v->n : 1, sizeof(*link->ports));
	if (!link->ports)
		return -ENOMEM;
	for (size_t i = 0; i < v->n; i++) {
		struct nr_topo_ifref *p = &link->ports[i];

		rc = parse_ifref(s, v->items[i], p);
		if (rc < 0)
			return rc;
		link->nports++;
		if (p->node != link->ends[0].node)
			return nr_schema_fail_at(s, v->items[i], 0,
						 "bridge port %s is not in node '%s', the bridge's",
						 v->items[i]->str,
						 L(s)->t->nodes[link->ends[0].node].name);
		rc = pend(s, v->items[i], ifname_off(v->items[i]->str), p,
			  "bridge port");
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* parent (macvlan) and dev (vxlan): an interface of the link's own node */
static int link_lower(struct nr_schema *s, const struct nr_schema_key *k, const struct nr_ynode *v,
		      void *obj)
{
	struct nr_topo_link *link = obj;
	struct nr_topo_ifref ref = {.node = link->ends[0].node};
	const char *why = nr_ipp_ifname_problem(v->str);

	if (why)
		return nr_schema_fail_at(s, v, 0, "%s: interface name '%s' %s", k->name, v->str, why);
	memcpy(ref.ifname, v->str, v->len + 1);
	memcpy(strcmp(k->name, "parent") == 0 ? link->parent : link->vx_dev, v->str, v->len + 1);
	ref.pos.line = v->line;
	ref.pos.col = v->col;
	return pend(s, v, 0, &ref, strcmp(k->name, "parent") == 0 ? "macvlan parent" : "vxlan dev");
}

static int link_vx_addr(struct nr_schema *s, const struct nr_schema_key *k, const struct nr_ynode *v,
			void *obj)
{
	struct nr_topo_link *link = obj;
	struct nr_addr *a = strcmp(k->name, "local") == 0    ? &link->vx_local
			    : strcmp(k->name, "remote") == 0 ? &link->vx_remote
							     : &link->vx_group;

	if (nr_addr_parse(v->str, AF_UNSPEC, a) < 0)
		return nr_schema_fail_at(s, v, 0, "%s: '%s' is not an IPv4 or IPv6 address", k->name,
					 v->str);
	return 0;
}

static const char *const macvlan_modes[] = {"bridge", "private", "vepa", "passthru", "source", NULL};

#define LINK_KIND {.name = "kind", .type = NR_S_STR}
#define LINK_END {.name = "end", .type = NR_S_SCALAR, .required = true, .fn = link_end}

static const struct nr_schema_key veth_keys[] = {
	LINK_KIND,
	{.name = "ends", .type = NR_S_SEQ, .required = true, .fn = link_ends},
	{0},
};
#define TUNTAP_KEYS                                                                                \
	LINK_KIND, LINK_END,                                                                       \
		{.name = "pi", .type = NR_S_BOOL, .off = offsetof(struct nr_topo_link, pi)},       \
		{.name = "vnet_hdr", .type = NR_S_BOOL, .off = offsetof(struct nr_topo_link, vnet_hdr)}, \
		{.name = "multi_queue",                                                            \
		 .type = NR_S_BOOL,                                                                \
		 .off = offsetof(struct nr_topo_link, multi_queue)},                               \
		{.name = "persist", .type = NR_S_BOOL, .off = offsetof(struct nr_topo_link, persist)}, \
	{                                                                                          \
		0                                                                                  \
	}
static const struct nr_schema_key tun_keys[] = {TUNTAP_KEYS};
static const struct nr_schema_key bridge_keys[] = {
	LINK_KIND,
	LINK_END,
	{.name = "ports", .type = NR_S_SEQ, .fn = link_ports},
	{0},
};
static const struct nr_schema_key macvlan_keys[] = {
	LINK_KIND,
	LINK_END,
	{.name = "parent",
	 .type = NR_S_SCALAR,
	 .required = true,
	 .fn = link_lower},
	{.name = "mode",
	 .type = NR_S_STR,
	 .off = offsetof(struct nr_topo_link, macvlan_mode),
	 .cap = sizeof(((struct nr_topo_link *)0)->macvlan_mode),
	 .choices = macvlan_modes},
	{0},
};
static const struct nr_schema_key vxlan_keys[] = {
	LINK_KIND,
	LINK_END,
	{.name = "vni",
	 .type = NR_S_U32,
	 .required = true,
	 .off = offsetof(struct nr_topo_link, vni),
	 .max = 16777215},
	{.name = "local", .type = NR_S_SCALAR, .fn = link_vx_addr},
	{.name = "remote", .type = NR_S_SCALAR, .fn = link_vx_addr},
	{.name = "group", .type = NR_S_SCALAR, .fn = link_vx_addr},
	{.name = "port",
	 .type = NR_S_U16,
	 .off = offsetof(struct nr_topo_link, vx_port),
	 .min = 1,
	 .max = 65535},
	{.name = "dev", .type = NR_S_SCALAR, .fn = link_lower},
	{0},
};

static const struct {
	const char *name;
	enum nr_topo_link_kind kind;
	struct nr_schema_map map;
} link_kinds[] = {
	{"veth", NR_TOPO_VETH, {"a veth link", veth_keys}},
	{"tun", NR_TOPO_TUN, {"a tun link", tun_keys}},
	{"tap", NR_TOPO_TAP, {"a tap link", tun_keys}},
	{"bridge", NR_TOPO_BRIDGE, {"a bridge link", bridge_keys}},
	{"macvlan", NR_TOPO_MACVLAN, {"a macvlan link", macvlan_keys}},
	{"vxlan", NR_TOPO_VXLAN, {"a vxlan link", vxlan_keys}},
};
#define NKINDS (sizeof(link_kinds) / sizeof(link_kinds[0]))
static const char *const link_kind_names[] = {"veth", "tun", "tap", "bridge", "macvlan", "vxlan", NULL};

static int vxlan_check(struct nr_schema *s, const struct nr_ynode *v, struct nr_topo_link *link)
{
	const struct nr_ynode *g = nr_ymap_get(v, "group"), *r = nr_ymap_get(v, "remote");
	const struct nr_ynode *lo = nr_ymap_get(v, "local");
	int fam = link->vx_local.family;

	if (g && r)
		return nr_schema_fail_at(s, g, 0, "a vxlan takes 'remote' or 'group', not both");
	if (g && !nr_schema_is_null(g)) {
		bool mc = link->vx_group.family == AF_INET ? (link->vx_group.bytes[0] & 0xf0) == 0xe0
							    : link->vx_group.bytes[0] == 0xff;
		if (!mc)
			return nr_schema_fail_at(s, g, 0, "group: %s is not a multicast address", g->str);
		if (!link->vx_dev[0])
			return nr_schema_fail_at(s, g, 0, "a multicast vxlan needs 'dev'");
	}
	if (r && fam && link->vx_remote.family != fam)
		return nr_schema_fail_at(s, r, 0, "remote: family differs from local (%s)", lo->str);
	if (g && fam && link->vx_group.family != fam)
		return nr_schema_fail_at(s, g, 0, "group: family differs from local (%s)", lo->str);
	if (!link->vx_port)
		link->vx_port = 4789;
	return 0;
}

static int one_link(struct nr_schema *s, const struct nr_ynode *v, struct nr_topo_link *link)
{
	const struct nr_ynode *kind;
	const char *hint;
	char list[100];
	size_t i;
	int rc;

	if (v->kind != NR_YMAP)
		return nr_schema_fail_at(s, v, 0, "a link: expected a mapping, got %s",
					 nr_ynode_kind_name(v));
	kind = nr_ymap_get(v, "kind");
	if (!kind)
		return nr_schema_fail_at(s, v, 0, "a link needs 'kind' (%s)",
					 nr_schema_join(link_kind_names, list, sizeof(list)));
	if (kind->kind != NR_YSCALAR)
		return nr_schema_want(s, kind, NR_YSCALAR, "kind");
	for (i = 0; i < NKINDS && strcmp(link_kinds[i].name, kind->str) != 0; i++)
		;
	if (i == NKINDS) {
		hint = nr_schema_suggest(kind->str, link_kind_names);
		if (hint)
			return nr_schema_fail_at(s, kind, 0, "unknown link kind '%s' (did you mean '%s'?)",
						 kind->str, hint);
		return nr_schema_fail_at(s, kind, 0, "unknown link kind '%s' (expected %s)", kind->str,
					 nr_schema_join(link_kind_names, list, sizeof(list)));
	}
	link->kind = link_kinds[i].kind;
	link->pos.line = v->line;
	link->pos.col = v->col;
	if (link->kind == NR_TOPO_MACVLAN)
		snprintf(link->macvlan_mode, sizeof(link->macvlan_mode), "bridge");
	if (link->kind == NR_TOPO_VXLAN) {
		/* dev is needed by group's check: read it before the walk */
		const struct nr_ynode *dev = nr_ymap_get(v, "dev");

		if (dev && dev->kind == NR_YSCALAR && dev->len < sizeof(link->vx_dev))
			memcpy(link->vx_dev, dev->str, dev->len + 1);
	}
	rc = nr_schema_walk(s, v, &link_kinds[i].map, link);
	if (rc < 0)
		return rc;
	if (link->kind == NR_TOPO_VXLAN)
		return vxlan_check(s, v, link);
	return 0;
}

static int top_links(struct nr_schema *s, const struct nr_schema_key *k, const struct nr_ynode *v,
		     void *obj)
{
	struct loader *l = L(s);
	struct nr_topo *t = obj;
	int rc;

	(void)k;
	for (size_t i = 0; i < v->n; i++) {
		rc = grow(&t->links, &l->cap_links, t->nlinks, sizeof(*t->links));
		if (rc < 0)
			return rc;
		memset(&t->links[t->nlinks], 0, sizeof(t->links[0]));
		l->cur_link = t->nlinks++;
		rc = one_link(s, v->items[i], &t->links[l->cur_link]);
		if (rc < 0)
			return rc;
	}
	/* Every link has made its interfaces: now ports and parents can be checked. */
	for (size_t i = 0; i < l->npend; i++) {
		struct pending *p = &l->pend[i];
		struct iface_ent *e = find_iface(l, p->ref.node, p->ref.ifname);
		const char *bridge = t->links[p->link].ends[0].ifname;

		if (!e && !(strcmp(p->ref.ifname, "lo") == 0 && strcmp(p->what, "bridge port") != 0))
			return nr_schema_fail_at(s, p->at, p->off,
						 "%s '%s' does not exist: no link creates it in node '%s'",
						 p->what, p->ref.ifname, t->nodes[p->ref.node].name);
		if (strcmp(p->what, "bridge port") != 0)
			continue;
		if (strcmp(p->ref.ifname, bridge) == 0)
			return nr_schema_fail_at(s, p->at, p->off, "a bridge cannot be its own port");
		if (e->bridge)
			return nr_schema_fail_at(s, p->at, p->off, "'%s' is already a port of bridge '%s'",
						 p->ref.ifname, e->bridge);
		e->bridge = bridge;
	}
	return 0;
}

/* --- interfaces and addresses --- */

static int iface_mac(struct nr_schema *s, const struct nr_schema_key *k, const struct nr_ynode *v,
		     void *obj)
{
	struct nr_topo_iface *i = obj;

	(void)k;
	if (nr_lladdr_parse(v->str, &i->mac) < 0 || i->mac.len != 6)
		return nr_schema_fail_at(s, v, 0, "mac: '%s' is not a MAC address (02:00:00:00:00:01)",
					 v->str);
	if (i->mac.bytes[0] & 1)
		return nr_schema_fail_at(s, v, 0, "mac: %s is a multicast address", v->str);
	return 0;
}

static int iface_up(struct nr_schema *s, const struct nr_schema_key *k, const struct nr_ynode *v,
		    void *obj)
{
	struct nr_topo_iface *i = obj;
	bool up;
	int rc = nr_schema_bool(s, v, k->name, &up);

	if (rc < 0)
		return rc;
	i->up = up;
	return 0;
}

static const struct nr_schema_key iface_keys[] = {
	{.name = "mac", .type = NR_S_SCALAR, .fn = iface_mac},
	{.name = "mtu",
	 .type = NR_S_U32,
	 .off = offsetof(struct nr_topo_iface, mtu),
	 .min = 68,
	 .max = 65535},
	{.name = "up", .type = NR_S_ANY, .fn = iface_up},
	{0},
};
static const struct nr_schema_map iface_map = {"interface settings", iface_keys};

static int iface_by_key(struct nr_schema *s, const struct nr_ynode *key, struct nr_topo_iface **ret)
{
	struct nr_topo_ifref ref;
	struct iface_ent *e = NULL;
	int rc = parse_ifref(s, key, &ref);

	if (rc < 0)
		return rc;
	rc = existing_iface(s, key, ifname_off(key->str), &ref, &e);
	if (rc < 0)
		return rc;
	*ret = &L(s)->t->ifaces[e->idx];
	return 0;
}

static int top_interfaces(struct nr_schema *s, const struct nr_schema_key *k,
			  const struct nr_ynode *v, void *obj)
{
	struct nr_topo_iface *i;
	int rc;

	(void)k;
	(void)obj;
	for (size_t j = 0; v->kind == NR_YMAP && j < v->n; j++) {
		rc = iface_by_key(s, v->pairs[j].key, &i);
		if (rc < 0)
			return rc;
		rc = nr_schema_walk(s, v->pairs[j].val, &iface_map, i);
		if (rc < 0)
			return rc;
	}
	return 0;
}

struct addr_item {
	struct nr_topo_addr a;
	bool nodad_set;
};

static int addr_local(struct nr_schema *s, const struct nr_schema_key *k, const struct nr_ynode *v,
		      void *obj)
{
	struct addr_item *it = obj;
	struct nr_ipp_err e;

	(void)k;
	if (nr_ipp_prefix(v->str, AF_UNSPEC, true, &it->a.local, &e) < 0)
		return nr_schema_fail_at(s, v, e.off, "%s", e.msg);
	return 0;
}

static int addr_peer(struct nr_schema *s, const struct nr_schema_key *k, const struct nr_ynode *v,
		     void *obj)
{
	struct addr_item *it = obj;

	(void)k;
	if (nr_addr_parse(v->str, AF_UNSPEC, &it->a.peer) < 0)
		return nr_schema_fail_at(s, v, 0, "peer: '%s' is not an IPv4 or IPv6 address", v->str);
	if (it->a.peer.family != it->a.local.addr.family)
		return nr_schema_fail_at(s, v, 0, "peer: %s is not of the address's family", v->str);
	return 0;
}

static const struct nr_schema_key addr_keys[] = {
	{.name = "addr", .type = NR_S_SCALAR, .required = true, .fn = addr_local},
	{.name = "peer", .type = NR_S_SCALAR, .fn = addr_peer},
	{.name = "nodad", .type = NR_S_BOOL, .off = offsetof(struct addr_item, a.nodad)},
	{0},
};
static const struct nr_schema_map addr_map = {"an address", addr_keys};

static int one_addr(struct nr_schema *s, const struct nr_ynode *v, struct nr_topo_iface *i)
{
	struct addr_item it = {0};
	struct nr_topo_addr *a;
	struct nr_ipp_err e;
	char buf[NR_PREFIX_STRLEN];
	int rc;

	if (v->kind == NR_YSCALAR) {
		if (nr_ipp_prefix(v->str, AF_UNSPEC, true, &it.a.local, &e) < 0)
			return nr_schema_fail_at(s, v, e.off, "%s", e.msg);
	} else if (v->kind == NR_YMAP) {
		rc = nr_schema_walk(s, v, &addr_map, &it);
		if (rc < 0)
			return rc;
		it.nodad_set = nr_ymap_get(v, "nodad") != NULL;
	} else {
		return nr_schema_fail_at(s, v, 0,
					 "an address: expected ADDR/LEN or {addr: ..., peer: ..., "
					 "nodad: ...}, got %s",
					 nr_ynode_kind_name(v));
	}
	if (it.a.local.addr.family == AF_INET) {
		if (it.nodad_set)
			return nr_schema_fail_at(s, nr_ymap_get(v, "nodad"), 0,
						 "nodad applies to IPv6 addresses only");
	} else if (!it.nodad_set) {
		it.a.nodad = true; /* usable at once: a lab has no duplicates to detect */
	}
	for (size_t j = 0; j < i->naddrs; j++)
		if (nr_addr_eq(&i->addrs[j].local.addr, &it.a.local.addr))
			return nr_schema_fail_at(s, v, 0, "address %s given twice (first at line %u)",
						 nr_addr_format(&it.a.local.addr, buf, sizeof(buf)),
						 i->addrs[j].pos.line);
	a = realloc(i->addrs, (i->naddrs + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	i->addrs = a;
	it.a.pos.line = v->line;
	it.a.pos.col = v->col;
	a[i->naddrs++] = it.a;
	return 0;
}

static int top_addresses(struct nr_schema *s, const struct nr_schema_key *k,
			 const struct nr_ynode *v, void *obj)
{
	struct nr_topo_iface *i;
	int rc;

	(void)k;
	(void)obj;
	for (size_t j = 0; v->kind == NR_YMAP && j < v->n; j++) {
		const struct nr_ynode *list = v->pairs[j].val;

		rc = iface_by_key(s, v->pairs[j].key, &i);
		if (rc < 0)
			return rc;
		rc = nr_schema_want(s, list, NR_YSEQ, "addresses");
		if (rc < 0)
			return rc;
		for (size_t a = 0; a < list->n; a++) {
			rc = one_addr(s, list->items[a], i);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* --- routes, rules, neighbours: per node, lists of iproute2 strings --- */

enum ipp_kind { IPP_ROUTE, IPP_RULE, IPP_NEIGH };

static int one_ipp(struct nr_schema *s, enum ipp_kind kind, const struct nr_ynode *v)
{
	static const char *const example[] = {"\"default via 198.51.100.1\"",
					      "\"from 198.51.100.0/24 lookup 100\"",
					      "\"198.51.100.9 lladdr 02:00:00:00:00:09 dev eth0\""};
	struct loader *l = L(s);
	struct nr_topo *t = l->t;
	struct nr_ipp_ctx ctx = {t->nodes[l->cur_node].name, node_has_dev, l};
	struct nr_topo_pos pos = {v->line, v->col};
	struct nr_ipp_err e = {0};
	int rc;

	if (v->kind != NR_YSCALAR || nr_schema_is_null(v))
		return nr_schema_fail_at(s, v, 0, "expected a string like %s, got %s", example[kind],
					 v->kind == NR_YSCALAR ? "nothing" : nr_ynode_kind_name(v));
	if (kind == IPP_ROUTE) {
		struct nr_topo_route *r;

		rc = grow(&t->routes, &l->cap_routes, t->nroutes, sizeof(*t->routes));
		if (rc < 0)
			return rc;
		r = &t->routes[t->nroutes];
		memset(r, 0, sizeof(*r));
		rc = nr_ipp_route(v->str, &ctx, r, &e);
		if (rc == 0) {
			r->node = l->cur_node;
			r->pos = pos;
			t->nroutes++;
		}
	} else if (kind == IPP_RULE) {
		struct nr_topo_rule *r;

		rc = grow(&t->rules, &l->cap_rules, t->nrules, sizeof(*t->rules));
		if (rc < 0)
			return rc;
		r = &t->rules[t->nrules];
		memset(r, 0, sizeof(*r));
		rc = nr_ipp_rule(v->str, &ctx, r, &e);
		if (rc == 0) {
			r->node = l->cur_node;
			r->pos = pos;
			t->nrules++;
		}
	} else {
		struct nr_topo_neigh *n;

		rc = grow(&t->neigh, &l->cap_neigh, t->nneigh, sizeof(*t->neigh));
		if (rc < 0)
			return rc;
		n = &t->neigh[t->nneigh];
		memset(n, 0, sizeof(*n));
		n->node = l->cur_node;
		n->pos = pos;
		rc = nr_ipp_neigh(v->str, &ctx, n, &e);
		if (rc == 0)
			t->nneigh++;
	}
	if (rc == -EINVAL)
		return nr_schema_fail_at(s, v, e.off, "%s", e.msg);
	return rc;
}

static int top_ipp(struct nr_schema *s, const struct nr_schema_key *k, const struct nr_ynode *v,
		   void *obj)
{
	enum ipp_kind kind = k->name[1] == 'o' ? IPP_ROUTE : k->name[1] == 'u' ? IPP_RULE : IPP_NEIGH;
	struct loader *l = L(s);
	int rc;

	(void)obj;
	for (size_t j = 0; v->kind == NR_YMAP && j < v->n; j++) {
		const struct nr_ynode *key = v->pairs[j].key, *list = v->pairs[j].val;

		l->cur_node = find_node(l, key->str);
		if (l->cur_node < 0) {
			if (strchr(key->str, ':'))
				return nr_schema_fail_at(s, key, 0,
							 "%s are listed per node ('h1:'), not per interface",
							 k->name);
			return unknown_node(s, key, 0, key->str);
		}
		rc = nr_schema_want(s, list, NR_YSEQ, k->name);
		if (rc < 0)
			return rc;
		for (size_t i = 0; i < list->n; i++) {
			rc = one_ipp(s, kind, list->items[i]);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* --- emulated hosts on TUN/TAP links --- */

/*
 * Each entry is checked by building it on a scratch nr_host, so the file
 * is refused for exactly what would fail when the lab starts (overlapping
 * addresses, a multicast or loopback address, too many entries) and the
 * message can point at the line.
 */
struct host_item {
	struct nr_topo_host *h;
	struct nr_host *scratch;
	const struct nr_ynode *answer, *options, *any; /* for later checks */
};

static int host_on(struct nr_schema *s, const struct nr_schema_key *k, const struct nr_ynode *v,
		   void *obj)
{
	struct host_item *it = obj;
	struct nr_topo_host *h = it->h;
	struct loader *l = L(s);
	struct nr_topo *t = l->t;
	struct iface_ent *e = NULL;
	int rc = parse_ifref(s, v, &h->on);

	(void)k;
	if (rc < 0)
		return rc;
	rc = existing_iface(s, v, ifname_off(v->str), &h->on, &e);
	if (rc < 0)
		return rc;
	for (h->link = 0; h->link < t->nlinks; h->link++) {
		const struct nr_topo_link *lk = &t->links[h->link];

		if (lk->ends[0].node == h->on.node && strcmp(lk->ends[0].ifname, h->on.ifname) == 0 &&
		    (lk->kind == NR_TOPO_TUN || lk->kind == NR_TOPO_TAP))
			break;
	}
	if (h->link == t->nlinks)
		return nr_schema_fail_at(s, v, 0,
					 "emulated hosts run on a tun or tap link; %s is not one",
					 v->str);
	if (t->links[h->link].pi || t->links[h->link].vnet_hdr)
		return nr_schema_fail_at(s, v, 0,
					 "emulated hosts need %s without pi and vnet_hdr (line %u)",
					 v->str, t->links[h->link].pos.line);
	return 0;
}

/* A whole prefix: the host bits are zero and it holds more than a pair. */
static bool prefix_is_range(const struct nr_prefix *p)
{
	unsigned bits = nr_addr_bits(p->addr.family);
	struct nr_addr m = p->addr;

	nr_addr_mask(&m, p->len);
	return (unsigned)p->len + 1 < bits && nr_addr_eq(&m, &p->addr);
}

static int host_addresses(struct nr_schema *s, const struct nr_schema_key *k,
			  const struct nr_ynode *v, void *obj)
{
	struct host_item *it = obj;
	struct nr_topo_host *h = it->h;
	struct nr_ipp_err e;
	char buf[NR_PREFIX_STRLEN];
	int rc;

	(void)k;
	if (v->n == 0)
		return nr_schema_fail_at(s, v, 0, "addresses: an empty list (give ADDR/LEN entries)");
	h->addrs = calloc(v->n, sizeof(*h->addrs));
	if (!h->addrs)
		return -ENOMEM;
	for (size_t i = 0; i < v->n; i++) {
		const struct nr_ynode *a = v->items[i];
		struct nr_topo_host_addr *ha = &h->addrs[i];

		if (a->kind != NR_YSCALAR)
			return nr_schema_fail_at(s, a, 0, "an emulated address: expected ADDR/LEN, got %s",
						 nr_ynode_kind_name(a));
		if (nr_ipp_prefix(a->str, AF_UNSPEC, true, &ha->p, &e) < 0)
			return nr_schema_fail_at(s, a, e.off, "%s", e.msg);
		ha->range = prefix_is_range(&ha->p);
		ha->pos.line = a->line;
		ha->pos.col = a->col;
		h->naddrs++;
		rc = ha->range ? nr_host_add_range(it->scratch, &ha->p)
			       : nr_host_add_addr(it->scratch, &ha->p);
		if (rc == -ENOMEM)
			return rc;
		if (rc == -EEXIST)
			return nr_schema_fail_at(s, a, 0, "%s overlaps an address listed before it",
						 nr_prefix_format(&ha->p, buf, sizeof(buf)));
		if (rc == -ENOSPC)
			return nr_schema_fail_at(s, a, 0, "a host takes at most %d addresses and "
						 "prefixes; use a wider prefix", NR_HOST_ADDR_MAX);
		if (rc < 0)
			return nr_schema_fail_at(s, a, 0,
						 "%s is not an address a host can have (unspecified, "
						 "multicast, loopback or broadcast)",
						 a->str);
	}
	return 0;
}

static int host_mac(struct nr_schema *s, const struct nr_schema_key *k, const struct nr_ynode *v,
		    void *obj)
{
	struct nr_topo_host *h = ((struct host_item *)obj)->h;
	struct nr_lladdr ll;

	(void)k;
	if (strcmp(v->str, "derived") == 0)
		return 0;
	if (nr_lladdr_parse(v->str, &ll) < 0 || ll.len != 6)
		return nr_schema_fail_at(s, v, 0,
					 "mac: '%s' is neither 'derived' nor a MAC address "
					 "(02:00:00:00:00:01)",
					 v->str);
	if (ll.bytes[0] & 1)
		return nr_schema_fail_at(s, v, 0, "mac: %s is a multicast address", v->str);
	h->fixed_mac = true;
	memcpy(h->mac, ll.bytes, 6);
	return 0;
}

static const char *const *responder_names(void)
{
	static const char *names[NR_TOPO_HOST_RESPONDERS + 1];

	if (!names[0]) {
		size_t n = nr_responder_builtin_count();

		for (size_t i = 0; i < n && i < NR_TOPO_HOST_RESPONDERS; i++)
			names[i] = nr_responder_builtin_at(i)->name;
	}
	return names;
}

static int host_answer(struct nr_schema *s, const struct nr_schema_key *k, const struct nr_ynode *v,
		       void *obj)
{
	struct host_item *it = obj;
	struct nr_topo_host *h = it->h;
	bool tun = L(s)->t->links[h->link].kind == NR_TOPO_TUN;
	char list[80];

	(void)k;
	it->answer = v;
	if (v->n == 0)
		return nr_schema_fail_at(s, v, 0, "answer: an empty list (%s)",
					 nr_schema_join(responder_names(), list, sizeof(list)));
	for (size_t i = 0; i < v->n; i++) {
		const struct nr_ynode *n = v->items[i];
		struct nr_topo_responder *r = &h->resp[h->nresp];
		const char *hint;

		if (n->kind != NR_YSCALAR)
			return nr_schema_want(s, n, NR_YSCALAR, "a responder");
		if (!nr_responder_lookup(n->str)) {
			hint = nr_schema_suggest(n->str, responder_names());
			if (hint)
				return nr_schema_fail_at(s, n, 0,
							 "unknown responder '%s' (did you mean '%s'?)",
							 n->str, hint);
			return nr_schema_fail_at(s, n, 0, "unknown responder '%s' (expected %s)",
						 n->str,
						 nr_schema_join(responder_names(), list, sizeof(list)));
		}
		for (size_t j = 0; j < h->nresp; j++)
			if (strcmp(h->resp[j].name, n->str) == 0)
				return nr_schema_fail_at(s, n, 0, "responder '%s' listed twice", n->str);
		if (tun && (strcmp(n->str, "arp") == 0 || strcmp(n->str, "ndp") == 0))
			return nr_schema_fail_at(s, n, 0,
						 "'%s' needs Ethernet: a tun link carries bare IP "
						 "(use a tap)",
						 n->str);
		if (h->nresp == NR_TOPO_HOST_RESPONDERS)
			return nr_schema_fail_at(s, n, 0, "at most %d responders per host",
						 NR_TOPO_HOST_RESPONDERS);
		memcpy(r->name, n->str, n->len + 1);
		r->pos.line = n->line;
		r->pos.col = n->col;
		h->nresp++;
	}
	return 0;
}

static int host_options(struct nr_schema *s, const struct nr_schema_key *k,
			const struct nr_ynode *v, void *obj)
{
	(void)s;
	(void)k;
	((struct host_item *)obj)->options = v;
	return 0; /* checked once answer is known (host_finish) */
}

/* router, any: the walk's object is the host_item, not the host. */
static int host_flag(struct nr_schema *s, const struct nr_schema_key *k, const struct nr_ynode *v,
		     void *obj)
{
	struct nr_topo_host *h = ((struct host_item *)obj)->h;

	return nr_schema_bool(s, v, k->name, strcmp(k->name, "any") == 0 ? &h->any : &h->router);
}

static const struct nr_schema_key host_keys[] = {
	{.name = "on", .type = NR_S_SCALAR, .required = true, .fn = host_on},
	{.name = "addresses", .type = NR_S_SEQ, .fn = host_addresses},
	{.name = "mac", .type = NR_S_SCALAR, .fn = host_mac},
	{.name = "answer", .type = NR_S_SEQ, .fn = host_answer},
	{.name = "options", .type = NR_S_MAP, .fn = host_options},
	{.name = "router", .type = NR_S_ANY, .fn = host_flag},
	{.name = "any", .type = NR_S_ANY, .fn = host_flag},
	{0},
};
static const struct nr_schema_map host_map = {"a host", host_keys};

/*
 * One "key=value" of responder r at byte off of scalar at: set on a
 * scratch instance, so a name or a value it does not take is refused
 * here with the responder's own help.
 */
static int check_option(struct nr_schema *s, struct nr_responder *r, const char *key,
			const char *value, const struct nr_ynode *at, size_t off)
{
	const struct nr_resp_option *o = r->ops->options;
	const char *names[24], *hint;
	char list[160];
	size_t n = 0;
	int rc = nr_responder_set_option(r, key, value);

	if (rc == 0)
		return 0;
	if (rc == -EINVAL) {
		for (; o && o->name && strcmp(o->name, key) != 0; o++)
			;
		return nr_schema_fail_at(s, at, off, "%s: bad value '%s' for '%s' (%s)", r->ops->name,
					 value, key, o && o->name ? o->help : "see netrig respond");
	}
	for (o = r->ops->options; o && o->name && n + 1 < 24; o++)
		names[n++] = o->name;
	names[n] = NULL;
	hint = nr_schema_suggest(key, names);
	if (hint)
		return nr_schema_fail_at(s, at, off, "%s has no option '%s' (did you mean '%s'?)",
					 r->ops->name, key, hint);
	return nr_schema_fail_at(s, at, off, "%s has no option '%s' (expected %s)", r->ops->name,
				 key, nr_schema_join(names, list, sizeof(list)));
}

static int append_option(struct nr_schema *s, struct nr_topo_responder *tr, const char *key,
			 const char *value, const struct nr_ynode *at)
{
	size_t used = strlen(tr->options);
	int w = snprintf(tr->options + used, sizeof(tr->options) - used, "%s%s=%s",
			 used ? "," : "", key, value);

	if (w < 0 || (size_t)w >= sizeof(tr->options) - used)
		return nr_schema_fail_at(s, at, 0, "%s: options longer than %zu characters", tr->name,
					 sizeof(tr->options) - 1);
	return 0;
}

/* options: { echo: "broadcast=1,ttl=32" } or { echo: { broadcast: 1, ttl: 32 } } */
static int responder_options(struct nr_schema *s, struct nr_topo_responder *tr,
			     const struct nr_ynode *v)
{
	struct nr_responder *r = NULL;
	char key[64];
	int rc = nr_responder_new_by_name(tr->name, &r);

	if (rc < 0)
		return rc;
	if (v->kind == NR_YMAP) {
		for (size_t i = 0; i < v->n && rc == 0; i++) {
			const struct nr_ynode *kn = v->pairs[i].key, *vn = v->pairs[i].val;

			if (vn->kind != NR_YSCALAR || nr_schema_is_null(vn))
				rc = nr_schema_fail_at(s, vn, 0, "%s: option %s: expected a value",
						       tr->name, kn->str);
			if (rc == 0)
				rc = check_option(s, r, kn->str, vn->str, kn, 0);
			if (rc == 0)
				rc = append_option(s, tr, kn->str, vn->str, kn);
		}
	} else if (v->kind == NR_YSCALAR && !nr_schema_is_null(v)) {
		/* Walk "k=v,k=v" keeping offsets, for the caret. */
		for (size_t off = 0; off <= v->len && rc == 0;) {
			size_t len = strcspn(v->str + off, ","), kl;
			const char *item = v->str + off, *eq = memchr(item, '=', len);
			char value[128];

			kl = eq ? (size_t)(eq - item) : len;
			if (!eq || kl == 0 || kl >= sizeof(key) || len - kl - 1 >= sizeof(value)) {
				rc = nr_schema_fail_at(s, v, off,
						       "%s: expected KEY=VALUE[,KEY=VALUE...], got '%.*s'",
						       tr->name, (int)len, item);
				break;
			}
			memcpy(key, item, kl);
			key[kl] = '\0';
			memcpy(value, eq + 1, len - kl - 1);
			value[len - kl - 1] = '\0';
			rc = check_option(s, r, key, value, v, off);
			if (rc == 0)
				rc = append_option(s, tr, key, value, v);
			off += len + 1;
		}
	} else {
		rc = nr_schema_fail_at(s, v, 0,
				       "%s: expected \"KEY=VALUE,...\" or a mapping of options, got %s",
				       tr->name, nr_schema_is_null(v) ? "nothing" : nr_ynode_kind_name(v));
	}
	nr_responder_free(r);
	return rc;
}

/* Do two entries share an address? A single one covers itself only. */
static bool entries_overlap(const struct nr_topo_host_addr *a, const struct nr_topo_host_addr *b)
{
	struct nr_prefix wide;

	if (a->p.addr.family != b->p.addr.family)
		return false;
	if (!a->range && !b->range)
		return nr_addr_eq(&a->p.addr, &b->p.addr);
	if (!a->range || (b->range && b->p.len < a->p.len)) {
		const struct nr_topo_host_addr *x = a;

		a = b;
		b = x;
	}
	/* a is a range, no longer than b when b is one too. */
	wide = a->p;
	return nr_prefix_contains(&wide, &b->p.addr);
}

/* What depends on several keys: defaults, options, exclusions, overlaps. */
static int host_finish(struct nr_schema *s, const struct nr_ynode *v, struct host_item *it)
{
	static const char *const eth_default[] = {"arp", "ndp", "echo", "echo6"};
	struct loader *l = L(s);
	struct nr_topo *t = l->t;
	struct nr_topo_host *h = it->h;
	const struct nr_topo_link *lk = &t->links[h->link];
	struct iface_ent *e = find_iface(l, h->on.node, h->on.ifname);
	const struct nr_topo_iface *ifc = &t->ifaces[e->idx];
	char buf[NR_PREFIX_STRLEN];
	int rc;

	if (h->naddrs == 0 && !h->any)
		return nr_schema_fail_at(s, v, 0, "a host needs 'addresses' (or 'any: true')");
	if (!it->answer) {
		bool tun = lk->kind == NR_TOPO_TUN;

		for (size_t i = tun ? 2 : 0; i < 4; i++) {
			snprintf(h->resp[h->nresp].name, sizeof(h->resp[0].name), "%s", eth_default[i]);
			h->resp[h->nresp].pos = h->pos;
			h->nresp++;
		}
	}
	for (size_t i = 0; it->options && it->options->kind == NR_YMAP && i < it->options->n; i++) {
		const struct nr_ynode *kn = it->options->pairs[i].key;
		struct nr_topo_responder *tr = NULL;

		for (size_t j = 0; j < h->nresp; j++)
			if (strcmp(h->resp[j].name, kn->str) == 0)
				tr = &h->resp[j];
		if (!tr)
			return nr_schema_fail_at(s, kn, 0,
						 "options for '%s', which this host does not answer "
						 "(add it to 'answer')",
						 kn->str);
		rc = responder_options(s, tr, it->options->pairs[i].val);
		if (rc < 0)
			return rc;
	}
	if (h->any) {
		for (size_t j = 0; j < t->nhosts; j++)
			if (t->hosts[j].link == h->link)
				return nr_schema_fail_at(s, it->any, 0,
							 "a host with 'any: true' answers for every "
							 "address: it must be alone on %s (another host "
							 "at line %u)",
							 nr_ymap_get(v, "on")->str, t->hosts[j].pos.line);
		for (size_t j = 0; j < h->nresp; j++) {
			struct nr_topo_responder *tr = &h->resp[j];

			if (strcmp(tr->name, "echo") == 0 || strcmp(tr->name, "echo6") == 0) {
				rc = append_option(s, tr, "any", "1", it->any);
				if (rc < 0)
					return rc;
			}
		}
	}
	/* The kernel's own addresses on the link: an error for a single
	 * address, a hole in a range. */
	for (size_t i = 0; i < ifc->naddrs; i++) {
		const struct nr_addr *ka = &ifc->addrs[i].local.addr;

		for (size_t j = 0; j < h->naddrs; j++) {
			const struct nr_topo_host_addr *ha = &h->addrs[j];
			struct nr_addr *x;

			if (!ha->range && nr_addr_eq(&ha->p.addr, ka))
				return nr_schema_fail_at(s, nr_ymap_get(v, "addresses")->items[j], 0,
							 "%s is the kernel's own address on %s (line "
							 "%u): an emulated host cannot have it",
							 nr_addr_format(ka, buf, sizeof(buf)),
							 nr_ymap_get(v, "on")->str, ifc->addrs[i].pos.line);
			if (!ha->range || !nr_prefix_contains(&ha->p, ka))
				continue;
			rc = nr_host_exclude(it->scratch, ka);
			if (rc == -EEXIST)
				continue;
			if (rc < 0)
				return rc == -ENOMEM ? rc
						     : nr_schema_fail_at(s, v, 0,
									 "too many kernel addresses "
									 "inside this host's prefixes");
			x = realloc(h->exclude, (h->nexclude + 1) * sizeof(*x));
			if (!x)
				return -ENOMEM;
			h->exclude = x;
			x[h->nexclude++] = *ka;
		}
	}
	/* Hosts sharing a link see every frame: no address may be two hosts'. */
	for (size_t j = 0; j < t->nhosts; j++) {
		const struct nr_topo_host *o = &t->hosts[j];

		if (o->link != h->link)
			continue;
		if (o->any)
			return nr_schema_fail_at(s, v, 0,
						 "the host at line %u has 'any: true': it must be alone "
						 "on %s",
						 o->pos.line, nr_ymap_get(v, "on")->str);
		for (size_t a = 0; a < h->naddrs; a++)
			for (size_t b = 0; b < o->naddrs; b++)
				if (entries_overlap(&h->addrs[a], &o->addrs[b]))
					return nr_schema_fail_at(
					    s, nr_ymap_get(v, "addresses")->items[a], 0,
					    "%s overlaps the host at line %u on the same link",
					    nr_prefix_format(&h->addrs[a].p, buf, sizeof(buf)),
					    o->addrs[b].pos.line);
	}
	return 0;
}

static int one_host(struct nr_schema *s, const struct nr_ynode *v, struct nr_topo_host *h)
{
	struct loader *l = L(s);
	struct nr_host_config cfg;
	struct host_item it = {.h = h};
	const struct nr_ynode *on;
	int rc;

	if (v->kind != NR_YMAP)
		return nr_schema_fail_at(s, v, 0, "a host: expected a mapping, got %s",
					 nr_ynode_kind_name(v));
	h->pos.line = v->line;
	h->pos.col = v->col;
	it.any = nr_ymap_get(v, "any");
	/* The link's layer decides what the scratch host is: read 'on' first. */
	on = nr_ymap_get(v, "on");
	nr_host_config_default(&cfg);
	if (on && on->kind == NR_YSCALAR) {
		struct nr_topo_ifref ref;

		if (parse_ifref(s, on, &ref) == 0) {
			for (size_t i = 0; i < l->t->nlinks; i++)
				if (l->t->links[i].kind == NR_TOPO_TUN &&
				    l->t->links[i].ends[0].node == ref.node &&
				    strcmp(l->t->links[i].ends[0].ifname, ref.ifname) == 0)
					cfg.link = NR_HOST_LINK_IP;
		}
	}
	rc = nr_host_new(&cfg, &it.scratch);
	if (rc < 0)
		return rc;
	rc = nr_schema_walk(s, v, &host_map, &it);
	if (rc == 0)
		rc = host_finish(s, v, &it);
	nr_host_free(it.scratch);
	return rc;
}

static int top_hosts(struct nr_schema *s, const struct nr_schema_key *k, const struct nr_ynode *v,
		     void *obj)
{
	struct nr_topo *t = obj;
	struct nr_topo_host *h;
	int rc;

	(void)k;
	if (v->n == 0)
		return 0;
	/* Allocated once: host_finish compares with the hosts before. */
	t->hosts = calloc(v->n, sizeof(*t->hosts));
	if (!t->hosts)
		return -ENOMEM;
	for (size_t i = 0; i < v->n; i++) {
		h = &t->hosts[t->nhosts];
		rc = one_host(s, v->items[i], h);
		if (rc < 0) {
			/* Counted, so nr_topo_free frees what it holds. */
			t->nhosts++;
			return rc;
		}
		t->nhosts++;
	}
	return 0;
}

/* --- top level --- */

static int top_name(struct nr_schema *s, const struct nr_schema_key *k, const struct nr_ynode *v,
		    void *obj)
{
	(void)k;
	(void)obj;
	return valid_node_name(v->str) ? 0 : name_error(s, v, "topology");
}

#define RESERVED(n)                                                                                \
	{                                                                                          \
		.name = n, .type = NR_S_RESERVED,                                                  \
		.help = "is reserved for the scenario runner and not supported yet"                \
	}

static const struct nr_schema_key top_keys[] = {
	{.name = "name", .type = NR_S_SCALAR, .required = true, .fn = top_name},
	{.name = "description", .type = NR_S_SCALAR},
	{.name = "nodes", .type = NR_S_MAP, .required = true, .fn = top_nodes},
	{.name = "links", .type = NR_S_SEQ, .fn = top_links},
	{.name = "interfaces", .type = NR_S_MAP, .fn = top_interfaces},
	{.name = "addresses", .type = NR_S_MAP, .fn = top_addresses},
	{.name = "routes", .type = NR_S_MAP, .fn = top_ipp},
	{.name = "rules", .type = NR_S_MAP, .fn = top_ipp},
	{.name = "neighbours", .type = NR_S_MAP, .fn = top_ipp},
	{.name = "hosts", .type = NR_S_SEQ, .fn = top_hosts},
	RESERVED("steps"),
	RESERVED("assert"),
	{.name = "responders",
	 .type = NR_S_RESERVED,
	 .help = "is not a top-level key: responders belong to an emulated host (hosts: - on: "
		 "NODE:IF, answer: [...], options: {...})"},
	{0},
};
static const struct nr_schema_map top_map = {"the top level", top_keys};

void nr_topo_free(struct nr_topo *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nnodes; i++)
		free(t->nodes[i].sysctls);
	for (size_t i = 0; i < t->nlinks; i++)
		free(t->links[i].ports);
	for (size_t i = 0; i < t->nifaces; i++)
		free(t->ifaces[i].addrs);
	for (size_t i = 0; i < t->nroutes; i++)
		free(t->routes[i].nh);
	for (size_t i = 0; i < t->nhosts; i++) {
		free(t->hosts[i].addrs);
		free(t->hosts[i].exclude);
	}
	free(t->hosts);
	free(t->nodes);
	free(t->links);
	free(t->ifaces);
	free(t->routes);
	free(t->rules);
	free(t->neigh);
	free(t->path);
	free(t);
}

static void loader_done(struct loader *l)
{
	struct iface_ent *e, *tmp;
	struct node_ent *n, *ntmp;

	HASH_ITER(hh, l->ifmap, e, tmp) {
		HASH_DEL(l->ifmap, e);
		free(e);
	}
	HASH_ITER(hh, l->nodemap, n, ntmp) {
		HASH_DEL(l->nodemap, n);
		free(n);
	}
	free(l->pend);
}

static int topo_fail(struct nr_topo_error *err, const char *name, const char *text, size_t len,
		     unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static int topo_fail(struct nr_topo_error *err, const char *name, const char *text, size_t len,
		     unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nr_topo_error_vset(err, name, text, len, line, col, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int nr_topo_load_text(const char *name, const char *text, size_t len, struct nr_topo **ret,
		      struct nr_topo_error *err)
{
	struct loader l = {0};
	struct nr_ynode *root = NULL;
	struct nr_yerr yerr = {0};
	struct nr_topo *t = NULL;
	int rc;

	if (!name)
		name = "<input>";
	if (len > TOPO_MAX_BYTES) {
		topo_fail(err, name, NULL, 0, 0, 0, "file is larger than %u MiB; refusing it",
			  TOPO_MAX_BYTES >> 20);
		return -EFBIG;
	}
	rc = nr_ydoc_parse(text, len, &root, &yerr);
	if (rc == -EINVAL)
		return topo_fail(err, name, text, len, yerr.line, yerr.col, "%s", yerr.msg);
	if (rc < 0)
		return rc;
	if (!root) {
		rc = topo_fail(err, name, text, len, 1, 1,
			       "empty file: a topology needs at least 'name' and 'nodes'");
		goto out;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		rc = -ENOMEM;
		goto out;
	}
	l.t = t;
	l.s = (struct nr_schema){.file = name, .text = text, .len = len, .err = err, .user = &l};
	rc = nr_schema_walk(&l.s, root, &top_map, t);
	if (rc < 0)
		goto out;
	{
		const struct nr_ynode *nv = nr_ymap_get(root, "name");

		memcpy(t->name, nv->str, nv->len + 1);
	}
	t->path = strdup(name);
	if (!t->path) {
		rc = -ENOMEM;
		goto out;
	}
	*ret = t;
	t = NULL;
	rc = 0;
out:
	loader_done(&l);
	nr_topo_free(t);
	nr_ynode_free(root);
	return rc;
}

int nr_topo_load_file(const char *path, struct nr_topo **ret, struct nr_topo_error *err)
{
	bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	size_t cap = 65536, len = 0;
	char *buf = NULL, *p;
	int rc;

	if (!f) {
		rc = -errno;
		topo_fail(err, name, NULL, 0, 0, 0, "%s", strerror(-rc));
		return rc;
	}
	for (;;) {
		size_t n;

		if (len == cap || !buf) {
			if (buf)
				cap *= 2;
			p = realloc(buf, cap + 1);
			if (!p) {
				rc = -ENOMEM;
				goto out;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (len > TOPO_MAX_BYTES) {
			topo_fail(err, name, NULL, 0, 0, 0, "file is larger than %u MiB; refusing it",
				  TOPO_MAX_BYTES >> 20);
			rc = -EFBIG;
			goto out;
		}
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		rc = -EIO;
		topo_fail(err, name, NULL, 0, 0, 0, "read error");
		goto out;
	}
	rc = nr_topo_load_text(name, buf, len, ret, err);
out:
	if (!is_stdin)
		fclose(f);
	free(buf);
	return rc;
}

int nr_topo_node_index(const struct nr_topo *t, const char *name)
{
	for (size_t i = 0; i < t->nnodes; i++)
		if (strcmp(t->nodes[i].name, name) == 0)
			return (int)i;
	return -1;
}
