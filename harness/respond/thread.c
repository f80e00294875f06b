/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * respond's link thread (respond_priv.h, NR_RESPOND_IO_THREAD). Per
 * frame: [spin] read() blocking on the link's fd, then under the lock
 * count the frame, give it to the host and write what the host queued:
 * without a spin, two syscalls a reply, the plainest responder's cost,
 * where the loop pays a wait, a read and a write. Whether to spin before
 * the read is measured (spin.h); the spin is poll() with a zero timeout,
 * so a fd that blocks stays blocking and a read after a spin that found
 * nothing simply sleeps.
 *
 * Stopping a thread blocked in read(): the loop's thread sets the fd
 * O_NONBLOCK, then sends WAKE_SIG to the thread (its handler does
 * nothing, installed without SA_RESTART): a read already asleep ends
 * with EINTR, and one not yet started does not block, since the flag was
 * set before the signal. The thread blocks every other signal; the loop
 * keeps receiving them through its signalfd.
 */
#include "respond/respond_priv.h"

#include "netrig/kbuild.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define WAKE_SIG SIGURG
#define ERROR_PAUSE_MS 10 /* after a link error, before reading again */

static void on_wake_sig(int signo)
{
	(void)signo;
}

void respond_poke(struct nr_respond *r)
{
	uint64_t one = 1;

	/* A full counter (2^64 - 2 pokes unread) already wakes it. */
	(void)!write(r->poke, &one, sizeof(one));
}

static int start_thread(struct nr_respond *r);

static void on_poke(struct nr_loop *l, int fd, unsigned events, void *arg)
{
	struct nr_respond *r = arg;
	uint64_t v;
	int e;

	(void)events;
	(void)!read(fd, &v, sizeof(v));
	if (!r->threaded && !r->thread_tried && !r->done) {
		r->thread_tried = true;
		e = start_thread(r);
		if (e < 0) {
			r->thread_err = e;
			respond_epoll_fallback(r);
		}
	}
	respond_lock(r);
	if (r->done)
		nr_loop_stop(l);
	respond_rearm(r);
	respond_unlock(r);
}

/* Poll the fd until it is readable or `budget` ns went by: true if readable. */
static bool spin(struct nr_respond *r, int fd, uint64_t budget)
{
	struct nr_clock *c = nr_loop_clock(r->loop);
	struct pollfd p = {.fd = fd, .events = POLLIN};
	uint64_t until = c->now_ns(c) + budget;

	do {
		if (poll(&p, 1, 0) > 0)
			return true; /* readable, or an error the read will tell */
	} while (!atomic_load_explicit(&r->stop, memory_order_relaxed) && c->now_ns(c) < until);
	return false;
}

/* One frame read; the host's answer written. false: the thread ends. */
static bool one_frame(struct nr_respond *r, size_t n)
{
	struct nr_clock *c = nr_loop_clock(r->loop);
	uint64_t now = c->now_ns(c);
	bool wake, more;

	nr_spin_arrival(&r->spin, now);
	respond_lock(r);
	if (r->done) {
		/* --count reached by a timer's reply: this frame is left, as unread. */
		respond_unlock(r);
		return false;
	}
	respond_frame_in(r, r->buf, n, now);
	/* The loop's timer is the loop thread's: ask it when it must move. */
	wake = n <= r->buf_len && nr_host_next_deadline(r->host, now) < r->armed;
	more = !r->done; /* done: respond_drain poked the loop's thread */
	respond_unlock(r);
	if (wake)
		respond_poke(r);
	return more;
}

static void *link_thread(void *arg)
{
	struct nr_respond *r = arg;
	int fd = nr_link_fd(r->link);
	sigset_t mask;

	sigfillset(&mask);
	sigdelset(&mask, WAKE_SIG);
	pthread_sigmask(SIG_SETMASK, &mask, NULL);
	while (!atomic_load(&r->stop)) {
		uint64_t budget = nr_spin_budget(&r->spin);
		ssize_t n;
		int e;

		if (budget)
			nr_spin_result(&r->spin, spin(r, fd, budget));
		n = read(fd, r->buf, r->buf_len + 1);
		if (n > 0) {
			if (!one_frame(r, (size_t)n))
				break;
			continue;
		}
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue; /* woken to stop, or stopping */
		/* A link error: counted; the end when the device went away, else a pause. */
		e = n < 0 ? -errno : -EIO;
		respond_lock(r);
		r->stats.rx_errors++;
		if (nr_tuntap_gone(e)) {
			r->failed = e;
			r->done = true;
		}
		respond_unlock(r);
		if (r->failed) {
			respond_poke(r);
			break;
		}
		(void)poll(NULL, 0, ERROR_PAUSE_MS);
	}
	return NULL;
}

/* Installed once and never taken back: a later instance's signal must not be lost. */
static void install_wake_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_wake_sig; /* no SA_RESTART: a sleeping read() ends */
	sigemptyset(&sa.sa_mask);
	(void)sigaction(WAKE_SIG, &sa, NULL);
}

static pthread_once_t wake_handler_once = PTHREAD_ONCE_INIT;

/* On the loop's thread, from its first poke: after the caller's "ready" line. */
static int start_thread(struct nr_respond *r)
{
	int fd = nr_link_fd(r->link);
	sigset_t all, old;
	int e;

	(void)pthread_once(&wake_handler_once, install_wake_handler);
	r->fd_flags = fcntl(fd, F_GETFL);
	if (r->fd_flags < 0 || fcntl(fd, F_SETFL, r->fd_flags & ~O_NONBLOCK) < 0)
		return -errno;
	nr_spin_init(&r->spin, r->o.busy_ns);
	atomic_init(&r->stop, false);
	r->threaded = true;
	/* Created with every signal blocked; it unblocks WAKE_SIG alone. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = -pthread_create(&r->thread, NULL, link_thread, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e < 0) {
		r->threaded = false;
		(void)fcntl(fd, F_SETFL, r->fd_flags);
		return e;
	}
	/* What top -H and /proc/PID/task/TID/comm show. */
	(void)pthread_setname_np(r->thread, "netrig-link");
	return 0;
}

int respond_thread_prepare(struct nr_respond *r)
{
	uint64_t one = 1;
	int e;

	r->poke = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->poke < 0)
		return -errno;
	e = nr_loop_fd_add(r->loop, r->poke, NR_LOOP_READ, on_poke, r, &r->poke_watch);
	if (e < 0)
		goto fail_fd;
	e = -pthread_mutex_init(&r->lock, NULL);
	if (e < 0)
		goto fail_watch;
	/* The first poke starts the thread, when the loop first runs. */
	if (write(r->poke, &one, sizeof(one)) < 0) {
		e = -errno;
		pthread_mutex_destroy(&r->lock);
		goto fail_watch;
	}
	r->thread_wanted = true;
	return 0;
fail_watch:
	nr_loop_fd_remove(r->poke_watch);
	r->poke_watch = NULL;
fail_fd:
	close(r->poke);
	r->poke = -1;
	return e;
}

/* Wake the thread until it is joined: a write blocked on a full pipe (--verbose) may eat one. */
static void join(struct nr_respond *r)
{
	for (;;) {
		struct timespec ts;

		pthread_kill(r->thread, WAKE_SIG);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (pthread_timedjoin_np(r->thread, NULL, &ts) != ETIMEDOUT)
			return;
	}
}

void respond_thread_stop(struct nr_respond *r)
{
	int fd = nr_link_fd(r->link);

	if (r->threaded) {
		atomic_store(&r->stop, true);
		/* The order matters (see the top): the flag first, then the signal. */
		(void)fcntl(fd, F_SETFL, r->fd_flags | O_NONBLOCK);
		join(r);
		(void)fcntl(fd, F_SETFL, r->fd_flags);
		r->threaded = false;
	}
	if (!r->thread_wanted)
		return;
	r->thread_wanted = false;
	pthread_mutex_destroy(&r->lock);
	nr_loop_fd_remove(r->poke_watch);
	r->poke_watch = NULL;
	close(r->poke);
	r->poke = -1;
}
