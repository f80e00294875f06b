/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The responder registry (built-ins by name), instances, options and the
 * drop reason names. The responders themselves live in stack/responders/.
 */
#include "netrig/responder.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct nr_responder_ops *const builtins[] = {
	&nr_resp_arp_ops,
	&nr_resp_ndp_ops,
	&nr_resp_echo_ops,
	&nr_resp_echo6_ops,
};

static const char *const drop_names[NR_RESP_DROP_COUNT] = {
	[NR_RESP_DROP_NOT_MINE] = "not mine",
	[NR_RESP_DROP_NOT_REQUEST] = "not a request",
	[NR_RESP_DROP_UNSUPPORTED] = "unsupported",
	[NR_RESP_DROP_GRATUITOUS] = "gratuitous",
	[NR_RESP_DROP_PROBE] = "probe",
	[NR_RESP_DROP_BAD_SOURCE] = "bad source",
	[NR_RESP_DROP_BAD_DEST] = "bad destination",
	[NR_RESP_DROP_BROADCAST] = "broadcast",
	[NR_RESP_DROP_FRAGMENT] = "fragment",
	[NR_RESP_DROP_IP_OPTIONS] = "ip options",
	[NR_RESP_DROP_TOO_BIG] = "too big",
	[NR_RESP_DROP_NO_ADDRESS] = "no address",
	[NR_RESP_DROP_NOT_ROUTER] = "not a router",
	[NR_RESP_DROP_L2_BROADCAST] = "link-layer broadcast",
	[NR_RESP_DROP_RATE_LIMIT] = "rate limited",
};

const char *nr_resp_drop_str(enum nr_resp_drop d)
{
	if ((unsigned)d >= NR_RESP_DROP_COUNT)
		return "unknown";
	return drop_names[d];
}

const struct nr_responder_ops *nr_responder_lookup(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(builtins[i]->name, name) == 0)
			return builtins[i];
	return NULL;
}

size_t nr_responder_builtin_count(void)
{
	return sizeof(builtins) / sizeof(builtins[0]);
}

const struct nr_responder_ops *nr_responder_builtin_at(size_t i)
{
	return i < nr_responder_builtin_count() ? builtins[i] : NULL;
}

struct nr_responder *nr_responder_new(const struct nr_responder_ops *ops)
{
	struct nr_responder *r;

	if (!ops || !ops->input)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->ops = ops;
	r->priv = calloc(1, ops->priv_size ? ops->priv_size : 1);
	if (!r->priv) {
		free(r);
		return NULL;
	}
	if (ops->init)
		ops->init(r->priv);
	return r;
}

int nr_responder_new_by_name(const char *name, struct nr_responder **ret)
{
	const struct nr_responder_ops *ops = nr_responder_lookup(name);
	struct nr_responder *r;

	if (!ret)
		return -EINVAL;
	if (!ops)
		return -ENOENT;
	r = nr_responder_new(ops);
	if (!r)
		return -ENOMEM;
	*ret = r;
	return 0;
}

void nr_responder_free(struct nr_responder *r)
{
	if (!r)
		return;
	free(r->priv);
	free(r);
}

int nr_responder_set_option(struct nr_responder *r, const char *key, const char *value)
{
	if (!r || !key || !value)
		return -EINVAL;
	if (!r->ops->set_option)
		return -ENOENT;
	return r->ops->set_option(r->priv, key, value);
}

int nr_responder_set_options(struct nr_responder *r, const char *list)
{
	const char *p = list;

	if (!r || !list)
		return -EINVAL;
	while (*p) {
		char key[32], value[64];
		const char *end = strchr(p, ','), *eq;
		size_t n = end ? (size_t)(end - p) : strlen(p);
		int err;

		eq = memchr(p, '=', n);
		if (!eq || eq == p || (size_t)(eq - p) >= sizeof(key) ||
		    n - (size_t)(eq - p) - 1 >= sizeof(value))
			return -EINVAL;
		memcpy(key, p, (size_t)(eq - p));
		key[eq - p] = '\0';
		memcpy(value, eq + 1, n - (size_t)(eq - p) - 1);
		value[n - (size_t)(eq - p) - 1] = '\0';
		err = nr_responder_set_option(r, key, value);
		if (err < 0)
			return err;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

const char *nr_responder_name(const struct nr_responder *r)
{
	return r ? r->ops->name : NULL;
}

const struct nr_resp_stats *nr_responder_stats(const struct nr_responder *r)
{
	return r ? &r->stats : NULL;
}

int nr_resp_parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = {"1", "yes", "on", "true"};
	static const char *const no[] = {"0", "no", "off", "false"};

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

int nr_resp_parse_uint(const char *s, unsigned long max, unsigned long *ret)
{
	unsigned long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return -EINVAL;
	}
	*ret = v;
	return 0;
}
