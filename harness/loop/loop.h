/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The event loop: epoll for fds, one timerfd for the earliest deadline of
 * a timer heap, signalfd for signals, pidfd for children. Single-threaded;
 * every callback runs from nr_loop_run*. The loop is the only reader of
 * the clock: callbacks take nr_loop_now() and pass it on (to the stack).
 *
 * On a fake clock (struct nr_fake_clock) the loop never blocks: it polls
 * the fds without waiting, and when nothing is ready it jumps the clock to
 * the next deadline and fires what is due. With nothing ready and no
 * deadline left it returns NR_LOOP_IDLE rather than wait.
 *
 * Callbacks may add and remove watchers, arm and cancel timers and call
 * nr_loop_stop; a watcher removed from a callback is freed at the end of
 * the iteration, so events already fetched for it are dropped safely.
 */
#ifndef NETRIG_LOOP_H
#define NETRIG_LOOP_H

#include "loop/clock.h"
#include "loop/timerheap.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct nr_loop;
struct nr_loop_watch;

/* fd interest and readiness. */
#define NR_LOOP_READ 0x1u
#define NR_LOOP_WRITE 0x2u
#define NR_LOOP_ERROR 0x4u /* reported only: EPOLLERR or EPOLLHUP */

typedef void (*nr_loop_fd_fn)(struct nr_loop *l, int fd, unsigned events, void *arg);

struct nr_timer;
typedef void (*nr_timer_fn)(struct nr_loop *l, struct nr_timer *t, void *arg);

/* A timer lives in the caller's storage; nr_timer_init before first use. */
struct nr_timer {
	struct nr_timerheap_node node; /* first: the heap hands nodes back */
	nr_timer_fn fn;
	void *arg;
};

typedef void (*nr_loop_signal_fn)(struct nr_loop *l, int signo, void *arg);
/*
 * status: the child's wait status (WIFEXITED, WEXITSTATUS... apply), or a
 * negative errno when it could not be collected (reaped elsewhere: -ECHILD).
 */
typedef void (*nr_loop_child_fn)(struct nr_loop *l, pid_t pid, int status, void *arg);

/* Why nr_loop_run* returned (all >= 0; errors are negative errno). */
enum nr_loop_exit {
	NR_LOOP_STOPPED = 0, /* nr_loop_stop was called */
	NR_LOOP_DEADLINE,    /* the run's deadline was reached */
	NR_LOOP_ITERATIONS,  /* the run's iterations were done */
	NR_LOOP_IDLE,        /* nothing left that could ever happen (see above) */
};

struct nr_loop_stats {
	uint64_t iterations;
	uint64_t waits;          /* epoll_wait calls */
	uint64_t blocking_waits; /* of which with a timeout other than 0 */
	uint64_t clock_jumps;    /* fake clock moved forward by the loop */
	uint64_t timers_fired;
	uint64_t fd_events;      /* user fd callbacks */
	uint64_t signals;
	uint64_t children;
	uint64_t ring_enters;    /* io_uring_enter calls (the ring's waits and submits) */
	uint64_t completions;    /* ring completions handed to their ops */
	uint64_t busy_hits;      /* blocking waits whose event came while busy-polling */
	uint64_t busy_misses;    /* busy polls that ended in sleep */
};

/* clock NULL: CLOCK_MONOTONIC. The clock must outlive the loop. */
int nr_loop_new(struct nr_clock *clock, struct nr_loop **ret);
/*
 * Closes the loop's own fds (not the watched ones), removes its signals
 * (nr_loop_signal_remove), forgets children (not killed, not reaped).
 */
void nr_loop_free(struct nr_loop *l);

struct nr_clock *nr_loop_clock(const struct nr_loop *l);
/* The time read at the last wake-up: what callbacks should use. */
uint64_t nr_loop_now(const struct nr_loop *l);
/* Read the clock again (after a long callback) and return it. */
uint64_t nr_loop_update_time(struct nr_loop *l);
const struct nr_loop_stats *nr_loop_stats(const struct nr_loop *l);

/* --- fds --- */

/* Watch fd for events (NR_LOOP_READ and/or WRITE). -EEXIST if fd is watched. */
int nr_loop_fd_add(struct nr_loop *l, int fd, unsigned events, nr_loop_fd_fn fn, void *arg,
		   struct nr_loop_watch **ret);
int nr_loop_fd_set_events(struct nr_loop_watch *w, unsigned events);
/* Stop watching (before closing the fd). NULL is fine. */
void nr_loop_fd_remove(struct nr_loop_watch *w);

/* --- timers (absolute deadlines on the loop's clock) --- */

void nr_timer_init(struct nr_timer *t, nr_timer_fn fn, void *arg);
bool nr_timer_armed(const struct nr_timer *t);
uint64_t nr_timer_deadline(const struct nr_timer *t);
/*
 * Arm t for deadline_ns, or move it there if armed (O(log n)). A timer
 * armed from a callback for a time already past fires in the next
 * iteration, never in the same one, so a zero-period timer cannot starve
 * the fds.
 */
int nr_loop_timer_arm(struct nr_loop *l, struct nr_timer *t, uint64_t deadline_ns);
/* Relative to nr_loop_now(), the last wake-up (call nr_loop_update_time first if stale). */
int nr_loop_timer_arm_in(struct nr_loop *l, struct nr_timer *t, uint64_t delay_ns);
/* false if it was not armed. */
bool nr_loop_timer_cancel(struct nr_loop *l, struct nr_timer *t);

/* --- signals --- */

/*
 * Deliver signo through the loop: it is blocked in the calling thread's
 * mask (do this before starting threads) and read from a signalfd.
 * -EEXIST if already handled, -EINVAL for SIGKILL/SIGSTOP or out of range.
 */
int nr_loop_signal_add(struct nr_loop *l, int signo, nr_loop_signal_fn fn, void *arg);
/*
 * Unblocks it again if it was not blocked before, consuming an instance
 * still pending (it was the loop's to handle; unblocked, SIGTERM's default
 * action would kill the process during cleanup). -ENOENT if not handled.
 */
int nr_loop_signal_remove(struct nr_loop *l, int signo);

/* --- children --- */

/*
 * Report the exit of child pid (a child of this process) once, through a
 * pidfd; the loop reaps it. -ESRCH if there is no such process, -ENOSYS
 * on kernels without pidfd_open.
 */
int nr_loop_child_add(struct nr_loop *l, pid_t pid, nr_loop_child_fn fn, void *arg);

/* --- io_uring (optional; harness/loop/uring.c) --- */

/*
 * With a ring, the loop waits in io_uring_enter instead of epoll_wait:
 * its epoll fd is one poll request on the ring (so fds, timers, signals
 * and children work as before), and users queue their own requests
 * (reads, writes) that are submitted by the next wait, in the same
 * syscall. A reply written and the next request awaited cost one
 * syscall, not three (epoll_wait, read, write).
 *
 * A user request is tied to a struct nr_loop_op in the caller's storage;
 * its completions call op->fn. An op must not be freed while requests on
 * it are in flight: nr_loop_op_cancel first.
 */
struct io_uring_sqe;
struct nr_loop_op;
/* res and flags of the completion (IORING_CQE_F_MORE, IORING_CQE_F_BUFFER...). */
typedef void (*nr_loop_op_fn)(struct nr_loop *l, struct nr_loop_op *op, int32_t res,
			      uint32_t flags, void *arg);

struct nr_loop_op {
	nr_loop_op_fn fn;
	void *arg;
	/*
	 * Its requests complete while they are submitted, as a rule (a write
	 * to a TUN): a blocking wait then asks for that many completions
	 * more, so that the wait carrying them still sleeps until something
	 * else happens. Set after nr_loop_op_init.
	 */
	bool quick;
	unsigned inflight; /* requests not finished (the loop keeps this) */
	bool cancelled;
};

void nr_loop_op_init(struct nr_loop_op *op, nr_loop_op_fn fn, void *arg);

/*
 * Set up the ring (entries: submission queue size, a power of two; 0:
 * 256). 0 if it is already on. A negative errno when io_uring cannot be
 * used (-ENOSYS: no io_uring or blocked by seccomp; -EPERM: the
 * kernel.io_uring_disabled sysctl, seccomp or a container's policy;
 * -EOPNOTSUPP: a kernel too old for what the loop needs); the loop then
 * keeps working on epoll alone.
 */
int nr_loop_uring_enable(struct nr_loop *l, unsigned entries);
bool nr_loop_uring_enabled(const struct nr_loop *l);
/* The running kernel knows this IORING_OP_* (false without a ring). */
bool nr_loop_uring_supports(const struct nr_loop *l, unsigned opcode);
/*
 * A zeroed submission entry for op (user_data set: leave it), submitted
 * with the loop's next wait. NULL without a ring or when the queue is
 * full even after submitting what it holds.
 */
struct io_uring_sqe *nr_loop_uring_sqe(struct nr_loop *l, struct nr_loop_op *op);
/* Submit what is queued now, without waiting. */
int nr_loop_uring_submit(struct nr_loop *l);
/*
 * Cancel op's requests and wait (bounded: a few seconds) until none is
 * in flight; its fn is not called any more. Other ops' completions seen
 * meanwhile are kept for the next iteration. -ETIMEDOUT if some are
 * still in flight (then the memory they use must not be freed).
 */
int nr_loop_op_cancel(struct nr_loop *l, struct nr_loop_op *op);

/*
 * A ring of provided buffers (IORING_REGISTER_PBUF_RING): count buffers
 * of size bytes (count a power of two) that the kernel picks from for
 * requests with IOSQE_BUFFER_SELECT and buf_group nr_loop_bufs_group().
 * Free only once no request using it is in flight.
 */
struct nr_loop_bufs;
int nr_loop_bufs_new(struct nr_loop *l, unsigned count, size_t size, struct nr_loop_bufs **ret);
void nr_loop_bufs_free(struct nr_loop_bufs *b);
uint16_t nr_loop_bufs_group(const struct nr_loop_bufs *b);
size_t nr_loop_bufs_size(const struct nr_loop_bufs *b);
/* Buffer bid (from a completion's flags >> IORING_CQE_BUFFER_SHIFT). */
void *nr_loop_bufs_get(const struct nr_loop_bufs *b, unsigned bid);
/* Give buffer bid back to the kernel once its data is used. */
void nr_loop_bufs_put(struct nr_loop_bufs *b, unsigned bid);

/*
 * Busy polling: before a wait would sleep, look for events without
 * sleeping for up to ns (never past the next timer), as the kernel's
 * SO_BUSY_POLL does for a socket. Waking a sleeping thread can cost more
 * than a round trip of ping -f (an idle virtual CPU is woken by an
 * interrupt), so a flood answered without sleeping may go much faster,
 * for a core kept busy while it lasts. A peer pinned to our CPU waits
 * for the poll to end (ping -f pinned with the responder: 0.88x of the
 * minimal responder's rate, against 1.5x across CPUs). The poll does not
 * sched_yield: with a nice-19 job on every CPU, each yield gave that job
 * a whole slice and ping -f fell to 0.14x. A poll that found nothing
 * makes the next waits (1, 2, 4... up to 1024 of them) sleep at once.
 * With a ring the poll reads the ring's flags (no syscall); without one
 * it is epoll_wait(0) calls. 0 (the loop's default): never. No effect on
 * a fake clock.
 */
void nr_loop_set_busy_poll(struct nr_loop *l, uint64_t ns);

/* --- running --- */

/* Make the current nr_loop_run* return NR_LOOP_STOPPED after this callback. */
void nr_loop_stop(struct nr_loop *l);
/* Until stopped or idle. */
int nr_loop_run(struct nr_loop *l);
/* Until stopped, idle, or the clock reaches deadline_ns. */
int nr_loop_run_until(struct nr_loop *l, uint64_t deadline_ns);
/* At most n iterations (one wait and its callbacks each). */
int nr_loop_run_iterations(struct nr_loop *l, uint64_t n);

#endif
