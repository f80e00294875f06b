/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The glue between an emulated host (netrig/host.h, pure) and a link in
 * the event loop: frames read from the link go to nr_host_input, what the
 * host queues goes out through nr_link_send, the host's timers run on a
 * loop timer armed at nr_host_next_deadline. `netrig respond` is this
 * plus option parsing; tests drive it over an in-memory pair on a fake
 * clock.
 *
 * The host, the link and the loop belong to the caller and must outlive
 * the responder glue.
 */
#ifndef NETRIG_RESPOND_H
#define NETRIG_RESPOND_H

#include "link/link.h"
#include "loop/loop.h"
#include "netrig/host.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct nr_respond;

/*
 * How frames move on a link whose fd carries whole frames (TUN, TAP).
 * `netrig respond` uses the thread (measured the fastest, README);
 * epoll is what a zero-initialised nr_respond_opts gives.
 */
enum nr_respond_io {
	NR_RESPOND_IO_EPOLL = 0, /* epoll readiness, read() and write() */
	NR_RESPOND_IO_AUTO,      /* io_uring when the kernel allows it, else epoll */
	NR_RESPOND_IO_URING,     /* io_uring or fail (-EOPNOTSUPP, -ENOSYS, -EPERM...) */
	NR_RESPOND_IO_THREAD,    /* a thread of the link's own, else epoll (see below) */
};

struct nr_respond_opts {
	uint64_t count; /* stop the loop once this many replies were sent; 0: never */
	FILE *verbose;  /* one line per reply sent (nr_respond_describe), NULL: none */
	size_t batch;   /* frames read per wake-up before the timers get a turn; 0: 64 */
	/*
	 * Called after each frame given to the host and each timer run (what
	 * it queued already sent), for a caller waiting on the host's state
	 * (neigh resolve polls its resolution here). NULL: none.
	 */
	void (*on_event)(struct nr_respond *r, void *arg);
	void *arg;
	/*
	 * With io_uring (nr_loop_uring_enable on the loop, a multishot read
	 * on the link's fd, replies written by the next wait) one syscall
	 * carries a reply out and waits for the next request. Used only on
	 * a link with nr_link_frame_fd and without on_event (whose promise
	 * that queued frames were sent holds only for synchronous writes);
	 * anything else, or AUTO where io_uring is unavailable, uses epoll.
	 */
	enum nr_respond_io io;
	/*
	 * With THREAD: frames are read, answered and written on a thread of
	 * the link's own, blocking in read() (asleep, two syscalls a reply,
	 * as the plainest responder); the loop's thread keeps the host's timers and
	 * the loop's signals, and nr_loop_run returns once --count replies
	 * went. The thread starts when the loop first runs (it may answer at
	 * once: say "ready" before nr_loop_run). Used only on a link with
	 * nr_link_frame_fd and without on_event; anything else, or a thread
	 * that cannot start (the counters say why), uses epoll.
	 */
	/*
	 * Before waiting for a frame, look for one for up to busy_ns: the link
	 * thread when measuring says it pays (respond/spin.h), or the loop
	 * (nr_loop_set_busy_poll on the caller's loop, set by nr_respond_new)
	 * on epoll and io_uring. 0: never.
	 */
	uint64_t busy_ns;
};

struct nr_respond_stats {
	uint64_t frames_in;  /* read from the link and given to the host */
	uint64_t frames_out; /* sent to the link */
	uint64_t replies;    /* of which replies (ARP reply, NA, RA, echo replies) */
	uint64_t rx_errors;  /* read failures, frames too long for the buffer */
	uint64_t tx_errors;  /* frames the link refused (queue full, too long): dropped */
};

/* -EINVAL for a NULL argument or a host whose link type is not the link's, -ENOMEM. */
int nr_respond_new(struct nr_loop *loop, struct nr_link *link, struct nr_host *host,
		   const struct nr_respond_opts *o, struct nr_respond **ret);
/* Stops watching the link and cancels the timer; NULL is fine. */
void nr_respond_free(struct nr_respond *r);
const struct nr_respond_stats *nr_respond_stats(const struct nr_respond *r);
/*
 * Send what the host queued outside the loop's callbacks (after
 * nr_host_resolve or nr_host_send_ip) and re-arm the timer for it.
 */
void nr_respond_flush(struct nr_respond *r);
/* The reply count was reached, or the link failed (the loop was stopped for it). */
bool nr_respond_done(const struct nr_respond *r);
/*
 * The link went away under us (its TUN/TAP device deleted...): the
 * read's negative errno, and the loop was stopped; 0 while it is fine.
 */
int nr_respond_failed(const struct nr_respond *r);
/* Frames move through io_uring (see nr_respond_opts.io). */
bool nr_respond_uring(const struct nr_respond *r);
/*
 * End the link thread, if any (nr_loop_run returning does not): no more
 * frames are taken, and the stats and the host are the caller's alone
 * again, as they always are without the thread. Call it before reading
 * them after the loop; nr_respond_free does it too.
 */
void nr_respond_stop(struct nr_respond *r);

/*
 * Counters of the link, the host (drops by reason) and each responder
 * (drops by reason), one "name: value" per line, zero counters left out.
 */
void nr_respond_print_counters(const struct nr_respond *r, FILE *f);

/*
 * One line (no newline) describing a frame the host sent, for --verbose:
 *   arp reply 203.0.113.5 is-at 02:00:cb:00:71:05 > 198.51.100.1
 *   na 2001:db8::5 > 2001:db8::1 flags S,O tllao 02:06:00:00:00:05
 *   echo reply 192.0.2.2 > 192.0.2.1 id 4660 seq 1 len 56
 *   echo6 reply 2001:db8::5 > 2001:db8::1 id 4660 seq 1 len 56
 * Returns true when the frame is a reply to a request (what --count and
 * --verbose count), false for anything else (solicitations, released
 * packets), which is still described.
 */
bool nr_respond_describe(const uint8_t *frame, size_t len, enum nr_link_layer layer, char *buf,
			 size_t cap);

#endif
