/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Inside respond: the state shared by its three ways of moving frames,
 * epoll and io_uring in respond.c, the link thread in thread.c.
 *
 * With the link thread, frames are read, answered and written on a
 * thread of its own, and the loop's thread keeps signals and the host's
 * timers. The host, the link's counters and respond's stats are then
 * shared: each side holds `lock` while it touches them (respond_lock,
 * a no-op without the thread). The loop's timer and stop are the loop
 * thread's alone: the link thread asks for them through `poke`, an
 * eventfd the loop watches.
 */
#ifndef NETRIG_RESPOND_PRIV_H
#define NETRIG_RESPOND_PRIV_H

#include "respond/respond.h"
#include "respond/spin.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

struct nr_respond;

struct tx_slot {
	struct nr_loop_op op;
	struct nr_respond *r;
	uint8_t *buf;
	size_t len;
	bool reply;
};

struct nr_respond {
	struct nr_loop *loop;
	struct nr_link *link;
	struct nr_host *host;
	struct nr_respond_opts o;
	struct nr_loop_watch *watch;
	struct nr_timer timer;
	uint64_t armed; /* the timer's deadline, UINT64_MAX when not armed */
	uint8_t *buf;
	size_t buf_len;
	struct nr_respond_stats stats;
	bool done;
	int failed;      /* the link went away (nr_tuntap_gone): its -errno */
	bool read_on;    /* read past the first frame of a wake-up (on_readable) */
	unsigned single; /* wake-ups in a row that took one frame without reading on */
	/* io_uring (nr_respond_opts.io) */
	bool ring_tx;          /* frames go out by ring writes */
	bool ring_rx;          /* frames come in by the multishot read */
	bool rx_armed;         /* the multishot read is in flight */
	bool rx_got;           /* a frame came since the read was armed */
	bool enough;           /* replies queued reach --count: take no more frames */
	uint64_t replies_queued; /* replies written or being written */
	struct nr_loop_op rx_op;
	struct nr_loop_bufs *rxb;
	struct tx_slot *tx;
	uint8_t *tx_mem;
	unsigned *tx_free;
	unsigned ntx_free;
	/* the link thread (thread.c) */
	bool thread_wanted;      /* prepared: lock and poke exist, the first poke starts it */
	bool thread_tried;       /* the start was attempted */
	int thread_err;          /* why it did not start (epoll took over), -errno */
	bool threaded;           /* the thread runs: the lock is taken */
	pthread_t thread;
	pthread_mutex_t lock;
	atomic_bool stop;        /* the thread is asked to end */
	int poke;                /* eventfd: the link thread asks the loop thread to look */
	struct nr_loop_watch *poke_watch;
	int fd_flags;            /* the link fd's status flags before the thread */
	struct nr_spin spin;
};

/* Send what the host queued; false once the reply count is reached. */
bool respond_drain(struct nr_respond *r);
/*
 * A frame read whole (n bytes, up to buf_len + 1: longer ones are counted
 * and dropped) to the host, and its answers out (the ring and the thread;
 * epoll's nr_link_recv counts its own).
 */
void respond_frame_in(struct nr_respond *r, const uint8_t *f, size_t n, uint64_t now);
/* Arm the loop's timer for the host's next deadline (loop thread only). */
void respond_rearm(struct nr_respond *r);

static inline void respond_lock(struct nr_respond *r)
{
	if (r->threaded)
		pthread_mutex_lock(&r->lock);
}

static inline void respond_unlock(struct nr_respond *r)
{
	if (r->threaded)
		pthread_mutex_unlock(&r->lock);
}

/*
 * Make ready the link thread on r's link (a frame fd, no on_event): the
 * lock, the poke, and a first poke that starts the thread once the loop
 * runs (after the caller said it is ready: the thread may answer at
 * once). 0, or a negative errno and nothing made (respond stays on epoll).
 * A thread that cannot start then falls back to epoll (thread_err says
 * why).
 */
int respond_thread_prepare(struct nr_respond *r);
/* The epoll path's watch on the link, and the loop's busy poll: the fallback. */
void respond_epoll_fallback(struct nr_respond *r);
/* Ask the loop's thread to look at r: stop (done), re-arm the timer. */
void respond_poke(struct nr_respond *r);
/* Stop and join it, give the fd its flags back, free what prepare made. Loop thread only. */
void respond_thread_stop(struct nr_respond *r);

#endif
