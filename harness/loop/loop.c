/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The epoll loop (see loop/loop.h). The optional io_uring path lives in
 * uring.c; it comes in at one place, the wait of iterate(), and at the
 * loop's liveness and teardown.
 */
#include "loop/loop_priv.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/queue.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NO_DEADLINE UINT64_MAX
#define NO_LIMIT UINT64_MAX

struct nr_loop_watch {
	struct nr_loop *loop;
	int fd;
	unsigned events;
	nr_loop_fd_fn fn;
	void *arg;
	bool dead;
	/* The loop's own fds (timerfd, signalfd, pidfds) do not keep it running. */
	bool internal;
	LIST_ENTRY(nr_loop_watch) link; /* live list, then dead list */
};

struct nr_loop_child {
	struct nr_loop *loop;
	pid_t pid;
	int pidfd;
	nr_loop_child_fn fn;
	void *arg;
	struct nr_loop_watch *w;
	LIST_ENTRY(nr_loop_child) link;
};

static uint32_t to_epoll(unsigned events)
{
	uint32_t e = 0;

	if (events & NR_LOOP_READ)
		e |= EPOLLIN;
	if (events & NR_LOOP_WRITE)
		e |= EPOLLOUT;
	return e;
}

static unsigned from_epoll(uint32_t e)
{
	unsigned events = 0;

	if (e & EPOLLIN)
		events |= NR_LOOP_READ;
	if (e & EPOLLOUT)
		events |= NR_LOOP_WRITE;
	if (e & (EPOLLERR | EPOLLHUP))
		events |= NR_LOOP_ERROR;
	return events;
}

static int watch_add(struct nr_loop *l, int fd, unsigned events, nr_loop_fd_fn fn, void *arg,
		     bool internal, struct nr_loop_watch **ret)
{
	struct epoll_event ev = {0};
	struct nr_loop_watch *w;

	if (fd < 0 || !fn)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->loop = l;
	w->fd = fd;
	w->events = events;
	w->fn = fn;
	w->arg = arg;
	w->internal = internal;
	ev.events = to_epoll(events);
	ev.data.ptr = w;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = -errno;

		free(w);
		return err;
	}
	LIST_INSERT_HEAD(&l->watches, w, link);
	if (!internal)
		l->user_watches++;
	*ret = w;
	return 0;
}

int nr_loop_fd_add(struct nr_loop *l, int fd, unsigned events, nr_loop_fd_fn fn, void *arg,
		   struct nr_loop_watch **ret)
{
	struct nr_loop_watch *w = NULL;
	int r;

	r = watch_add(l, fd, events, fn, arg, false, &w);
	if (r < 0)
		return r;
	if (ret)
		*ret = w;
	return 0;
}

int nr_loop_fd_set_events(struct nr_loop_watch *w, unsigned events)
{
	struct epoll_event ev = {0};

	if (w->dead)
		return -ENOENT;
	ev.events = to_epoll(events);
	ev.data.ptr = w;
	if (epoll_ctl(w->loop->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0)
		return -errno;
	w->events = events;
	return 0;
}

void nr_loop_fd_remove(struct nr_loop_watch *w)
{
	struct nr_loop *l;

	if (!w || w->dead)
		return;
	l = w->loop;
	/* EBADF when the caller closed the fd first: the kernel dropped it already. */
	(void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->dead = true;
	if (!w->internal)
		l->user_watches--;
	/* Events for it may still sit in this iteration's batch: free it later. */
	LIST_REMOVE(w, link);
	LIST_INSERT_HEAD(&l->dead, w, link);
}

static void reap_dead(struct nr_loop *l)
{
	struct nr_loop_watch *w;

	while ((w = LIST_FIRST(&l->dead))) {
		LIST_REMOVE(w, link);
		free(w);
	}
}

/* --- timers --- */

void nr_timer_init(struct nr_timer *t, nr_timer_fn fn, void *arg)
{
	nr_timerheap_node_init(&t->node);
	t->fn = fn;
	t->arg = arg;
}

bool nr_timer_armed(const struct nr_timer *t)
{
	return nr_timerheap_node_queued(&t->node);
}

uint64_t nr_timer_deadline(const struct nr_timer *t)
{
	return t->node.deadline;
}

int nr_loop_timer_arm(struct nr_loop *l, struct nr_timer *t, uint64_t deadline_ns)
{
	if (!t->fn)
		return -EINVAL;
	return nr_timerheap_set(&l->timers, &t->node, deadline_ns);
}

int nr_loop_timer_arm_in(struct nr_loop *l, struct nr_timer *t, uint64_t delay_ns)
{
	uint64_t d = l->now + delay_ns;

	if (d < l->now) /* saturate rather than wrap into the past */
		d = NO_DEADLINE - 1;
	return nr_loop_timer_arm(l, t, d);
}

bool nr_loop_timer_cancel(struct nr_loop *l, struct nr_timer *t)
{
	return nr_timerheap_remove(&l->timers, &t->node);
}

static void fire_timers(struct nr_loop *l)
{
	/* Timers (re-)armed by these callbacks wait for the next iteration. */
	uint64_t limit = l->timers.next_seq;
	struct nr_timerheap_node *node;

	while (!l->stop && (node = nr_timerheap_peek(&l->timers)) && node->deadline <= l->now &&
	       node->seq < limit) {
		struct nr_timer *t = (struct nr_timer *)node;

		nr_timerheap_pop(&l->timers);
		l->stats.timers_fired++;
		t->fn(l, t, t->arg);
	}
}

static void timerfd_ready(struct nr_loop *l, int fd, unsigned events, void *arg)
{
	uint64_t expirations;

	(void)events;
	(void)arg;
	/* Clear readiness; the heap, not the count, says what is due. */
	if (read(fd, &expirations, sizeof(expirations)) == (ssize_t)sizeof(expirations))
		l->tfd_armed = 0;
}

static int timerfd_arm(struct nr_loop *l, uint64_t deadline)
{
	struct itimerspec its = {0};

	if (deadline == NO_DEADLINE)
		deadline = 0;
	else if (deadline == 0)
		deadline = 1; /* 0 would disarm; 1 ns is as past as 0 */
	if (deadline == l->tfd_armed)
		return 0;
	its.it_value.tv_sec = (time_t)(deadline / NR_NSEC_PER_SEC);
	its.it_value.tv_nsec = (long)(deadline % NR_NSEC_PER_SEC);
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		return -errno;
	l->tfd_armed = deadline;
	return 0;
}

/* --- signals --- */

static void signalfd_ready(struct nr_loop *l, int fd, unsigned events, void *arg)
{
	struct signalfd_siginfo si;

	(void)events;
	(void)arg;
	/* Stop reading once stopped: unread signals stay pending for the next run. */
	while (!l->stop && read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		int signo = (int)si.ssi_signo;

		if (signo <= 0 || signo >= NR_LOOP_NSIG || !l->sig[signo].handled)
			continue;
		l->stats.signals++;
		l->sig[signo].fn(l, signo, l->sig[signo].arg);
	}
}

int nr_loop_signal_add(struct nr_loop *l, int signo, nr_loop_signal_fn fn, void *arg)
{
	struct nr_loop_sig_slot *s;
	sigset_t one, old;
	int r;

	if (signo <= 0 || signo >= NR_LOOP_NSIG || signo == SIGKILL || signo == SIGSTOP || !fn)
		return -EINVAL;
	s = &l->sig[signo];
	if (s->handled)
		return -EEXIST;
	sigemptyset(&one);
	sigaddset(&one, signo);
	r = pthread_sigmask(SIG_BLOCK, &one, &old);
	if (r != 0)
		return -r;
	sigaddset(&l->sigmask, signo);
	if (l->sfd < 0) {
		struct nr_loop_watch *w;

		l->sfd = signalfd(-1, &l->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
		if (l->sfd < 0) {
			r = -errno;
			goto fail;
		}
		r = watch_add(l, l->sfd, NR_LOOP_READ, signalfd_ready, NULL, true, &w);
		if (r < 0) {
			close(l->sfd);
			l->sfd = -1;
			goto fail;
		}
	} else if (signalfd(l->sfd, &l->sigmask, 0) < 0) {
		r = -errno;
		goto fail;
	}
	s->fn = fn;
	s->arg = arg;
	s->handled = true;
	s->was_blocked = sigismember(&old, signo) == 1;
	l->nsignals++;
	return 0;

fail:
	sigdelset(&l->sigmask, signo);
	if (sigismember(&old, signo) != 1)
		pthread_sigmask(SIG_UNBLOCK, &one, NULL);
	return r;
}

int nr_loop_signal_remove(struct nr_loop *l, int signo)
{
	struct nr_loop_sig_slot *s;
	sigset_t one;

	if (signo <= 0 || signo >= NR_LOOP_NSIG)
		return -EINVAL;
	s = &l->sig[signo];
	if (!s->handled)
		return -ENOENT;
	sigdelset(&l->sigmask, signo);
	/* Cannot fail for a valid signalfd and mask. */
	(void)signalfd(l->sfd, &l->sigmask, 0);
	if (!s->was_blocked) {
		static const struct timespec now = {0, 0};

		sigemptyset(&one);
		sigaddset(&one, signo);
		/*
		 * One still pending would be acted on as soon as it is unblocked
		 * (SIGTERM's default kills): it was meant for the loop, which is
		 * going away, so it is consumed. Bounded: real-time signals queue.
		 */
		for (int i = 0; i < 64 && sigtimedwait(&one, NULL, &now) == signo; i++)
			;
		pthread_sigmask(SIG_UNBLOCK, &one, NULL);
	}
	memset(s, 0, sizeof(*s));
	l->nsignals--;
	return 0;
}

/* --- children --- */

static void child_free(struct nr_loop_child *c)
{
	nr_loop_fd_remove(c->w);
	close(c->pidfd);
	LIST_REMOVE(c, link);
	free(c);
}

static void pidfd_ready(struct nr_loop *l, int fd, unsigned events, void *arg)
{
	struct nr_loop_child *c = arg;
	nr_loop_child_fn fn = c->fn;
	void *fn_arg = c->arg;
	pid_t pid = c->pid;
	int status = 0;
	pid_t r;

	(void)fd;
	(void)events;
	r = waitpid(pid, &status, WNOHANG);
	if (r == 0)
		return; /* not exited after all (cannot happen for a pidfd): keep waiting */
	if (r < 0)
		status = -errno;
	child_free(c);
	l->stats.children++;
	fn(l, pid, status, fn_arg);
}

int nr_loop_child_add(struct nr_loop *l, pid_t pid, nr_loop_child_fn fn, void *arg)
{
	struct nr_loop_child *c;
	int r;

	if (pid <= 0 || !fn)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	/* The raw syscall: glibc before 2.36 has no pidfd_open wrapper. */
	c->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (c->pidfd < 0) {
		r = -errno;
		free(c);
		return r;
	}
	c->loop = l;
	c->pid = pid;
	c->fn = fn;
	c->arg = arg;
	r = watch_add(l, c->pidfd, NR_LOOP_READ, pidfd_ready, c, true, &c->w);
	if (r < 0) {
		close(c->pidfd);
		free(c);
		return r;
	}
	LIST_INSERT_HEAD(&l->children, c, link);
	return 0;
}

/* --- the loop --- */

int nr_loop_new(struct nr_clock *clock, struct nr_loop **ret)
{
	struct nr_loop *l;
	int r;

	if (!clock)
		clock = nr_clock_monotonic();
	if (!clock->advance_to && clock->clockid < 0)
		return -EINVAL; /* a real clock the kernel cannot wait on */
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->clock = clock;
	l->epfd = -1;
	l->tfd = -1;
	l->sfd = -1;
	nr_timerheap_init(&l->timers);
	LIST_INIT(&l->watches);
	LIST_INIT(&l->dead);
	LIST_INIT(&l->children);
	sigemptyset(&l->sigmask);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		r = -errno;
		goto fail;
	}
	if (!clock->advance_to) {
		struct nr_loop_watch *w;

		l->tfd = timerfd_create(clock->clockid, TFD_NONBLOCK | TFD_CLOEXEC);
		if (l->tfd < 0) {
			r = -errno;
			goto fail;
		}
		r = watch_add(l, l->tfd, NR_LOOP_READ, timerfd_ready, NULL, true, &w);
		if (r < 0)
			goto fail;
	}
	l->now = clock->now_ns(clock);
	*ret = l;
	return 0;

fail:
	nr_loop_free(l);
	return r;
}

void nr_loop_free(struct nr_loop *l)
{
	struct nr_loop_watch *w;
	struct nr_loop_child *c;

	if (!l)
		return;
	for (int s = 1; s < NR_LOOP_NSIG; s++)
		if (l->sig[s].handled)
			nr_loop_signal_remove(l, s);
	while ((c = LIST_FIRST(&l->children)))
		child_free(c);
	while ((w = LIST_FIRST(&l->watches)))
		nr_loop_fd_remove(w);
	reap_dead(l);
	nr_timerheap_done(&l->timers);
	nr_loop_ring_free(l->ring);
	if (l->sfd >= 0)
		close(l->sfd);
	if (l->tfd >= 0)
		close(l->tfd);
	if (l->epfd >= 0)
		close(l->epfd);
	free(l);
}

struct nr_clock *nr_loop_clock(const struct nr_loop *l)
{
	return l->clock;
}

uint64_t nr_loop_now(const struct nr_loop *l)
{
	return l->now;
}

uint64_t nr_loop_update_time(struct nr_loop *l)
{
	l->now = l->clock->now_ns(l->clock);
	return l->now;
}

const struct nr_loop_stats *nr_loop_stats(const struct nr_loop *l)
{
	return &l->stats;
}

void nr_loop_set_busy_poll(struct nr_loop *l, uint64_t ns)
{
	l->busy_ns = ns;
}

void nr_loop_stop(struct nr_loop *l)
{
	l->stop = true;
}

static bool alive(const struct nr_loop *l)
{
	return l->user_watches > 0 || nr_timerheap_size(&l->timers) > 0 || l->nsignals > 0 ||
	       !LIST_EMPTY(&l->children) || nr_loop_ring_inflight(l->ring) > 0;
}

static uint64_t next_deadline(const struct nr_loop *l, uint64_t until)
{
	const struct nr_timerheap_node *top = nr_timerheap_peek(&l->timers);

	if (top && top->deadline < until)
		return top->deadline;
	return until;
}

/* Busy polling without a ring: epoll_wait(0) until events or busy_ns (see loop.h). */
static int epoll_busy_poll(struct nr_loop *l, struct epoll_event *evs)
{
	uint64_t until = nr_loop_busy_until(l);
	int n;

	do {
		n = epoll_wait(l->epfd, evs, NR_LOOP_EVENT_BATCH, 0);
		if (n != 0) {
			if (n > 0)
				nr_loop_busy_result(l, true);
			return n < 0 && errno == EINTR ? 0 : n;
		}
	} while (l->clock->now_ns(l->clock) < until);
	nr_loop_busy_result(l, false);
	return 0;
}

/* One wait and its callbacks. 0, NR_LOOP_IDLE, or a negative errno. */
static int iterate(struct nr_loop *l, uint64_t until)
{
	struct epoll_event evs[NR_LOOP_EVENT_BATCH];
	bool fake = l->clock->advance_to != NULL;
	uint64_t next = next_deadline(l, until);
	size_t handed = 0;
	int timeout = 0;
	int n = 0, r = 0;

	l->stats.iterations++;
	if (!fake) {
		if (next == NO_DEADLINE && !alive(l))
			return NR_LOOP_IDLE;
		if (next > l->now) {
			r = timerfd_arm(l, next);
			if (r < 0)
				return r;
			timeout = -1;
		}
	}
	l->stats.waits++;
	if (timeout != 0)
		l->stats.blocking_waits++;
	/*
	 * io_uring hook (uring.c): with a ring the loop sleeps in
	 * io_uring_enter instead of epoll_wait, the epoll fd being one of
	 * the ring's requests. Completions of user requests are handed to
	 * their ops in there (counted in handed); the epoll fd's events come
	 * back in evs, as epoll_wait's would.
	 */
	if (l->ring) {
		r = nr_loop_ring_wait(l, timeout != 0, evs, &n, &handed);
		if (r < 0)
			return r;
	} else {
		n = 0;
		if (timeout != 0 && nr_loop_busy_try(l))
			n = epoll_busy_poll(l, evs);
		if (n == 0)
			n = epoll_wait(l->epfd, evs, NR_LOOP_EVENT_BATCH, timeout);
		if (n < 0) {
			if (errno != EINTR)
				return -errno;
			n = 0;
		}
		nr_loop_update_time(l);
	}
	for (int i = 0; i < n && !l->stop; i++) {
		struct nr_loop_watch *w = evs[i].data.ptr;

		if (w->dead)
			continue;
		if (!w->internal)
			l->stats.fd_events++;
		w->fn(l, w->fd, from_epoll(evs[i].events), w->arg);
	}
	if (l->stop)
		goto out;
	if (fake && n == 0 && handed == 0) {
		/* Nothing happened: let time pass, instantly, to the next deadline. */
		next = next_deadline(l, until);
		if (next == NO_DEADLINE) {
			r = NR_LOOP_IDLE;
			goto out;
		}
		if (next > l->now) {
			l->clock->advance_to(l->clock, next);
			l->stats.clock_jumps++;
			nr_loop_update_time(l);
		}
	}
	fire_timers(l);
out:
	reap_dead(l);
	return r;
}

static int run(struct nr_loop *l, uint64_t until, uint64_t max_iterations)
{
	uint64_t done = 0;
	int r;

	nr_loop_update_time(l);
	for (;;) {
		if (l->stop) {
			l->stop = false;
			return NR_LOOP_STOPPED;
		}
		if (until != NO_DEADLINE && l->now >= until)
			return NR_LOOP_DEADLINE;
		if (done == max_iterations)
			return NR_LOOP_ITERATIONS;
		r = iterate(l, until);
		if (r != 0)
			return r;
		done++;
	}
}

int nr_loop_run(struct nr_loop *l)
{
	return run(l, NO_DEADLINE, NO_LIMIT);
}

int nr_loop_run_until(struct nr_loop *l, uint64_t deadline_ns)
{
	/* NO_DEADLINE itself means "no deadline"; nobody runs until year 2554. */
	return run(l, deadline_ns, NO_LIMIT);
}

int nr_loop_run_iterations(struct nr_loop *l, uint64_t n)
{
	return run(l, NO_DEADLINE, n);
}
