/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The loop's optional io_uring path (the "io_uring" part of loop/loop.h):
 * the ring's setup and teardown, requests queued by users and submitted
 * with the next wait, their completions, cancellation, provided buffers,
 * and the wait itself, which replaces epoll_wait in an iteration of
 * loop.c when the loop has a ring (nr_loop_ring_wait).
 *
 * Raw syscalls on <linux/io_uring.h>: liburing is not a dependency, and
 * the loop needs little of it (one wait, a few opcodes, provided buffers).
 */
#include "loop/loop_priv.h"

#include <errno.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

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

struct nr_loop_ring {
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

void nr_loop_ring_free(struct nr_loop_ring *g)
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

size_t nr_loop_ring_inflight(const struct nr_loop_ring *g)
{
	return g ? g->inflight : 0;
}

static void ring_probe(struct nr_loop_ring *g)
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

/* One of the ring's regions (IORING_OFF_*) shared with the kernel; NULL and errno on failure. */
static void *ring_map(int fd, size_t len, uint64_t region)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
		       (off_t)region);

	return p == MAP_FAILED ? NULL : p;
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
	struct nr_loop_ring *g;
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
	g->map = ring_map(g->fd, g->map_len, IORING_OFF_SQ_RING);
	if (!g->map) {
		r = -errno;
		goto fail;
	}
	g->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	g->sqes = ring_map(g->fd, g->sqes_len, IORING_OFF_SQES);
	if (!g->sqes) {
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
	nr_loop_ring_free(g);
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
	struct nr_loop_ring *g = l->ring;
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
	struct nr_loop_ring *g = l->ring;
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

static int defer_cqe(struct nr_loop_ring *g, struct nr_loop_op *op, int32_t res, uint32_t flags)
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
	struct nr_loop_ring *g = l->ring;
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
	struct nr_loop_ring *g = l->ring;
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

/* Queue a request cancelling all of op's; false when the queue is full. */
static bool queue_cancel(struct nr_loop *l, struct nr_loop_op *op)
{
	struct io_uring_sqe *sqe = ring_sqe(l, TAG_IGNORE);

	if (!sqe)
		return false;
	sqe->opcode = IORING_OP_ASYNC_CANCEL;
	sqe->addr = (uint64_t)(uintptr_t)op;
	sqe->cancel_flags = IORING_ASYNC_CANCEL_ALL;
	return true;
}

int nr_loop_op_cancel(struct nr_loop *l, struct nr_loop_op *op)
{
	struct nr_loop_ring *g = l->ring;
	bool queued;
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
	queued = queue_cancel(l, op);
	g->waiting_cancel++;
	for (int i = 0; i < CANCEL_TRIES && op->inflight > 0; i++) {
		struct __kernel_timespec ts = {.tv_sec = 0, .tv_nsec = CANCEL_WAIT_MS * 1000000L};
		struct io_uring_getevents_arg arg = {.ts = (uint64_t)(uintptr_t)&ts};

		(void)ring_enter(l, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg,
				 sizeof(arg));
		ring_reap(l, false);
		if (i > 0 && !queued && op->inflight > 0)
			queued = queue_cancel(l, op); /* the queue was full at first: again */
	}
	g->waiting_cancel--;
	return op->inflight > 0 ? -ETIMEDOUT : 0;
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
	struct nr_loop_ring *g = l->ring;
	uint64_t until = nr_loop_busy_until(l);

	if (!(g->setup_flags & IORING_SETUP_TASKRUN_FLAG))
		return false;
	if (ring_enter(l, 0, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return false;
	for (unsigned i = 1;; i++) {
		if (*g->cq_head != __atomic_load_n(g->cq_tail, __ATOMIC_ACQUIRE) ||
		    (__atomic_load_n(g->sq_flags, __ATOMIC_ACQUIRE) & IORING_SQ_TASKRUN)) {
			nr_loop_busy_result(l, true);
			return true;
		}
		cpu_relax();
		/* The clock every 64 turns: a vDSO call costs more than a look at the ring. */
		if (i % 64 == 0 && l->clock->now_ns(l->clock) >= until) {
			nr_loop_busy_result(l, false);
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
int nr_loop_ring_wait(struct nr_loop *l, bool block, struct epoll_event *evs, int *ret_events,
		      size_t *ret_handed)
{
	struct nr_loop_ring *g = l->ring;
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
	if (block && nr_loop_busy_try(l) && ring_busy_poll(l))
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
		n = epoll_wait(l->epfd, evs, NR_LOOP_EVENT_BATCH, 0);
		if (n < 0) {
			if (errno != EINTR)
				return -errno;
			n = 0;
		}
		/* A full batch may have left events behind: look again before sleeping. */
		if (n == NR_LOOP_EVENT_BATCH)
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
