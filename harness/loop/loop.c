/* SPDX-License-Identifier: BSD-2-Clause */
#include "loop/loop.h"

#include <errno.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/queue.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NR_LOOP_NSIG 65 /* signals 1..64 on Linux */
#define NO_DEADLINE UINT64_MAX
#define NO_LIMIT UINT64_MAX
#define EVENT_BATCH 64

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

struct child {
	struct nr_loop *loop;
	pid_t pid;
	int pidfd;
	nr_loop_child_fn fn;
	void *arg;
	struct nr_loop_watch *w;
	LIST_ENTRY(child) link;
};

struct sig_slot {
	nr_loop_signal_fn fn;
	void *arg;
	bool handled;
	bool was_blocked; /* restore the caller's mask as it was */
};

struct ring;

struct nr_loop {
	struct nr_clock *clock;
	struct ring *ring; /* NULL: epoll alone */
	int epfd;
	int tfd; /* -1 on a fake clock */
	int sfd; /* created with the first signal */
	uint64_t tfd_armed; /* absolute deadline the timerfd is set to, 0 = disarmed */
	uint64_t now;
	struct nr_timerheap timers;
	size_t user_watches;
	size_t nsignals;
	LIST_HEAD(, nr_loop_watch) watches;
	LIST_HEAD(, nr_loop_watch) dead;
	LIST_HEAD(, child) children;
	sigset_t sigmask;
	struct sig_slot sig[NR_LOOP_NSIG];
	bool stop;
	uint64_t busy_ns;
	unsigned busy_skip;   /* blocking waits left that sleep at once (after misses) */
	unsigned busy_misses; /* busy polls in a row that found nothing */
	struct nr_loop_stats stats;
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
	struct sig_slot *s;
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
	struct sig_slot *s;
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

static void child_free(struct child *c)
{
	nr_loop_fd_remove(c->w);
	close(c->pidfd);
	LIST_REMOVE(c, link);
	free(c);
}

static void pidfd_ready(struct nr_loop *l, int fd, unsigned events, void *arg)
{
	struct child *c = arg;
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
	struct child *c;
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

/* --- io_uring --- */

/*
 * Raw syscalls on <linux/io_uring.h>: liburing is not a dependency, and
 * the loop needs little of it (one wait, a few opcodes, provided buffers).
 */
#define TAG_IGNORE 0u /* the loop's cancel requests: nothing to do */
#define TAG_EPOLL 1u  /* the poll request on the loop's epoll fd */
#define RING_ENTRIES 256u
#define CANCEL_WAIT_MS 100
#define CANCEL_TRIES 50 /* 5 s in all */

struct deferred_cqe {
	struct nr_loop_op *op;
	int32_t res;
	uint32_t flags;
};

struct ring {
	int fd;
	unsigned setup_flags;
	void *map;
	size_t map_len;
	struct io_uring_sqe *sqes;
	size_t sqes_len;
	unsigned sq_entries;
	unsigned *sq_head, *sq_tail, *sq_mask, *sq_array, *sq_flags;
	unsigned sq_fill; /* next entry to fill; published to *sq_tail on submit */
	unsigned quick;   /* queued requests of quick ops (nr_loop_op.quick) */
	unsigned *cq_head, *cq_tail, *cq_mask;
	struct io_uring_cqe *cqes;
	bool epoll_armed; /* the poll on the epoll fd is in flight */
	bool epoll_ready; /* it fired (or the last batch was full): epoll_wait(0) next */
	unsigned waiting_cancel; /* inside nr_loop_op_cancel: defer other ops' completions */
	size_t inflight;  /* user requests not finished */
	uint16_t next_bgid;
	struct deferred_cqe *deferred;
	size_t ndeferred, deferred_cap;
	uint8_t ops[256]; /* IO_URING_OP_SUPPORTED per opcode, from the probe */
};

static int sys_uring_setup(unsigned entries, struct io_uring_params *p)
{
	return (int)syscall(__NR_io_uring_setup, entries, p);
}

static int sys_uring_enter(int fd, unsigned submit, unsigned min, unsigned flags, void *arg,
			   size_t argsz)
{
	return (int)syscall(__NR_io_uring_enter, fd, submit, min, flags, arg, argsz);
}

static int sys_uring_register(int fd, unsigned op, void *arg, unsigned n)
{
	return (int)syscall(__NR_io_uring_register, fd, op, arg, n);
}

static void ring_free(struct ring *g)
{
	if (!g)
		return;
	/* Closing the fd cancels what is left; users cancelled theirs first. */
	if (g->fd >= 0)
		close(g->fd);
	if (g->sqes)
		munmap(g->sqes, g->sqes_len);
	if (g->map)
		munmap(g->map, g->map_len);
	free(g->deferred);
	free(g);
}

static void ring_probe(struct ring *g)
{
	size_t len = sizeof(struct io_uring_probe) + 256 * sizeof(struct io_uring_probe_op);
	struct io_uring_probe *p = calloc(1, len);

	if (!p)
		return;
	if (sys_uring_register(g->fd, IORING_REGISTER_PROBE, p, 256) == 0)
		for (unsigned i = 0; i < p->ops_len && i < 256; i++)
			if (p->ops[i].flags & IO_URING_OP_SUPPORTED)
				g->ops[p->ops[i].op] = 1;
	free(p);
}

static void *at(void *base, uint32_t off)
{
	return (uint8_t *)base + off;
}

int nr_loop_uring_enable(struct nr_loop *l, unsigned entries)
{
	/*
	 * Task work deferred to our own waits (DEFER_TASKRUN) spares the
	 * interrupts of completions arriving while we run; older kernels
	 * refuse those flags (EINVAL) and get the next set.
	 */
	/* TASKRUN_FLAG: pending task work shows in the ring's flags, for busy polling. */
	static const unsigned flag_sets[] = {
		IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL |
		    IORING_SETUP_TASKRUN_FLAG,
		IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_TASKRUN_FLAG,
		0,
	};
	struct io_uring_params p;
	struct ring *g;
	int r = -EINVAL;

	if (l->ring)
		return 0;
	if (entries == 0)
		entries = RING_ENTRIES;
	if (entries & (entries - 1))
		return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->fd = -1;
	for (size_t i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
		memset(&p, 0, sizeof(p));
		p.flags = flag_sets[i];
		g->fd = sys_uring_setup(entries, &p);
		if (g->fd >= 0) {
			g->setup_flags = flag_sets[i];
			break;
		}
		r = -errno;
		if (r != -EINVAL)
			break;
	}
	if (g->fd < 0)
		goto fail;
	/* NODROP: a full completion queue holds completions back, never loses them. */
	if (!(p.features & IORING_FEAT_SINGLE_MMAP) || !(p.features & IORING_FEAT_NODROP) ||
	    !(p.features & IORING_FEAT_EXT_ARG)) {
		r = -EOPNOTSUPP;
		goto fail;
	}
	g->map_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	if (g->map_len < p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe))
		g->map_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	g->map = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, g->fd,
		      IORING_OFF_SQ_RING);
	if (g->map == MAP_FAILED) {
		g->map = NULL;
		r = -errno;
		goto fail;
	}
	g->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	g->sqes = mmap(NULL, g->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, g->fd,
		       IORING_OFF_SQES);
	if (g->sqes == MAP_FAILED) {
		g->sqes = NULL;
		r = -errno;
		goto fail;
	}
	g->sq_entries = p.sq_entries;
	g->sq_head = at(g->map, p.sq_off.head);
	g->sq_tail = at(g->map, p.sq_off.tail);
	g->sq_mask = at(g->map, p.sq_off.ring_mask);
	g->sq_array = at(g->map, p.sq_off.array);
	g->sq_flags = at(g->map, p.sq_off.flags);
	g->sq_fill = *g->sq_tail;
	g->cq_head = at(g->map, p.cq_off.head);
	g->cq_tail = at(g->map, p.cq_off.tail);
	g->cq_mask = at(g->map, p.cq_off.ring_mask);
	g->cqes = at(g->map, p.cq_off.cqes);
	ring_probe(g);
	if (!g->ops[IORING_OP_POLL_ADD] || !g->ops[IORING_OP_ASYNC_CANCEL]) {
		r = -EOPNOTSUPP;
		goto fail;
	}
	l->ring = g;
	return 0;

fail:
	ring_free(g);
	return r;
}

bool nr_loop_uring_enabled(const struct nr_loop *l)
{
	return l->ring != NULL;
}

bool nr_loop_uring_supports(const struct nr_loop *l, unsigned opcode)
{
	return l->ring && opcode < 256 && l->ring->ops[opcode];
}

void nr_loop_op_init(struct nr_loop_op *op, nr_loop_op_fn fn, void *arg)
{
	memset(op, 0, sizeof(*op));
	op->fn = fn;
	op->arg = arg;
}

/* 0 or -errno; the queue is handed to the kernel up to sq_fill. */
static int ring_enter(struct nr_loop *l, unsigned min, unsigned flags, void *arg, size_t argsz)
{
	struct ring *g = l->ring;
	unsigned submit;
	int n;

	__atomic_store_n(g->sq_tail, g->sq_fill, __ATOMIC_RELEASE);
	submit = g->sq_fill - __atomic_load_n(g->sq_head, __ATOMIC_ACQUIRE);
	g->quick = 0;
	l->stats.ring_enters++;
	n = sys_uring_enter(g->fd, submit, min, flags, arg, argsz);
	if (n < 0 && errno != EINTR && errno != EAGAIN && errno != EBUSY && errno != ETIME)
		return -errno;
	return 0;
}

int nr_loop_uring_submit(struct nr_loop *l)
{
	if (!l->ring)
		return -EOPNOTSUPP;
	/* With deferred task work, completions are only posted for GETEVENTS. */
	return ring_enter(l, 0, IORING_ENTER_GETEVENTS, NULL, 0);
}

static struct io_uring_sqe *ring_sqe(struct nr_loop *l, uint64_t user_data)
{
	struct ring *g = l->ring;
	struct io_uring_sqe *sqe;
	unsigned idx;

	if (g->sq_fill - __atomic_load_n(g->sq_head, __ATOMIC_ACQUIRE) >= g->sq_entries) {
		(void)ring_enter(l, 0, 0, NULL, 0);
		if (g->sq_fill - __atomic_load_n(g->sq_head, __ATOMIC_ACQUIRE) >= g->sq_entries)
			return NULL;
	}
	idx = g->sq_fill & *g->sq_mask;
	sqe = &g->sqes[idx];
	memset(sqe, 0, sizeof(*sqe));
	sqe->user_data = user_data;
	g->sq_array[idx] = idx;
	g->sq_fill++;
	return sqe;
}

struct io_uring_sqe *nr_loop_uring_sqe(struct nr_loop *l, struct nr_loop_op *op)
{
	struct io_uring_sqe *sqe;

	if (!l->ring || !op || !op->fn)
		return NULL;
	sqe = ring_sqe(l, (uint64_t)(uintptr_t)op);
	if (!sqe)
		return NULL;
	op->inflight++;
	op->cancelled = false;
	l->ring->inflight++;
	if (op->quick)
		l->ring->quick++;
	return sqe;
}

static int defer_cqe(struct ring *g, struct nr_loop_op *op, int32_t res, uint32_t flags)
{
	if (g->ndeferred == g->deferred_cap) {
		size_t cap = g->deferred_cap ? 2 * g->deferred_cap : 16;
		struct deferred_cqe *d = realloc(g->deferred, cap * sizeof(*d));

		if (!d)
			return -ENOMEM;
		g->deferred = d;
		g->deferred_cap = cap;
	}
	g->deferred[g->ndeferred++] = (struct deferred_cqe){op, res, flags};
	return 0;
}

/*
 * Take the completions the kernel posted: account for them, then hand
 * them to their ops (or keep them, inside a cancel). Returns how many
 * were handed over. Stops early once the loop is stopped; what is left
 * stays in the queue. The head is re-read for every entry: a callback
 * may cancel an op, which reaps too.
 */
static size_t ring_reap(struct nr_loop *l, bool dispatch)
{
	struct ring *g = l->ring;
	size_t handed = 0;

	while (!(dispatch && l->stop)) {
		unsigned head = *g->cq_head;
		struct io_uring_cqe c;
		struct nr_loop_op *op;

		if (head == __atomic_load_n(g->cq_tail, __ATOMIC_ACQUIRE))
			break;
		c = g->cqes[head & *g->cq_mask];
		__atomic_store_n(g->cq_head, head + 1, __ATOMIC_RELEASE);
		if (c.user_data == TAG_IGNORE)
			continue;
		if (c.user_data == TAG_EPOLL) {
			g->epoll_armed = false;
			g->epoll_ready = true;
			continue;
		}
		op = (struct nr_loop_op *)(uintptr_t)c.user_data;
		if (!(c.flags & IORING_CQE_F_MORE)) {
			op->inflight--;
			g->inflight--;
		}
		if (op->cancelled)
			continue;
		if (!dispatch) {
			/* Lost only if memory runs out; the op's count is right either way. */
			(void)defer_cqe(g, op, c.res, c.flags);
			continue;
		}
		l->stats.completions++;
		handed++;
		op->fn(l, op, c.res, c.flags, op->arg);
	}
	return handed;
}

static size_t ring_dispatch_deferred(struct nr_loop *l)
{
	struct ring *g = l->ring;
	struct deferred_cqe *d = g->deferred;
	size_t n = g->ndeferred, cap = g->deferred_cap, i = 0;

	if (n == 0)
		return 0;
	/*
	 * Taken off the ring first: a callback that cancels an op compacts
	 * or grows the list under us otherwise. In order; entries of an op
	 * cancelled meanwhile are dropped.
	 */
	g->deferred = NULL;
	g->ndeferred = g->deferred_cap = 0;
	for (; i < n && !l->stop; i++) {
		if (d[i].op->cancelled)
			continue;
		l->stats.completions++;
		d[i].op->fn(l, d[i].op, d[i].res, d[i].flags, d[i].op->arg);
	}
	/* Stopped: what is left goes back in front of anything deferred since. */
	if (i < n) {
		size_t left = n - i, more = g->ndeferred;
		struct deferred_cqe *m = d;

		memmove(d, d + i, left * sizeof(*d));
		if (left + more > cap) {
			m = realloc(d, (left + more) * sizeof(*d));
			if (m) {
				cap = left + more;
			} else {
				/* Out of memory: the older ones stay, they must come first. */
				m = d;
				more = 0;
			}
		}
		if (more)
			memcpy(m + left, g->deferred, more * sizeof(*m));
		free(g->deferred);
		g->deferred = m;
		g->ndeferred = left + more;
		g->deferred_cap = cap;
	} else {
		free(d);
	}
	return i;
}

int nr_loop_op_cancel(struct nr_loop *l, struct nr_loop_op *op)
{
	struct ring *g = l->ring;
	struct io_uring_sqe *sqe;
	size_t k = 0;

	if (!op)
		return 0;
	op->cancelled = true;
	if (!g || op->inflight == 0)
		return 0;
	for (size_t i = 0; i < g->ndeferred; i++)
		if (g->deferred[i].op != op)
			g->deferred[k++] = g->deferred[i];
	g->ndeferred = k;
	sqe = ring_sqe(l, TAG_IGNORE);
	if (sqe) {
		sqe->opcode = IORING_OP_ASYNC_CANCEL;
		sqe->addr = (uint64_t)(uintptr_t)op;
		sqe->cancel_flags = IORING_ASYNC_CANCEL_ALL;
	}
	g->waiting_cancel++;
	for (int i = 0; i < CANCEL_TRIES && op->inflight > 0; i++) {
		struct __kernel_timespec ts = {.tv_sec = 0, .tv_nsec = CANCEL_WAIT_MS * 1000000L};
		struct io_uring_getevents_arg arg = {.ts = (uint64_t)(uintptr_t)&ts};

		(void)ring_enter(l, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg,
				 sizeof(arg));
		ring_reap(l, false);
		if (i > 0 && !sqe && op->inflight > 0) {
			/* The queue was full at first: try the cancel again. */
			sqe = ring_sqe(l, TAG_IGNORE);
			if (sqe) {
				sqe->opcode = IORING_OP_ASYNC_CANCEL;
				sqe->addr = (uint64_t)(uintptr_t)op;
				sqe->cancel_flags = IORING_ASYNC_CANCEL_ALL;
			}
		}
	}
	g->waiting_cancel--;
	return op->inflight > 0 ? -ETIMEDOUT : 0;
}

/*
 * A poll that found nothing makes the next 2^misses waits (up to 1024)
 * sleep at once, so a poll that does not pay costs little.
 */
static bool busy_try(struct nr_loop *l)
{
	if (!l->busy_ns)
		return false;
	if (l->busy_skip) {
		l->busy_skip--;
		return false;
	}
	return true;
}

static void busy_result(struct nr_loop *l, bool hit)
{
	if (hit) {
		l->stats.busy_hits++;
		l->busy_misses = 0;
		return;
	}
	l->stats.busy_misses++;
	if (l->busy_misses < 10)
		l->busy_misses++;
	l->busy_skip = 1u << l->busy_misses;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield" ::: "memory");
#endif
}

/*
 * Before sleeping: submit what is queued (the reply must be on its way
 * before we poll for the next request), then watch the ring's memory
 * until the kernel has task work for us (a frame arrived: IORING_SQ_TASKRUN)
 * or a completion, at most busy_ns and never past the next timer. true:
 * something came, do not sleep.
 */
static bool ring_busy_poll(struct nr_loop *l)
{
	struct ring *g = l->ring;
	uint64_t until = l->clock->now_ns(l->clock) + l->busy_ns;
	const struct nr_timerheap_node *top = nr_timerheap_peek(&l->timers);

	if (top && top->deadline < until)
		until = top->deadline;
	if (!(g->setup_flags & IORING_SETUP_TASKRUN_FLAG))
		return false;
	if (ring_enter(l, 0, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return false;
	for (unsigned i = 1;; i++) {
		if (*g->cq_head != __atomic_load_n(g->cq_tail, __ATOMIC_ACQUIRE) ||
		    (__atomic_load_n(g->sq_flags, __ATOMIC_ACQUIRE) & IORING_SQ_TASKRUN)) {
			busy_result(l, true);
			return true;
		}
		cpu_relax();
		/* The clock every 64 turns: a vDSO call costs more than a look at the ring. */
		if (i % 64 == 0 && l->clock->now_ns(l->clock) >= until) {
			busy_result(l, false);
			return false;
		}
	}
}

/*
 * One wait through the ring. The epoll fd is watched by a one-shot poll,
 * armed again after each firing: a new poll checks readiness as it is
 * armed, so a level-triggered fd still ready after its callback wakes
 * the loop again whatever wake-ups the epoll fd gives (tested).
 */
static int ring_wait(struct nr_loop *l, bool block, struct epoll_event *evs, int *ret_events,
		     size_t *ret_handed)
{
	struct ring *g = l->ring;
	unsigned min = 0;
	size_t handed;
	int n = 0, r;

	if (g->epoll_ready || g->ndeferred)
		block = false;
	if (!g->epoll_armed && !g->epoll_ready) {
		struct io_uring_sqe *sqe = ring_sqe(l, TAG_EPOLL);

		if (sqe) {
			sqe->opcode = IORING_OP_POLL_ADD;
			sqe->fd = l->epfd;
			sqe->poll32_events = POLLIN;
			g->epoll_armed = true;
		} else {
			block = false; /* no poll on the epoll fd: do not sleep past its events */
			g->epoll_ready = true;
		}
	}
	if (block && busy_try(l) && ring_busy_poll(l))
		block = false;
	if (block) {
		/*
		 * The wait counts completions already posted and those of quick
		 * requests, which arrive during their submission: sleep past
		 * them until one more. Only when every queued entry is sure to
		 * be submitted (SUBMIT_ALL), or the count could never be met.
		 */
		min = 1;
		if (g->setup_flags & IORING_SETUP_SUBMIT_ALL)
			min += g->quick +
			       (__atomic_load_n(g->cq_tail, __ATOMIC_ACQUIRE) - *g->cq_head);
	}
	/*
	 * Not blocking after a busy poll that saw task work: the enter runs
	 * it (the frame is read), and the completion is there on return.
	 */
	r = ring_enter(l, min, IORING_ENTER_GETEVENTS, NULL, 0);
	if (r < 0)
		return r;
	nr_loop_update_time(l);
	handed = ring_dispatch_deferred(l);
	handed += ring_reap(l, true);
	if (!l->stop && g->epoll_ready) {
		g->epoll_ready = false;
		n = epoll_wait(l->epfd, evs, EVENT_BATCH, 0);
		if (n < 0) {
			if (errno != EINTR)
				return -errno;
			n = 0;
		}
		/* A full batch may have left events behind: look again before sleeping. */
		if (n == EVENT_BATCH)
			g->epoll_ready = true;
	}
	*ret_events = n;
	*ret_handed = handed;
	return 0;
}

/* --- provided buffers --- */

struct nr_loop_bufs {
	struct nr_loop *loop;
	struct io_uring_buf_ring *br;
	size_t br_len;
	uint8_t *mem;
	size_t size;
	unsigned count;
	uint16_t bgid;
	uint16_t tail;
};

int nr_loop_bufs_new(struct nr_loop *l, unsigned count, size_t size, struct nr_loop_bufs **ret)
{
	struct io_uring_buf_reg reg = {0};
	struct nr_loop_bufs *b;
	int r;

	if (!l->ring)
		return -EOPNOTSUPP;
	if (count == 0 || count > 32768 || (count & (count - 1)) || size == 0 || size > UINT32_MAX)
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->loop = l;
	b->size = size;
	b->count = count;
	/* The kernel wants the ring page-aligned: an anonymous mapping is. */
	b->br_len = count * sizeof(struct io_uring_buf);
	b->br = mmap(NULL, b->br_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->br == MAP_FAILED) {
		b->br = NULL;
		r = -errno;
		goto fail;
	}
	b->mem = malloc(count * size);
	if (!b->mem) {
		r = -ENOMEM;
		goto fail;
	}
	b->bgid = l->ring->next_bgid++;
	reg.ring_addr = (uint64_t)(uintptr_t)b->br;
	reg.ring_entries = count;
	reg.bgid = b->bgid;
	if (sys_uring_register(l->ring->fd, IORING_REGISTER_PBUF_RING, &reg, 1) < 0) {
		r = errno == EINVAL ? -EOPNOTSUPP : -errno;
		goto fail;
	}
	for (unsigned i = 0; i < count; i++)
		nr_loop_bufs_put(b, i);
	*ret = b;
	return 0;

fail:
	if (b->br)
		munmap(b->br, b->br_len);
	free(b->mem);
	free(b);
	return r;
}

void nr_loop_bufs_free(struct nr_loop_bufs *b)
{
	struct io_uring_buf_reg reg = {0};

	if (!b)
		return;
	if (b->loop->ring) {
		reg.bgid = b->bgid;
		(void)sys_uring_register(b->loop->ring->fd, IORING_UNREGISTER_PBUF_RING, &reg, 1);
	}
	munmap(b->br, b->br_len);
	free(b->mem);
	free(b);
}

uint16_t nr_loop_bufs_group(const struct nr_loop_bufs *b)
{
	return b->bgid;
}

size_t nr_loop_bufs_size(const struct nr_loop_bufs *b)
{
	return b->size;
}

void *nr_loop_bufs_get(const struct nr_loop_bufs *b, unsigned bid)
{
	return bid < b->count ? b->mem + (size_t)bid * b->size : NULL;
}

void nr_loop_bufs_put(struct nr_loop_bufs *b, unsigned bid)
{
	struct io_uring_buf *e;

	if (bid >= b->count)
		return;
	e = &b->br->bufs[b->tail & (b->count - 1)];
	e->addr = (uint64_t)(uintptr_t)(b->mem + (size_t)bid * b->size);
	e->len = (uint32_t)b->size;
	e->bid = (uint16_t)bid;
	b->tail++;
	__atomic_store_n(&b->br->tail, b->tail, __ATOMIC_RELEASE);
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
	struct child *c;

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
	ring_free(l->ring);
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
	       !LIST_EMPTY(&l->children) || (l->ring && l->ring->inflight > 0);
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
	uint64_t until = l->clock->now_ns(l->clock) + l->busy_ns;
	const struct nr_timerheap_node *top = nr_timerheap_peek(&l->timers);
	int n;

	if (top && top->deadline < until)
		until = top->deadline;
	do {
		n = epoll_wait(l->epfd, evs, EVENT_BATCH, 0);
		if (n != 0) {
			if (n > 0)
				busy_result(l, true);
			return n < 0 && errno == EINTR ? 0 : n;
		}
	} while (l->clock->now_ns(l->clock) < until);
	busy_result(l, false);
	return 0;
}

/* One wait and its callbacks. 0, NR_LOOP_IDLE, or a negative errno. */
static int iterate(struct nr_loop *l, uint64_t until)
{
	struct epoll_event evs[EVENT_BATCH];
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
	if (l->ring) {
		r = ring_wait(l, timeout != 0, evs, &n, &handed);
		if (r < 0)
			return r;
	} else {
		n = 0;
		if (timeout != 0 && busy_try(l))
			n = epoll_busy_poll(l, evs);
		if (n == 0)
			n = epoll_wait(l->epfd, evs, EVENT_BATCH, timeout);
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
