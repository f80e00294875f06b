/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The neighbour cache (RFC 4861 7.3 states, Linux neighbour.c extras).
 *
 * Entries live in one array sorted by (ifindex, family, address): lookups
 * are binary searches and `ip neigh`-style listings come out in a stable
 * order. Every state change goes through neigh_fsm[], one row per
 * (state set, event): the event is classified first (an advertisement
 * with a different address and no override is a different event from one
 * with the same address), so the table alone says what happens.
 */
#include "netrig/neigh.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct nr_neigh_cache {
	struct nr_neigh_entry *e; /* sorted, count used, cap allocated */
	size_t count;
	size_t cap;
	size_t max;
	struct nr_neigh_params p;
	uint64_t reachable_ns;
	uint64_t rng;
	/* Solicitation token bucket: tokens left, time of the last refill. */
	uint32_t tokens;
	uint64_t refill_ns;
	bool refill_started;
};

/* ------------------------------------------------------------------ */
/* Events, actions and the transition table                           */

enum neigh_event {
	EV_SEND,        /* a packet to send (lookup-for-send) */
	EV_SEND_HELD,   /* same, on a FAILED entry inside its negative-cache time */
	EV_NA_NOLL_S,   /* advertisement without lladdr, solicited */
	EV_NA_NOLL_U,   /*  ... unsolicited */
	EV_NA_SAME_S,   /* lladdr equal to the cached one, solicited */
	EV_NA_SAME_U,
	EV_NA_DIFF_O_S, /* lladdr different (or none cached), override set */
	EV_NA_DIFF_O_U,
	EV_NA_DIFF_S,   /* lladdr different, override clear */
	EV_NA_DIFF_U,
	EV_NS_SAME,     /* solicitation, source lladdr equal to the cached one */
	EV_NS_DIFF,     /* different, or none cached */
	EV_CONFIRM,     /* upper-layer reachability confirmation */
	EV_TIMER,       /* deadline of REACHABLE or DELAY */
	EV_TIMER_RETRY, /* deadline of INCOMPLETE/PROBE, solicitations left */
	EV_TIMER_LAST,  /* deadline of INCOMPLETE/PROBE, none left */
};

enum neigh_act {
	A_NONE,
	A_USE,          /* hand the cached lladdr to the sender */
	A_QUEUE,        /* queue the packet (the oldest goes when full) */
	A_QUEUE_SOLICIT, /* queue it and send the first multicast solicitation */
	A_UNREACH,      /* refuse: negative cache */
	A_ROUTER,       /* update IsRouter from the advertisement */
	A_RECORD,       /* record the lladdr (+ IsRouter for advertisements) */
	A_RECORD_FLUSH, /* record, then release the waiting packets */
	A_SOLICIT,      /* retransmit the multicast solicitation */
	A_PROBE,        /* send a unicast probe */
	A_FAIL,         /* drop the waiting packets */
};

#define NOCHANGE NR_NEIGH_STATE_COUNT
#define S(x) (1u << NR_NEIGH_##x)
#define S_VALID (S(REACHABLE) | S(STALE) | S(DELAY) | S(PROBE))
#define S_UNRES (S(INCOMPLETE) | S(FAILED))
#define S_STATIC (S(NOARP) | S(PERMANENT))

struct neigh_transition {
	unsigned states; /* S() mask the row applies to */
	enum neigh_event event;
	enum neigh_act act;
	unsigned new_state; /* NOCHANGE: stay */
};

static const struct neigh_transition neigh_fsm[] = {
	/* Sending (RFC 4861 7.2.2, 7.3.3). */
	{S(NONE), EV_SEND, A_QUEUE_SOLICIT, NR_NEIGH_INCOMPLETE},
	{S(FAILED), EV_SEND, A_QUEUE_SOLICIT, NR_NEIGH_INCOMPLETE},
	{S(FAILED), EV_SEND_HELD, A_UNREACH, NOCHANGE},
	{S(INCOMPLETE), EV_SEND, A_QUEUE, NOCHANGE},
	{S(REACHABLE) | S(DELAY) | S(PROBE) | S_STATIC, EV_SEND, A_USE, NOCHANGE},
	{S(STALE), EV_SEND, A_USE, NR_NEIGH_DELAY},

	/* Advertisement on an unresolved entry (7.2.5 first part): needs an lladdr. */
	{S_UNRES, EV_NA_NOLL_S, A_NONE, NOCHANGE},
	{S_UNRES, EV_NA_NOLL_U, A_NONE, NOCHANGE},
	{S_UNRES, EV_NA_DIFF_O_S, A_RECORD_FLUSH, NR_NEIGH_REACHABLE},
	{S_UNRES, EV_NA_DIFF_S, A_RECORD_FLUSH, NR_NEIGH_REACHABLE},
	{S_UNRES, EV_NA_DIFF_O_U, A_RECORD_FLUSH, NR_NEIGH_STALE},
	{S_UNRES, EV_NA_DIFF_U, A_RECORD_FLUSH, NR_NEIGH_STALE},
	/*
	 * Advertisement on a resolved entry (7.2.5 second part). The text, as
	 * the kernel, makes a solicited advertisement without an lladdr
	 * confirm reachability (appendix C's table says "unchanged").
	 */
	{S_VALID, EV_NA_NOLL_S, A_ROUTER, NR_NEIGH_REACHABLE},
	{S_VALID, EV_NA_NOLL_U, A_ROUTER, NOCHANGE},
	{S_VALID, EV_NA_SAME_S, A_ROUTER, NR_NEIGH_REACHABLE},
	{S_VALID, EV_NA_SAME_U, A_ROUTER, NOCHANGE},
	{S_VALID, EV_NA_DIFF_O_S, A_RECORD, NR_NEIGH_REACHABLE},
	{S_VALID, EV_NA_DIFF_O_U, A_RECORD, NR_NEIGH_STALE},
	{S(REACHABLE), EV_NA_DIFF_S, A_NONE, NR_NEIGH_STALE},
	{S(REACHABLE), EV_NA_DIFF_U, A_NONE, NR_NEIGH_STALE},
	{S(STALE) | S(DELAY) | S(PROBE), EV_NA_DIFF_S, A_NONE, NOCHANGE},
	{S(STALE) | S(DELAY) | S(PROBE), EV_NA_DIFF_U, A_NONE, NOCHANGE},

	/* Solicitation with a source lladdr (7.2.3). */
	{S(NONE), EV_NS_DIFF, A_RECORD, NR_NEIGH_STALE},
	{S_UNRES, EV_NS_DIFF, A_RECORD_FLUSH, NR_NEIGH_STALE},
	{S_VALID, EV_NS_DIFF, A_RECORD, NR_NEIGH_STALE},
	{S_VALID, EV_NS_SAME, A_NONE, NOCHANGE},

	/* Upper-layer confirmation (7.3.1). */
	{S_VALID, EV_CONFIRM, A_NONE, NR_NEIGH_REACHABLE},

	/* Timers (7.3.3). */
	{S(INCOMPLETE), EV_TIMER_RETRY, A_SOLICIT, NOCHANGE},
	{S(INCOMPLETE), EV_TIMER_LAST, A_FAIL, NR_NEIGH_FAILED},
	{S(REACHABLE), EV_TIMER, A_NONE, NR_NEIGH_STALE},
	{S(DELAY), EV_TIMER, A_PROBE, NR_NEIGH_PROBE},
	{S(PROBE), EV_TIMER_RETRY, A_PROBE, NOCHANGE},
	{S(PROBE), EV_TIMER_LAST, A_FAIL, NR_NEIGH_FAILED},
	/* NOARP and PERMANENT: no row, nothing received changes them. */
};

/* What one event brings with it, and what running it produced. */
struct neigh_ctx {
	uint64_t now;
	uint64_t handle;
	const struct nr_lladdr *lladdr; /* from the packet, NULL if none */
	bool is_advert;                 /* update IsRouter from router */
	bool router;
	struct nr_lladdr *ret_lladdr;   /* A_USE */
	struct nr_neigh_action *act;    /* the one action out, kind NONE if none */
};

/* ------------------------------------------------------------------ */
/* Parameters, randomness, rate limit                                 */

void nr_neigh_params_default(struct nr_neigh_params *p)
{
	memset(p, 0, sizeof(*p));
	p->base_reachable_ns = 30000 * NR_NS_PER_MS;
	p->retrans_ns = 1000 * NR_NS_PER_MS;
	p->delay_first_probe_ns = 5000 * NR_NS_PER_MS;
	p->failed_hold_ns = 1000 * NR_NS_PER_MS;
	p->solicit_interval_ns = 10 * NR_NS_PER_MS;
	p->solicit_burst = 32;
	p->mcast_probes = 3;
	p->ucast_probes = 3;
	p->queue_len = 3;
}

static uint64_t neigh_rand(struct nr_neigh_cache *c)
{
	/* xorshift64*: deterministic for a seed, good enough for jitter. */
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * 0x2545f4914f6cdd1dull;
}

static void neigh_draw_reachable(struct nr_neigh_cache *c)
{
	uint64_t base = c->p.base_reachable_ns;

	/* neigh_rand_reach_time: base/2 + uniform [0, base). */
	c->reachable_ns = base / 2 + neigh_rand(c) % base;
}

void nr_neigh_seed(struct nr_neigh_cache *c, uint64_t seed)
{
	c->rng = seed ? seed : 1; /* xorshift stays at 0 forever */
	neigh_draw_reachable(c);
}

uint64_t nr_neigh_reachable_time(const struct nr_neigh_cache *c)
{
	return c->reachable_ns;
}

int nr_neigh_set_params(struct nr_neigh_cache *c, const struct nr_neigh_params *p)
{
	if (!p->base_reachable_ns || !p->retrans_ns || !p->delay_first_probe_ns ||
	    !p->solicit_burst || !p->mcast_probes || !p->ucast_probes || !p->queue_len ||
	    p->queue_len > NR_NEIGH_QUEUE_MAX)
		return -EINVAL;
	c->p = *p;
	c->tokens = p->solicit_burst;
	c->refill_started = false;
	neigh_draw_reachable(c);
	return 0;
}

void nr_neigh_get_params(const struct nr_neigh_cache *c, struct nr_neigh_params *ret)
{
	*ret = c->p;
}

static void neigh_refill(struct nr_neigh_cache *c, uint64_t now)
{
	uint64_t n;

	if (!c->refill_started || c->p.solicit_interval_ns == 0) {
		c->refill_started = true;
		c->refill_ns = now;
		if (c->p.solicit_interval_ns == 0)
			c->tokens = c->p.solicit_burst;
		return;
	}
	if (now <= c->refill_ns)
		return; /* time never runs backwards here; ignore if it seems to */
	n = (now - c->refill_ns) / c->p.solicit_interval_ns;
	if (n == 0)
		return;
	if (n >= c->p.solicit_burst - c->tokens) {
		c->tokens = c->p.solicit_burst;
		c->refill_ns = now;
	} else {
		c->tokens += (uint32_t)n;
		c->refill_ns += n * c->p.solicit_interval_ns;
	}
}

/* Take a solicitation token; false with *ret_when = when one will be there. */
static bool neigh_take_token(struct nr_neigh_cache *c, uint64_t now, uint64_t *ret_when)
{
	neigh_refill(c, now);
	if (c->tokens > 0) {
		c->tokens--;
		return true;
	}
	*ret_when = c->refill_ns + c->p.solicit_interval_ns;
	return false;
}

/* ------------------------------------------------------------------ */
/* Storage                                                            */

struct nr_neigh_cache *nr_neigh_cache_new(size_t max_entries)
{
	struct nr_neigh_cache *c;
	struct nr_neigh_params p;

	if (max_entries == 0)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->max = max_entries;
	c->rng = 1;
	nr_neigh_params_default(&p);
	(void)nr_neigh_set_params(c, &p); /* the defaults are valid */
	return c;
}

void nr_neigh_cache_free(struct nr_neigh_cache *c)
{
	if (!c)
		return;
	free(c->e);
	free(c);
}

static int neigh_key_cmp(const struct nr_neigh_entry *e, int ifindex, const struct nr_addr *a)
{
	if (e->ifindex != ifindex)
		return e->ifindex < ifindex ? -1 : 1;
	if (e->addr.family != a->family)
		return e->addr.family < a->family ? -1 : 1;
	return memcmp(e->addr.bytes, a->bytes, sizeof(a->bytes));
}

/* Index of the entry, or of where it would go; *found says which. */
static size_t neigh_find(const struct nr_neigh_cache *c, int ifindex, const struct nr_addr *a,
			 bool *found)
{
	size_t lo = 0, hi = c->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = neigh_key_cmp(&c->e[mid], ifindex, a);

		if (r == 0) {
			*found = true;
			return mid;
		}
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static void neigh_remove_at(struct nr_neigh_cache *c, size_t i)
{
	memmove(&c->e[i], &c->e[i + 1], (c->count - i - 1) * sizeof(c->e[0]));
	c->count--;
}

/*
 * Make room for one entry: the oldest STALE or FAILED entry goes first,
 * then the oldest REACHABLE, DELAY, PROBE or NOARP one. PERMANENT entries
 * are the administrator's and INCOMPLETE ones hold packets and end by
 * themselves within mcast_probes * retrans: neither is evicted.
 */
static int neigh_evict(struct nr_neigh_cache *c)
{
	static const unsigned tiers[] = {
		S(STALE) | S(FAILED),
		S(REACHABLE) | S(DELAY) | S(PROBE) | S(NOARP),
	};

	for (size_t t = 0; t < sizeof(tiers) / sizeof(tiers[0]); t++) {
		size_t victim = c->count;

		for (size_t i = 0; i < c->count; i++) {
			if (!(tiers[t] & (1u << c->e[i].state)))
				continue;
			if (victim == c->count || c->e[i].updated_ns < c->e[victim].updated_ns)
				victim = i;
		}
		if (victim != c->count) {
			neigh_remove_at(c, victim);
			return 0;
		}
	}
	return -ENOSPC;
}

/* Insert a blank entry (state NONE) for the key; returns its index. */
static int neigh_insert(struct nr_neigh_cache *c, int ifindex, const struct nr_addr *a,
			uint64_t now, size_t *ret_index)
{
	bool found;
	size_t i;
	int r;

	if (c->count >= c->max) {
		r = neigh_evict(c);
		if (r < 0)
			return r;
	}
	if (c->count == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 16;
		struct nr_neigh_entry *n;

		if (ncap > c->max)
			ncap = c->max;
		n = realloc(c->e, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		c->e = n;
		c->cap = ncap;
	}
	i = neigh_find(c, ifindex, a, &found);
	memmove(&c->e[i + 1], &c->e[i], (c->count - i) * sizeof(c->e[0]));
	c->count++;
	memset(&c->e[i], 0, sizeof(c->e[i]));
	c->e[i].ifindex = ifindex;
	c->e[i].addr = *a;
	c->e[i].state = NR_NEIGH_NONE;
	c->e[i].deadline_ns = NR_NEIGH_NO_DEADLINE;
	c->e[i].updated_ns = now;
	*ret_index = i;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The machine                                                        */

static void neigh_action_init(struct nr_neigh_action *act, const struct nr_neigh_entry *e,
			      enum nr_neigh_action_kind kind)
{
	memset(act, 0, sizeof(*act));
	act->kind = (uint8_t)kind;
	act->ifindex = e->ifindex;
	act->addr = e->addr;
	act->lladdr = e->lladdr;
}

/* Move the waiting packets into an action of the given kind. */
static void neigh_release_queue(struct nr_neigh_entry *e, struct nr_neigh_action *act,
				enum nr_neigh_action_kind kind)
{
	if (e->nqueued == 0)
		return;
	neigh_action_init(act, e, kind);
	memcpy(act->handles, e->queue, e->nqueued * sizeof(e->queue[0]));
	act->nhandles = e->nqueued;
	e->nqueued = 0;
}

/* One solicitation (multicast or unicast), or its postponement. */
static void neigh_solicit(struct nr_neigh_cache *c, struct nr_neigh_entry *e,
			  struct neigh_ctx *x, enum nr_neigh_action_kind kind)
{
	uint64_t when;

	if (!neigh_take_token(c, x->now, &when)) {
		/* Over the rate: the same solicitation is tried when a token is due. */
		e->deadline_ns = when;
		return;
	}
	neigh_action_init(x->act, e, kind);
	e->probes++;
	e->deadline_ns = x->now + c->p.retrans_ns;
}

static void neigh_enqueue(struct nr_neigh_cache *c, struct nr_neigh_entry *e,
			  struct neigh_ctx *x)
{
	if (e->nqueued >= c->p.queue_len) {
		/* Full: the oldest packet goes, as the kernel's arp_queue does. */
		neigh_action_init(x->act, e, NR_NEIGH_ACT_DROP_QUEUED);
		x->act->handles[0] = e->queue[0];
		x->act->nhandles = 1;
		memmove(&e->queue[0], &e->queue[1], (e->nqueued - 1u) * sizeof(e->queue[0]));
		e->nqueued--;
	}
	e->queue[e->nqueued++] = x->handle;
}

static void neigh_record(struct nr_neigh_entry *e, struct neigh_ctx *x)
{
	if (!nr_lladdr_eq(&e->lladdr, x->lladdr)) {
		e->lladdr = *x->lladdr;
		e->updated_ns = x->now;
	}
	if (x->is_advert)
		e->router = x->router;
}

/* Timers and counters that come with entering a state. */
static void neigh_enter(struct nr_neigh_cache *c, struct nr_neigh_entry *e, unsigned state,
			uint64_t now)
{
	if (e->state != state)
		e->updated_ns = now;
	e->state = (uint8_t)state;
	switch (state) {
	case NR_NEIGH_INCOMPLETE:
		e->lladdr.len = 0;
		e->probes = 0;
		e->deadline_ns = now; /* the solicitation that follows sets it */
		break;
	case NR_NEIGH_REACHABLE:
		e->probes = 0;
		e->confirmed_ns = now;
		e->deadline_ns = now + c->reachable_ns;
		break;
	case NR_NEIGH_DELAY:
		e->probes = 0;
		e->deadline_ns = now + c->p.delay_first_probe_ns;
		break;
	case NR_NEIGH_PROBE:
		e->probes = 0;
		e->deadline_ns = now; /* the probe that follows sets it */
		break;
	case NR_NEIGH_FAILED:
		/* `ip neigh` shows no lladdr for FAILED; deadline = end of the negative cache. */
		e->lladdr.len = 0;
		e->deadline_ns = now + c->p.failed_hold_ns;
		break;
	default: /* STALE, NOARP, PERMANENT: no timer */
		e->probes = 0;
		e->deadline_ns = NR_NEIGH_NO_DEADLINE;
		break;
	}
}

/* Run one event on entry i. Returns 0, -EINPROGRESS or -EHOSTUNREACH. */
static int neigh_fsm_run(struct nr_neigh_cache *c, size_t i, enum neigh_event ev,
			 struct neigh_ctx *x)
{
	struct nr_neigh_entry *e = &c->e[i];
	const struct neigh_transition *t = NULL;
	int r = 0;

	for (size_t k = 0; k < sizeof(neigh_fsm) / sizeof(neigh_fsm[0]); k++) {
		if (neigh_fsm[k].event == ev && (neigh_fsm[k].states & (1u << e->state))) {
			t = &neigh_fsm[k];
			break;
		}
	}
	if (!t)
		return 0; /* nothing defined: the event does not change this state */
	if (t->new_state != NOCHANGE)
		neigh_enter(c, e, t->new_state, x->now);

	switch (t->act) {
	case A_NONE:
		break;
	case A_USE:
		if (x->ret_lladdr)
			*x->ret_lladdr = e->lladdr;
		break;
	case A_QUEUE:
		neigh_enqueue(c, e, x);
		r = -EINPROGRESS;
		break;
	case A_QUEUE_SOLICIT:
		neigh_enqueue(c, e, x);
		neigh_solicit(c, e, x, NR_NEIGH_ACT_SOLICIT_MCAST);
		r = -EINPROGRESS;
		break;
	case A_UNREACH:
		r = -EHOSTUNREACH;
		break;
	case A_ROUTER:
		e->router = x->router;
		break;
	case A_RECORD:
		neigh_record(e, x);
		break;
	case A_RECORD_FLUSH:
		neigh_record(e, x);
		neigh_release_queue(e, x->act, NR_NEIGH_ACT_SEND_QUEUED);
		break;
	case A_SOLICIT:
		neigh_solicit(c, e, x, NR_NEIGH_ACT_SOLICIT_MCAST);
		break;
	case A_PROBE:
		neigh_solicit(c, e, x, NR_NEIGH_ACT_PROBE_UCAST);
		break;
	case A_FAIL:
		neigh_release_queue(e, x->act, NR_NEIGH_ACT_DROP_QUEUED);
		break;
	}
	return r;
}

static bool neigh_args_ok(const struct nr_neigh_cache *c, int ifindex, const struct nr_addr *a)
{
	return c && a && ifindex > 0 && (a->family == AF_INET || a->family == AF_INET6);
}

static bool lladdr_given(const struct nr_lladdr *l)
{
	return l && l->len > 0 && l->len <= NR_LLADDR_MAX;
}

/* ------------------------------------------------------------------ */
/* Events                                                             */

int nr_neigh_resolve(struct nr_neigh_cache *c, int ifindex, const struct nr_addr *addr,
		     uint64_t handle, uint64_t now_ns, struct nr_lladdr *ret_lladdr,
		     struct nr_neigh_action *ret_action)
{
	struct nr_neigh_action act = {.kind = NR_NEIGH_ACT_NONE};
	struct nr_lladdr ll = {0};
	struct neigh_ctx x = {.now = now_ns, .handle = handle, .ret_lladdr = &ll, .act = &act};
	enum neigh_event ev = EV_SEND;
	bool found;
	size_t i;
	int r;

	if (!neigh_args_ok(c, ifindex, addr) || !ret_action)
		return -EINVAL;
	i = neigh_find(c, ifindex, addr, &found);
	if (!found) {
		r = neigh_insert(c, ifindex, addr, now_ns, &i);
		if (r < 0)
			return r;
	} else if (c->e[i].state == NR_NEIGH_FAILED && now_ns < c->e[i].deadline_ns) {
		ev = EV_SEND_HELD;
	}
	r = neigh_fsm_run(c, i, ev, &x);
	if (r == 0 && ret_lladdr)
		*ret_lladdr = ll;
	if (r == 0 || r == -EINPROGRESS)
		*ret_action = act;
	return r;
}

int nr_neigh_on_advert_received(struct nr_neigh_cache *c, int ifindex, const struct nr_addr *addr,
				const struct nr_lladdr *lladdr, unsigned flags, uint64_t now_ns,
				struct nr_neigh_action *ret_action)
{
	struct nr_neigh_action act = {.kind = NR_NEIGH_ACT_NONE};
	bool sol = flags & NR_NEIGH_F_SOLICITED;
	struct neigh_ctx x = {
		.now = now_ns,
		.lladdr = lladdr,
		.is_advert = true,
		.router = (flags & NR_NEIGH_F_ROUTER) != 0,
		.act = &act,
	};
	enum neigh_event ev;
	bool found;
	size_t i;

	if (!neigh_args_ok(c, ifindex, addr) || !ret_action)
		return -EINVAL;
	if (lladdr && lladdr->len > NR_LLADDR_MAX)
		return -EINVAL;
	i = neigh_find(c, ifindex, addr, &found);
	if (found) {
		const struct nr_neigh_entry *e = &c->e[i];

		if (!lladdr_given(lladdr))
			ev = sol ? EV_NA_NOLL_S : EV_NA_NOLL_U;
		else if (e->lladdr.len && nr_lladdr_eq(&e->lladdr, lladdr))
			ev = sol ? EV_NA_SAME_S : EV_NA_SAME_U;
		else if (flags & NR_NEIGH_F_OVERRIDE)
			ev = sol ? EV_NA_DIFF_O_S : EV_NA_DIFF_O_U;
		else
			ev = sol ? EV_NA_DIFF_S : EV_NA_DIFF_U;
		(void)neigh_fsm_run(c, i, ev, &x);
	}
	/* No entry: RFC 4861 7.2.5 says discard, nothing is created. */
	*ret_action = act;
	return 0;
}

int nr_neigh_on_solicit_received(struct nr_neigh_cache *c, int ifindex,
				 const struct nr_addr *addr, const struct nr_lladdr *lladdr,
				 uint64_t now_ns, struct nr_neigh_action *ret_action)
{
	struct nr_neigh_action act = {.kind = NR_NEIGH_ACT_NONE};
	struct neigh_ctx x = {.now = now_ns, .lladdr = lladdr, .act = &act};
	enum neigh_event ev = EV_NS_DIFF;
	bool found;
	size_t i;
	int r;

	if (!neigh_args_ok(c, ifindex, addr) || !ret_action || !lladdr_given(lladdr))
		return -EINVAL;
	i = neigh_find(c, ifindex, addr, &found);
	if (!found) {
		r = neigh_insert(c, ifindex, addr, now_ns, &i);
		if (r < 0)
			return r;
	} else if (c->e[i].lladdr.len && nr_lladdr_eq(&c->e[i].lladdr, lladdr)) {
		ev = EV_NS_SAME;
	}
	(void)neigh_fsm_run(c, i, ev, &x);
	*ret_action = act;
	return 0;
}

int nr_neigh_on_confirm(struct nr_neigh_cache *c, int ifindex, const struct nr_addr *addr,
			uint64_t now_ns)
{
	struct nr_neigh_action act;
	struct neigh_ctx x = {.now = now_ns, .act = &act};
	bool found;
	size_t i;

	if (!neigh_args_ok(c, ifindex, addr))
		return -EINVAL;
	i = neigh_find(c, ifindex, addr, &found);
	if (!found)
		return -ENOENT;
	(void)neigh_fsm_run(c, i, EV_CONFIRM, &x);
	return 0;
}

/* FAILED's deadline is the end of its negative cache: nothing runs then. */
static bool neigh_has_timer(const struct nr_neigh_entry *e)
{
	return e->deadline_ns != NR_NEIGH_NO_DEADLINE && e->state != NR_NEIGH_FAILED;
}

uint64_t nr_neigh_next_deadline(const struct nr_neigh_cache *c, uint64_t now_ns)
{
	uint64_t next = NR_NEIGH_NO_DEADLINE;

	(void)now_ns; /* deadlines are absolute; overdue ones are returned as they are */
	for (size_t i = 0; i < c->count; i++)
		if (neigh_has_timer(&c->e[i]) && c->e[i].deadline_ns < next)
			next = c->e[i].deadline_ns;
	return next;
}

int nr_neigh_tick(struct nr_neigh_cache *c, uint64_t now_ns, struct nr_neigh_action *acts,
		  size_t cap, size_t *ret_n)
{
	size_t n = 0;

	if (!c || (!acts && cap) || !ret_n)
		return -EINVAL;
	for (size_t i = 0; i < c->count; i++) {
		struct nr_neigh_entry *e = &c->e[i];
		struct nr_neigh_action act = {.kind = NR_NEIGH_ACT_NONE};
		struct neigh_ctx x = {.now = now_ns, .act = &act};
		enum neigh_event ev = EV_TIMER;
		unsigned max = 0;

		if (!neigh_has_timer(e) || e->deadline_ns > now_ns)
			continue;
		if (e->state == NR_NEIGH_INCOMPLETE)
			max = c->p.mcast_probes;
		else if (e->state == NR_NEIGH_PROBE)
			max = c->p.ucast_probes;
		if (max)
			ev = e->probes < max ? EV_TIMER_RETRY : EV_TIMER_LAST;
		/*
		 * Stop before running a timer that may produce an action we
		 * could not hand back; it stays due for the next call.
		 */
		if (n == cap && e->state != NR_NEIGH_REACHABLE)
			break;
		(void)neigh_fsm_run(c, i, ev, &x);
		if (act.kind != NR_NEIGH_ACT_NONE)
			acts[n++] = act;
	}
	*ret_n = n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Import, removal, iteration, names                                  */

static const struct {
	unsigned nud;
	unsigned state;
	const char *name;
	bool needs_lladdr;
} neigh_states[] = {
	{0, NR_NEIGH_NONE, "NONE", false},
	{NR_NUD_INCOMPLETE, NR_NEIGH_INCOMPLETE, "INCOMPLETE", false},
	{NR_NUD_REACHABLE, NR_NEIGH_REACHABLE, "REACHABLE", true},
	{NR_NUD_STALE, NR_NEIGH_STALE, "STALE", true},
	{NR_NUD_DELAY, NR_NEIGH_DELAY, "DELAY", true},
	{NR_NUD_PROBE, NR_NEIGH_PROBE, "PROBE", true},
	{NR_NUD_FAILED, NR_NEIGH_FAILED, "FAILED", false},
	{NR_NUD_NOARP, NR_NEIGH_NOARP, "NOARP", false},
	{NR_NUD_PERMANENT, NR_NEIGH_PERMANENT, "PERMANENT", true},
};

const char *nr_neigh_state_name(unsigned state)
{
	return state < NR_NEIGH_STATE_COUNT ? neigh_states[state].name : NULL;
}

unsigned nr_neigh_state_to_nud(unsigned state)
{
	return state < NR_NEIGH_STATE_COUNT ? neigh_states[state].nud : 0;
}

int nr_neigh_import(struct nr_neigh_cache *c, int ifindex, const struct nr_addr *addr,
		    const struct nr_lladdr *lladdr, unsigned nud, unsigned flags, uint64_t now_ns)
{
	struct nr_neigh_entry *e;
	unsigned state = NR_NEIGH_NONE;
	bool found;
	size_t i;
	int r;

	if (!neigh_args_ok(c, ifindex, addr) || (lladdr && lladdr->len > NR_LLADDR_MAX))
		return -EINVAL;
	for (size_t k = 1; k < NR_NEIGH_STATE_COUNT; k++)
		if (neigh_states[k].nud == nud)
			state = neigh_states[k].state;
	if (state == NR_NEIGH_NONE)
		return -EINVAL; /* NUD_NONE, several bits or unknown ones */
	if (neigh_states[state].needs_lladdr && !lladdr_given(lladdr))
		return -EINVAL;

	i = neigh_find(c, ifindex, addr, &found);
	if (!found) {
		r = neigh_insert(c, ifindex, addr, now_ns, &i);
		if (r < 0)
			return r;
	}
	e = &c->e[i];
	e->nqueued = 0;
	e->state = NR_NEIGH_NONE; /* so that entering counts as a change */
	neigh_enter(c, e, state, now_ns);
	if (lladdr_given(lladdr) && state != NR_NEIGH_INCOMPLETE && state != NR_NEIGH_FAILED)
		e->lladdr = *lladdr;
	else
		e->lladdr.len = 0;
	e->router = (flags & NR_NTF_ROUTER) != 0;
	if (state == NR_NEIGH_INCOMPLETE || state == NR_NEIGH_PROBE) {
		/* The kernel has sent at least one solicitation already. */
		e->probes = 1;
		e->deadline_ns = now_ns + c->p.retrans_ns;
	}
	return 0;
}

int nr_neigh_del(struct nr_neigh_cache *c, int ifindex, const struct nr_addr *addr)
{
	bool found;
	size_t i;

	if (!neigh_args_ok(c, ifindex, addr))
		return -EINVAL;
	i = neigh_find(c, ifindex, addr, &found);
	if (!found)
		return -ENOENT;
	neigh_remove_at(c, i);
	return 0;
}

void nr_neigh_flush(struct nr_neigh_cache *c)
{
	c->count = 0;
}

const struct nr_neigh_entry *nr_neigh_lookup(const struct nr_neigh_cache *c, int ifindex,
					     const struct nr_addr *addr)
{
	bool found;
	size_t i;

	if (!neigh_args_ok(c, ifindex, addr))
		return NULL;
	i = neigh_find(c, ifindex, addr, &found);
	return found ? &c->e[i] : NULL;
}

size_t nr_neigh_count(const struct nr_neigh_cache *c)
{
	return c->count;
}

const struct nr_neigh_entry *nr_neigh_at(const struct nr_neigh_cache *c, size_t i)
{
	return i < c->count ? &c->e[i] : NULL;
}
