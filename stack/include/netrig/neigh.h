/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The neighbour cache: ARP (IPv4) and NDP (IPv6) share one table keyed by
 * (ifindex, address). States are RFC 4861 section 7.3.2's plus the
 * kernel's NOARP, PERMANENT and FAILED; transitions follow RFC 4861 7.2.3,
 * 7.2.5 and 7.3.3 as Linux's neighbour.c applies them.
 *
 * Time is an input: every stateful call takes now_ns and the cache never
 * reads a clock. The cache never sends anything either: calls hand back
 * actions (send a multicast solicitation, a unicast probe, transmit or drop
 * the packets that waited) and the caller does the I/O. Packets waiting on
 * an INCOMPLETE entry are opaque 64-bit handles chosen by the caller.
 *
 * ARP maps onto the same events: an ARP request with a sender address is a
 * solicitation with a source link-layer option; an ARP reply addressed to
 * us is an advertisement with SOLICITED|OVERRIDE (the kernel's arp_process
 * sets REACHABLE and overrides outside its locktime), a gratuitous ARP is
 * an unsolicited advertisement with OVERRIDE.
 */
#ifndef NETRIG_NEIGH_H
#define NETRIG_NEIGH_H

#include "netrig/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum nr_neigh_state {
	NR_NEIGH_NONE = 0, /* no entry; used only as a table row */
	NR_NEIGH_INCOMPLETE,
	NR_NEIGH_REACHABLE,
	NR_NEIGH_STALE,
	NR_NEIGH_DELAY,
	NR_NEIGH_PROBE,
	NR_NEIGH_FAILED,
	NR_NEIGH_NOARP,
	NR_NEIGH_PERMANENT,
	NR_NEIGH_STATE_COUNT
};

/* Kernel NUD_* bits (linux/neighbour.h), repeated so stack/ needs only libc. */
#define NR_NUD_INCOMPLETE 0x01u
#define NR_NUD_REACHABLE 0x02u
#define NR_NUD_STALE 0x04u
#define NR_NUD_DELAY 0x08u
#define NR_NUD_PROBE 0x10u
#define NR_NUD_FAILED 0x20u
#define NR_NUD_NOARP 0x40u
#define NR_NUD_PERMANENT 0x80u
/* NTF_ROUTER */
#define NR_NTF_ROUTER 0x80u

/* Flags of a received advertisement (NA flags; see above for ARP). */
#define NR_NEIGH_F_SOLICITED 0x1u
#define NR_NEIGH_F_OVERRIDE 0x2u
#define NR_NEIGH_F_ROUTER 0x4u

/* Largest queue of waiting packets per entry (params.queue_len <= this). */
#define NR_NEIGH_QUEUE_MAX 32u
/* deadline_ns of an entry that has no timer running. */
#define NR_NEIGH_NO_DEADLINE UINT64_MAX

#define NR_NS_PER_MS 1000000ull

/*
 * Per-cache parameters. Defaults (nr_neigh_params_default) are the
 * kernel's: base_reachable_time 30 s, retrans_time 1 s,
 * delay_first_probe_time 5 s, mcast_solicit 3, ucast_solicit 3. The queue
 * length defaults to 3 (the kernel's historical unres_qlen; RFC 4861 7.2.2
 * asks for at least 1). failed_hold is netrig's negative cache: for that
 * long after an entry FAILED, a send fails at once instead of starting a
 * new resolution (the kernel restarts at once: use 0 to get that).
 * Solicitations (multicast and unicast) of the whole cache pass a token
 * bucket of solicit_burst tokens refilled one per solicit_interval; a
 * solicitation without a token is postponed, not lost.
 */
struct nr_neigh_params {
	uint64_t base_reachable_ns;
	uint64_t retrans_ns;
	uint64_t delay_first_probe_ns;
	uint64_t failed_hold_ns;
	uint64_t solicit_interval_ns;
	uint32_t solicit_burst;   /* >= 1 */
	uint8_t mcast_probes;     /* >= 1 */
	uint8_t ucast_probes;     /* >= 1 */
	uint16_t queue_len;       /* 1..NR_NEIGH_QUEUE_MAX */
};

struct nr_neigh_entry {
	int ifindex;
	struct nr_addr addr;
	struct nr_lladdr lladdr;  /* len 0: none known */
	uint8_t state;            /* enum nr_neigh_state */
	bool router;              /* IsRouter (NTF_ROUTER) */
	uint8_t probes;           /* solicitations sent in this INCOMPLETE/PROBE round */
	uint64_t deadline_ns;     /* next timer event, NR_NEIGH_NO_DEADLINE if none */
	uint64_t updated_ns;      /* last state or lladdr change (eviction age) */
	uint64_t confirmed_ns;    /* last reachability confirmation */
	uint16_t nqueued;
	uint64_t queue[NR_NEIGH_QUEUE_MAX]; /* waiting packets, oldest first */
};

enum nr_neigh_action_kind {
	NR_NEIGH_ACT_NONE = 0,
	/* Send a multicast NS (ff02::1:ffXX:XXXX) / broadcast ARP request for addr. */
	NR_NEIGH_ACT_SOLICIT_MCAST,
	/* Send a unicast NS / ARP request for addr to lladdr. */
	NR_NEIGH_ACT_PROBE_UCAST,
	/* addr resolved to lladdr: transmit handles[] (oldest first). */
	NR_NEIGH_ACT_SEND_QUEUED,
	/* Drop handles[]: resolution failed (send ICMP unreachable, RFC 4861
	 * 7.2.2) or the queue overflowed (the oldest packet goes). */
	NR_NEIGH_ACT_DROP_QUEUED,
};

struct nr_neigh_action {
	uint8_t kind; /* enum nr_neigh_action_kind */
	int ifindex;
	struct nr_addr addr;
	struct nr_lladdr lladdr; /* PROBE_UCAST, SEND_QUEUED */
	uint16_t nhandles;
	uint64_t handles[NR_NEIGH_QUEUE_MAX];
};

struct nr_neigh_cache;

/*
 * A cache of at most max_entries entries (>= 1), default parameters and
 * the random source seeded with 1. NULL on allocation failure or
 * max_entries 0.
 */
struct nr_neigh_cache *nr_neigh_cache_new(size_t max_entries);
void nr_neigh_cache_free(struct nr_neigh_cache *c);

void nr_neigh_params_default(struct nr_neigh_params *p);
/*
 * Replace the parameters and draw a new ReachableTime from them.
 * -EINVAL when a count is 0, queue_len is out of range or a time is 0
 * (failed_hold_ns and solicit_interval_ns may be 0).
 */
int nr_neigh_set_params(struct nr_neigh_cache *c, const struct nr_neigh_params *p);
void nr_neigh_get_params(const struct nr_neigh_cache *c, struct nr_neigh_params *ret);
/*
 * Reseed the random source and draw a new ReachableTime: uniformly in
 * [base/2, 3*base/2), as the kernel's neigh_rand_reach_time (RFC 4861 6.3.2).
 */
void nr_neigh_seed(struct nr_neigh_cache *c, uint64_t seed);
/* The current randomised ReachableTime. */
uint64_t nr_neigh_reachable_time(const struct nr_neigh_cache *c);

/*
 * A packet (handle) is to be sent to addr on ifindex (RFC 4861 7.2.2,
 * 7.3.3 "sending packet"). Returns
 *   0             ret_lladdr is filled: send now (STALE moved to DELAY);
 *   -EINPROGRESS  the packet waits on an INCOMPLETE entry; *ret_action may
 *                 say to send the first solicitation or to drop the oldest
 *                 waiting packet (queue full);
 *   -EHOSTUNREACH the entry FAILED less than failed_hold ago: drop it;
 *   -ENOSPC       the cache is full and nothing may be evicted;
 *   -EINVAL       bad arguments.
 * *ret_action is always written on 0 and -EINPROGRESS (kind NONE when
 * there is nothing to do). ret_lladdr may be NULL.
 */
int nr_neigh_resolve(struct nr_neigh_cache *c, int ifindex, const struct nr_addr *addr,
		     uint64_t handle, uint64_t now_ns, struct nr_lladdr *ret_lladdr,
		     struct nr_neigh_action *ret_action);

/*
 * A Neighbor Advertisement (RFC 4861 7.2.5) or ARP reply for addr.
 * lladdr NULL (or len 0): no target link-layer address option. flags:
 * NR_NEIGH_F_*. Without an entry nothing is created (7.2.5). *ret_action
 * is SEND_QUEUED when an INCOMPLETE entry resolved with waiting packets.
 */
int nr_neigh_on_advert_received(struct nr_neigh_cache *c, int ifindex, const struct nr_addr *addr,
				const struct nr_lladdr *lladdr, unsigned flags, uint64_t now_ns,
				struct nr_neigh_action *ret_action);

/*
 * A Neighbor Solicitation with a source link-layer address option, or an
 * ARP request, from addr (RFC 4861 7.2.3): creates or updates a STALE
 * entry. -EINVAL without an lladdr; -ENOSPC as for resolve.
 */
int nr_neigh_on_solicit_received(struct nr_neigh_cache *c, int ifindex,
				 const struct nr_addr *addr, const struct nr_lladdr *lladdr,
				 uint64_t now_ns, struct nr_neigh_action *ret_action);

/* Upper-layer reachability confirmation (RFC 4861 7.3.1). -ENOENT without entry. */
int nr_neigh_on_confirm(struct nr_neigh_cache *c, int ifindex, const struct nr_addr *addr,
			uint64_t now_ns);

/*
 * The earliest deadline of any entry (possibly <= now_ns: overdue), or
 * NR_NEIGH_NO_DEADLINE when no timer runs.
 */
uint64_t nr_neigh_next_deadline(const struct nr_neigh_cache *c, uint64_t now_ns);

/*
 * Run every timer due at now_ns: retransmit solicitations, start and
 * repeat unicast probes, move REACHABLE to STALE, fail entries whose
 * probes ran out. Actions go to acts[0..cap); *ret_n says how many. When
 * acts is full the remaining timers stay due: call again.
 */
int nr_neigh_tick(struct nr_neigh_cache *c, uint64_t now_ns, struct nr_neigh_action *acts,
		  size_t cap, size_t *ret_n);

/*
 * Import a kernel entry (RTM_NEWNEIGH): nud is one NUD_* state, flags the
 * NTF_* flags (NTF_ROUTER kept). Replaces an existing entry. Timers start
 * from now_ns, since the kernel does not dump its own. -EINVAL for NUD_NONE,
 * several or unknown state bits, or a missing lladdr where one is needed
 * (REACHABLE, STALE, DELAY, PROBE, PERMANENT); -ENOSPC when full.
 */
int nr_neigh_import(struct nr_neigh_cache *c, int ifindex, const struct nr_addr *addr,
		    const struct nr_lladdr *lladdr, unsigned nud, unsigned flags, uint64_t now_ns);

/* Remove an entry (ip neigh del). Its waiting packets are forgotten. -ENOENT. */
int nr_neigh_del(struct nr_neigh_cache *c, int ifindex, const struct nr_addr *addr);
void nr_neigh_flush(struct nr_neigh_cache *c);

/* The entry for (ifindex, addr), or NULL; no state change. */
const struct nr_neigh_entry *nr_neigh_lookup(const struct nr_neigh_cache *c, int ifindex,
					     const struct nr_addr *addr);
size_t nr_neigh_count(const struct nr_neigh_cache *c);
/* i-th entry by ifindex, family (IPv4 first), address; NULL past the end. */
const struct nr_neigh_entry *nr_neigh_at(const struct nr_neigh_cache *c, size_t i);

/* "INCOMPLETE", "REACHABLE", ... as `ip neigh` prints them; "NONE" for 0, NULL if unknown. */
const char *nr_neigh_state_name(unsigned state);
/* NUD_* bit of a state (0 for NONE). */
unsigned nr_neigh_state_to_nud(unsigned state);

#endif
