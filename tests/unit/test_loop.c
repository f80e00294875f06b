/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The event loop. Timers run on a fake clock: the tests assert that the
 * fake clock was moved by the loop, that the loop never waited in the
 * kernel (blocking_waits) and that no real clock was read, instead of
 * timing anything. Signals are raised to self while blocked; children
 * are forked and reported through pidfds (waiting on that event, with a
 * deadline on the real clock as a safety net). The io_uring tests run
 * on the real clock and wait on events only (a timer, a pipe); they skip
 * where io_uring is not allowed, and a forked child under a seccomp
 * filter checks the fallback to epoll.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loop/loop.h"

#define START 1000000000ull /* fake time starts at 1 s, not 0, to catch bad arithmetic */

struct log {
	char order[32];
	size_t n;
	uint64_t when[32];
};

struct tag {
	struct log *log;
	char name;
};

static void record(struct nr_loop *l, struct nr_timer *t, void *arg)
{
	struct tag *tag = arg;

	(void)t;
	assert_true(tag->log->n < sizeof(tag->log->order) - 1);
	tag->log->when[tag->log->n] = nr_loop_now(l);
	tag->log->order[tag->log->n++] = tag->name;
}

static void test_timers_fire_in_order(void **state)
{
	struct nr_fake_clock fc;
	struct nr_loop *l;
	struct log log = {0};
	struct tag tags[4] = {{&log, 'a'}, {&log, 'b'}, {&log, 'c'}, {&log, 'd'}};
	struct nr_timer t[4];
	uint64_t real_reads;

	(void)state;
	nr_fake_clock_init(&fc, START);
	assert_int_equal(nr_loop_new(&fc.clock, &l), 0);
	for (int i = 0; i < 4; i++)
		nr_timer_init(&t[i], record, &tags[i]);
	/* a at +300 ms, b at +100 ms, c and d both at +200 ms (c armed first). */
	assert_int_equal(nr_loop_timer_arm_in(l, &t[0], 300 * NR_NSEC_PER_MSEC), 0);
	assert_int_equal(nr_loop_timer_arm_in(l, &t[1], 100 * NR_NSEC_PER_MSEC), 0);
	assert_int_equal(nr_loop_timer_arm_in(l, &t[2], 200 * NR_NSEC_PER_MSEC), 0);
	assert_int_equal(nr_loop_timer_arm_in(l, &t[3], 200 * NR_NSEC_PER_MSEC), 0);
	assert_true(nr_timer_armed(&t[0]));
	assert_int_equal(nr_timer_deadline(&t[0]), START + 300 * NR_NSEC_PER_MSEC);

	real_reads = nr_clock_real_reads();
	assert_int_equal(nr_loop_run(l), NR_LOOP_IDLE);
	assert_string_equal(log.order, "bcda");
	assert_int_equal(log.when[0], START + 100 * NR_NSEC_PER_MSEC);
	assert_int_equal(log.when[1], START + 200 * NR_NSEC_PER_MSEC);
	assert_int_equal(log.when[2], START + 200 * NR_NSEC_PER_MSEC);
	assert_int_equal(log.when[3], START + 300 * NR_NSEC_PER_MSEC);
	for (int i = 0; i < 4; i++)
		assert_false(nr_timer_armed(&t[i]));
	/* Time passed on the fake clock only, by jumps, never by waiting. */
	assert_int_equal(fc.now, START + 300 * NR_NSEC_PER_MSEC);
	assert_int_equal(fc.advances, 3);
	assert_int_equal(nr_loop_stats(l)->clock_jumps, 3);
	assert_int_equal(nr_loop_stats(l)->timers_fired, 4);
	assert_int_equal(nr_loop_stats(l)->blocking_waits, 0);
	assert_true(nr_loop_stats(l)->waits > 0);
	assert_int_equal(nr_clock_real_reads(), real_reads);
	nr_loop_free(l);
}

static void test_cancel_and_rearm(void **state)
{
	struct nr_fake_clock fc;
	struct nr_loop *l;
	struct log log = {0};
	struct tag tags[3] = {{&log, 'a'}, {&log, 'b'}, {&log, 'c'}};
	struct nr_timer t[3];

	(void)state;
	nr_fake_clock_init(&fc, START);
	assert_int_equal(nr_loop_new(&fc.clock, &l), 0);
	for (int i = 0; i < 3; i++)
		nr_timer_init(&t[i], record, &tags[i]);
	assert_false(nr_loop_timer_cancel(l, &t[0])); /* not armed */
	assert_int_equal(nr_loop_timer_arm(l, &t[0], START + 10), 0);
	assert_int_equal(nr_loop_timer_arm(l, &t[1], START + 20), 0);
	assert_int_equal(nr_loop_timer_arm(l, &t[2], START + 30), 0);
	assert_true(nr_loop_timer_cancel(l, &t[1]));
	assert_false(nr_timer_armed(&t[1]));
	assert_false(nr_loop_timer_cancel(l, &t[1]));
	/* a moves from 10 to 50 (after c), c moves from 30 to 5 (first). */
	assert_int_equal(nr_loop_timer_arm(l, &t[0], START + 50), 0);
	assert_int_equal(nr_loop_timer_arm(l, &t[2], START + 5), 0);
	assert_int_equal(nr_loop_run(l), NR_LOOP_IDLE);
	assert_string_equal(log.order, "ca");
	assert_int_equal(log.when[0], START + 5);
	assert_int_equal(log.when[1], START + 50);
	assert_int_equal(nr_loop_stats(l)->timers_fired, 2);
	nr_loop_free(l);
}

struct periodic {
	uint64_t period;
	int fired;
	int stop_after;
};

static void periodic_fn(struct nr_loop *l, struct nr_timer *t, void *arg)
{
	struct periodic *p = arg;

	p->fired++;
	if (p->stop_after && p->fired == p->stop_after) {
		nr_loop_stop(l);
		return;
	}
	assert_int_equal(nr_loop_timer_arm_in(l, t, p->period), 0);
}

static void test_run_until_deadline(void **state)
{
	struct nr_fake_clock fc;
	struct nr_loop *l;
	struct periodic p = {.period = 10 * NR_NSEC_PER_MSEC};
	struct nr_timer t;
	uint64_t real_reads = nr_clock_real_reads();

	(void)state;
	nr_fake_clock_init(&fc, START);
	assert_int_equal(nr_loop_new(&fc.clock, &l), 0);
	nr_timer_init(&t, periodic_fn, &p);
	assert_int_equal(nr_loop_timer_arm_in(l, &t, p.period), 0);
	/* One simulated second of a 10 ms periodic timer: 100 firings. */
	assert_int_equal(nr_loop_run_until(l, START + NR_NSEC_PER_SEC), NR_LOOP_DEADLINE);
	assert_int_equal(p.fired, 100);
	assert_int_equal(fc.now, START + NR_NSEC_PER_SEC);
	assert_true(nr_timer_armed(&t));
	assert_int_equal(nr_timer_deadline(&t), START + NR_NSEC_PER_SEC + p.period);
	/* No timer before the deadline: the clock jumps straight to it. */
	assert_true(nr_loop_timer_cancel(l, &t));
	assert_int_equal(nr_loop_run_until(l, START + 5 * NR_NSEC_PER_SEC), NR_LOOP_DEADLINE);
	assert_int_equal(fc.now, START + 5 * NR_NSEC_PER_SEC);
	assert_int_equal(p.fired, 100);
	/* A deadline already past returns at once. */
	assert_int_equal(nr_loop_run_until(l, START), NR_LOOP_DEADLINE);
	assert_int_equal(nr_loop_stats(l)->blocking_waits, 0);
	assert_int_equal(nr_clock_real_reads(), real_reads);
	nr_loop_free(l);
}

/* A timer that re-arms itself for "now" fires once per iteration, not for ever. */
static void test_zero_period_does_not_starve(void **state)
{
	struct nr_fake_clock fc;
	struct nr_loop *l;
	struct periodic p = {.period = 0};
	struct nr_timer t;

	(void)state;
	nr_fake_clock_init(&fc, START);
	assert_int_equal(nr_loop_new(&fc.clock, &l), 0);
	nr_timer_init(&t, periodic_fn, &p);
	assert_int_equal(nr_loop_timer_arm(l, &t, START), 0);
	assert_int_equal(nr_loop_run_iterations(l, 10), NR_LOOP_ITERATIONS);
	assert_int_equal(p.fired, 10);
	assert_int_equal(fc.now, START); /* nothing ever needed time to pass */
	assert_int_equal(fc.advances, 0);
	nr_loop_free(l);
}

static void test_stop_from_callback(void **state)
{
	struct nr_fake_clock fc;
	struct nr_loop *l;
	struct periodic p = {.period = NR_NSEC_PER_SEC, .stop_after = 3};
	struct log log = {0};
	struct tag tag = {&log, 'x'};
	struct nr_timer t, later;

	(void)state;
	nr_fake_clock_init(&fc, START);
	assert_int_equal(nr_loop_new(&fc.clock, &l), 0);
	nr_timer_init(&t, periodic_fn, &p);
	nr_timer_init(&later, record, &tag);
	assert_int_equal(nr_loop_timer_arm_in(l, &t, NR_NSEC_PER_SEC), 0);
	/* Due just after the third firing, which stops the run: not fired. */
	assert_int_equal(nr_loop_timer_arm(l, &later, START + 3 * NR_NSEC_PER_SEC + 1), 0);
	assert_int_equal(nr_loop_run(l), NR_LOOP_STOPPED);
	assert_int_equal(p.fired, 3);
	assert_int_equal(log.n, 0);
	assert_true(nr_timer_armed(&later));
	/* The next run carries on from there. */
	assert_int_equal(nr_loop_run(l), NR_LOOP_IDLE);
	assert_string_equal(log.order, "x");
	assert_int_equal(log.when[0], START + 3 * NR_NSEC_PER_SEC + 1);
	nr_loop_free(l);
}

struct fdlog {
	int reads, writes;
	unsigned last;
	struct nr_loop_watch *other; /* removed by whichever callback runs first */
	int *calls;
};

static void fd_cb(struct nr_loop *l, int fd, unsigned events, void *arg)
{
	struct fdlog *f = arg;
	char c;

	(void)l;
	f->last = events;
	if (events & NR_LOOP_READ) {
		f->reads++;
		assert_int_equal(read(fd, &c, 1), 1);
	}
	if (events & NR_LOOP_WRITE)
		f->writes++;
}

static void test_fd_watchers(void **state)
{
	struct nr_fake_clock fc;
	struct nr_loop *l;
	struct nr_loop_watch *wr, *ww;
	struct fdlog r = {0}, w = {0};
	int p[2];

	(void)state;
	nr_fake_clock_init(&fc, START);
	assert_int_equal(nr_loop_new(&fc.clock, &l), 0);
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	assert_int_equal(nr_loop_fd_add(l, p[0], NR_LOOP_READ, fd_cb, &r, &wr), 0);
	assert_int_equal(nr_loop_fd_add(l, p[0], NR_LOOP_READ, fd_cb, &r, NULL), -EEXIST);
	assert_int_equal(nr_loop_fd_add(l, -1, NR_LOOP_READ, fd_cb, &r, NULL), -EINVAL);
	/* Nothing to read, no timer: on a fake clock the loop returns, never waits. */
	assert_int_equal(nr_loop_run_iterations(l, 100), NR_LOOP_IDLE);
	assert_int_equal(r.reads, 0);
	assert_int_equal(write(p[1], "xy", 2), 2);
	assert_int_equal(nr_loop_run_iterations(l, 1), NR_LOOP_ITERATIONS);
	assert_int_equal(r.reads, 1);
	assert_int_equal(r.last, NR_LOOP_READ);
	assert_int_equal(nr_loop_run_iterations(l, 100), NR_LOOP_IDLE); /* reads the second byte */
	assert_int_equal(r.reads, 2);
	/* Writable end. */
	assert_int_equal(nr_loop_fd_add(l, p[1], NR_LOOP_WRITE, fd_cb, &w, &ww), 0);
	assert_int_equal(nr_loop_run_iterations(l, 1), NR_LOOP_ITERATIONS);
	assert_int_equal(w.writes, 1);
	assert_int_equal(w.last, NR_LOOP_WRITE);
	/* Interest changed to read only: a pipe's write end never becomes readable. */
	assert_int_equal(nr_loop_fd_set_events(ww, NR_LOOP_READ), 0);
	assert_int_equal(nr_loop_run_iterations(l, 100), NR_LOOP_IDLE);
	assert_int_equal(w.writes, 1);
	nr_loop_fd_remove(ww);
	nr_loop_fd_remove(NULL);
	/* Closing the writer: the reader sees hang-up. */
	close(p[1]);
	assert_int_equal(nr_loop_run_iterations(l, 1), NR_LOOP_ITERATIONS);
	assert_true(r.last & NR_LOOP_ERROR);
	nr_loop_fd_remove(wr);
	assert_int_equal(nr_loop_stats(l)->blocking_waits, 0);
	close(p[0]);
	nr_loop_free(l);
}

static int removal_calls;

static void remove_other(struct nr_loop *l, int fd, unsigned events, void *arg)
{
	struct fdlog *f = arg;

	(void)l;
	(void)fd;
	(void)events;
	removal_calls++;
	nr_loop_fd_remove(f->other);
	f->other = NULL;
}

/* Two fds ready in one batch; the first callback removes the other's watcher. */
static void test_remove_from_callback(void **state)
{
	struct nr_fake_clock fc;
	struct nr_loop *l;
	struct nr_loop_watch *wa, *wb;
	struct fdlog a = {0}, b = {0};
	int pa[2], pb[2];

	(void)state;
	nr_fake_clock_init(&fc, START);
	assert_int_equal(nr_loop_new(&fc.clock, &l), 0);
	assert_int_equal(pipe2(pa, O_NONBLOCK | O_CLOEXEC), 0);
	assert_int_equal(pipe2(pb, O_NONBLOCK | O_CLOEXEC), 0);
	assert_int_equal(nr_loop_fd_add(l, pa[0], NR_LOOP_READ, remove_other, &a, &wa), 0);
	assert_int_equal(nr_loop_fd_add(l, pb[0], NR_LOOP_READ, remove_other, &b, &wb), 0);
	a.other = wb;
	b.other = wa;
	assert_int_equal(write(pa[1], "a", 1), 1);
	assert_int_equal(write(pb[1], "b", 1), 1);
	removal_calls = 0;
	assert_int_equal(nr_loop_run_iterations(l, 1), NR_LOOP_ITERATIONS);
	/* Exactly one ran; the other's event in the same batch was dropped (ASan checks the rest). */
	assert_int_equal(removal_calls, 1);
	assert_true((a.other == NULL) != (b.other == NULL));
	/* The survivor is the one whose callback ran (it did not read: still ready). */
	nr_loop_fd_remove(a.other ? wb : wa);
	assert_int_equal(nr_loop_run_iterations(l, 100), NR_LOOP_IDLE);
	assert_int_equal(removal_calls, 1);
	for (int i = 0; i < 2; i++) {
		close(pa[i]);
		close(pb[i]);
	}
	nr_loop_free(l);
}

struct siglog {
	int count;
	int last;
};

static void on_signal(struct nr_loop *l, int signo, void *arg)
{
	struct siglog *s = arg;

	(void)l;
	s->count++;
	s->last = signo;
}

static bool blocked(int signo)
{
	sigset_t cur;

	assert_int_equal(pthread_sigmask(SIG_BLOCK, NULL, &cur), 0);
	return sigismember(&cur, signo) == 1;
}

static void test_signals(void **state)
{
	const int sigs[3] = {SIGTERM, SIGINT, SIGHUP};
	struct nr_fake_clock fc;
	struct nr_loop *l;
	struct siglog s = {0};

	(void)state;
	nr_fake_clock_init(&fc, START);
	assert_int_equal(nr_loop_new(&fc.clock, &l), 0);
	assert_false(blocked(SIGTERM));
	for (int i = 0; i < 3; i++)
		assert_int_equal(nr_loop_signal_add(l, sigs[i], on_signal, &s), 0);
	assert_int_equal(nr_loop_signal_add(l, SIGTERM, on_signal, &s), -EEXIST);
	assert_int_equal(nr_loop_signal_add(l, SIGKILL, on_signal, &s), -EINVAL);
	assert_int_equal(nr_loop_signal_add(l, 0, on_signal, &s), -EINVAL);
	assert_int_equal(nr_loop_signal_add(l, 65, on_signal, &s), -EINVAL);
	assert_true(blocked(SIGTERM));
	/* Blocked, so raise() leaves it pending instead of killing the test. */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(raise(sigs[i]), 0);
		assert_int_equal(nr_loop_run_iterations(l, 1), NR_LOOP_ITERATIONS);
		assert_int_equal(s.count, i + 1);
		assert_int_equal(s.last, sigs[i]);
	}
	assert_int_equal(nr_loop_stats(l)->signals, 3);
	/* Nothing pending: no callback, and on a fake clock no waiting for one. */
	assert_int_equal(nr_loop_run_iterations(l, 1), NR_LOOP_IDLE);
	assert_int_equal(s.count, 3);
	/* Removing restores the mask as it was before the loop. */
	assert_int_equal(nr_loop_signal_remove(l, SIGHUP), 0);
	assert_int_equal(nr_loop_signal_remove(l, SIGHUP), -ENOENT);
	assert_false(blocked(SIGHUP));
	assert_true(blocked(SIGTERM));
	nr_loop_free(l);
	assert_false(blocked(SIGTERM));
	assert_false(blocked(SIGINT));
}

/* A signal the caller had blocked already stays blocked after the loop. */
static void test_signal_mask_restored(void **state)
{
	struct nr_fake_clock fc;
	struct nr_loop *l;
	struct siglog s = {0};
	sigset_t one;

	(void)state;
	sigemptyset(&one);
	sigaddset(&one, SIGUSR1);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, &one, NULL), 0);
	nr_fake_clock_init(&fc, START);
	assert_int_equal(nr_loop_new(&fc.clock, &l), 0);
	assert_int_equal(nr_loop_signal_add(l, SIGUSR1, on_signal, &s), 0);
	nr_loop_free(l);
	assert_true(blocked(SIGUSR1));
	assert_int_equal(pthread_sigmask(SIG_UNBLOCK, &one, NULL), 0);
}

/* A signal still pending when the loop goes is consumed, not acted on (it would kill the test). */
static void test_pending_signal_at_free(void **state)
{
	struct nr_fake_clock fc;
	struct nr_loop *l;
	struct siglog s = {0};
	sigset_t pending;

	(void)state;
	nr_fake_clock_init(&fc, START);
	assert_int_equal(nr_loop_new(&fc.clock, &l), 0);
	assert_int_equal(nr_loop_signal_add(l, SIGTERM, on_signal, &s), 0);
	assert_int_equal(raise(SIGTERM), 0);
	assert_int_equal(sigpending(&pending), 0);
	assert_true(sigismember(&pending, SIGTERM) == 1);
	nr_loop_free(l);
	/* Still here, nothing pending, nothing blocked, no callback. */
	assert_int_equal(sigpending(&pending), 0);
	assert_false(sigismember(&pending, SIGTERM) == 1);
	assert_false(blocked(SIGTERM));
	assert_int_equal(s.count, 0);
}

struct childlog {
	pid_t pid;
	int status;
	int calls;
};

static void on_child(struct nr_loop *l, pid_t pid, int status, void *arg)
{
	struct childlog *c = arg;

	c->pid = pid;
	c->status = status;
	c->calls++;
	nr_loop_stop(l);
}

/* Wait for the child's exit event; the deadline only bounds a broken run. */
static void run_for_child(struct nr_loop *l)
{
	uint64_t bound = nr_loop_update_time(l) + 30 * NR_NSEC_PER_SEC;

	assert_int_equal(nr_loop_run_until(l, bound), NR_LOOP_STOPPED);
}

static void test_child_exit(void **state)
{
	struct nr_loop *l;
	struct childlog c = {0};
	pid_t pid;

	(void)state;
	assert_int_equal(nr_loop_new(NULL, &l), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(7);
	assert_int_equal(nr_loop_child_add(l, pid, on_child, &c), 0);
	run_for_child(l);
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.pid, pid);
	assert_true(WIFEXITED(c.status));
	assert_int_equal(WEXITSTATUS(c.status), 7);
	/* Reaped by the loop. */
	assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);

	/* Killed by a signal. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		kill(getpid(), SIGKILL);
		_exit(0);
	}
	assert_int_equal(nr_loop_child_add(l, pid, on_child, &c), 0);
	run_for_child(l);
	assert_int_equal(c.calls, 2);
	assert_true(WIFSIGNALED(c.status));
	assert_int_equal(WTERMSIG(c.status), SIGKILL);
	assert_int_equal(nr_loop_stats(l)->children, 2);
	/* Nothing left to wait for. */
	assert_int_equal(nr_loop_run(l), NR_LOOP_IDLE);
	nr_loop_free(l);
}

static void test_child_errors(void **state)
{
	struct nr_loop *l;
	struct childlog c = {0};
	pid_t pid;
	int st;

	(void)state;
	assert_int_equal(nr_loop_new(NULL, &l), 0);
	assert_int_equal(nr_loop_child_add(l, 0, on_child, &c), -EINVAL);
	/* A pid that no longer exists (reaped just now). */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(nr_loop_child_add(l, pid, on_child, &c), -ESRCH);
	/* A child reaped behind the loop's back: reported with -ECHILD. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(3);
	assert_int_equal(nr_loop_child_add(l, pid, on_child, &c), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	run_for_child(l);
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.status, -ECHILD);
	nr_loop_free(l);
}

/* The real clock: a timer 1 ms ahead is waited for in the kernel (timerfd). */
static void test_real_clock_timer(void **state)
{
	struct nr_loop *l;
	struct log log = {0};
	struct tag tag = {&log, 'r'};
	struct nr_timer t;
	uint64_t armed;

	(void)state;
	assert_int_equal(nr_loop_new(NULL, &l), 0);
	/* Nothing registered: returns at once rather than block for ever. */
	assert_int_equal(nr_loop_run(l), NR_LOOP_IDLE);
	nr_timer_init(&t, record, &tag);
	armed = nr_loop_update_time(l) + NR_NSEC_PER_MSEC;
	assert_int_equal(nr_loop_timer_arm(l, &t, armed), 0);
	assert_int_equal(nr_loop_run(l), NR_LOOP_IDLE);
	assert_string_equal(log.order, "r");
	assert_true(log.when[0] >= armed);
	assert_true(nr_loop_stats(l)->blocking_waits >= 1);
	nr_loop_free(l);
}

static void test_bad_clock(void **state)
{
	struct nr_clock c = {.now_ns = NULL, .advance_to = NULL, .clockid = -1};
	struct nr_loop *l = NULL;

	(void)state;
	assert_int_equal(nr_loop_new(&c, &l), -EINVAL);
	assert_null(l);
	nr_loop_free(NULL);
}

/* --- io_uring --- */

static void op_cb(struct nr_loop *l, struct nr_loop_op *op, int32_t res, uint32_t flags, void *arg);

static void op_init(struct nr_loop_op *op, void *arg)
{
	nr_loop_op_init(op, op_cb, arg);
}

/* io_uring may be off (sysctl, seccomp, an old kernel): the ring tests skip then. */
static struct nr_loop *ring_loop(void)
{
	struct nr_loop *l;
	int r;

	assert_int_equal(nr_loop_new(NULL, &l), 0);
	r = nr_loop_uring_enable(l, 0);
	if (r == -ENOSYS || r == -EPERM || r == -EOPNOTSUPP) {
		nr_loop_free(l);
		skip();
	}
	assert_int_equal(r, 0);
	return l;
}

struct oplog {
	int calls;
	int32_t res;
	uint32_t flags;
	bool stop;
};

static void op_cb(struct nr_loop *l, struct nr_loop_op *op, int32_t res, uint32_t flags, void *arg)
{
	struct oplog *o = arg;

	(void)op;
	o->calls++;
	o->res = res;
	o->flags = flags;
	if (o->stop)
		nr_loop_stop(l);
}

struct pipe_timer {
	int fd;
	const char *data;
};

static void write_on_timer(struct nr_loop *l, struct nr_timer *t, void *arg)
{
	struct pipe_timer *pt = arg;

	(void)l;
	(void)t;
	assert_int_equal(write(pt->fd, pt->data, strlen(pt->data)), (ssize_t)strlen(pt->data));
}

static void stop_on_timer(struct nr_loop *l, struct nr_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	nr_loop_stop(l);
}

/* One read or write of len bytes at buf on fd, queued for op. */
static void prep_rw(struct nr_loop *l, struct nr_loop_op *op, uint8_t opcode, int fd,
		    const void *buf, uint32_t len)
{
	struct io_uring_sqe *sqe = nr_loop_uring_sqe(l, op);

	assert_non_null(sqe);
	sqe->opcode = opcode;
	sqe->fd = fd;
	sqe->addr = (uint64_t)(uintptr_t)buf;
	sqe->len = len;
}

/*
 * A read on an empty pipe; a timer (through the epoll fd, polled by the
 * ring) writes to the pipe; the read completes: the loop slept in
 * io_uring_enter and both kinds of events came through.
 */
static void test_ring_read_and_timer(void **state)
{
	struct nr_loop *l = ring_loop();
	struct oplog o = {.stop = true};
	struct nr_loop_op op;
	struct pipe_timer pt;
	struct nr_timer t;
	char buf[8] = {0};
	int p[2];

	(void)state;
	assert_true(nr_loop_uring_enabled(l));
	assert_int_equal(nr_loop_uring_enable(l, 0), 0); /* already on */
	assert_true(nr_loop_uring_supports(l, IORING_OP_READ));
	assert_false(nr_loop_uring_supports(l, 255));
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	pt = (struct pipe_timer){p[1], "ring"};
	op_init(&op, &o);
	prep_rw(l, &op, IORING_OP_READ, p[0], buf, sizeof(buf));
	nr_timer_init(&t, write_on_timer, &pt);
	assert_int_equal(nr_loop_timer_arm_in(l, &t, NR_NSEC_PER_MSEC), 0);
	assert_int_equal(nr_loop_run(l), NR_LOOP_STOPPED);
	assert_int_equal(o.calls, 1);
	assert_int_equal(o.res, 4);
	assert_memory_equal(buf, "ring", 4);
	assert_int_equal(op.inflight, 0);
	assert_int_equal(nr_loop_stats(l)->timers_fired, 1);
	assert_int_equal(nr_loop_stats(l)->completions, 1);
	assert_true(nr_loop_stats(l)->blocking_waits >= 1);
	assert_true(nr_loop_stats(l)->ring_enters >= 1);
	/* Nothing in flight, nothing armed: idle, as without a ring. */
	assert_int_equal(nr_loop_run(l), NR_LOOP_IDLE);
	close(p[0]);
	close(p[1]);
	nr_loop_free(l);
}

struct lt {
	int calls;
};

/* Level-triggered: the first call leaves the byte, the second reads it and stops. */
static void lt_cb(struct nr_loop *l, int fd, unsigned events, void *arg)
{
	struct lt *x = arg;
	char c;

	(void)events;
	if (++x->calls == 2) {
		assert_int_equal(read(fd, &c, 1), 1);
		nr_loop_stop(l);
	}
}

/* An fd still ready after its callback wakes a loop waiting in the ring again. */
static void test_ring_level_triggered(void **state)
{
	struct nr_loop *l = ring_loop();
	struct lt x = {0};
	struct nr_loop_watch *w;
	int p[2];

	(void)state;
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	assert_int_equal(nr_loop_fd_add(l, p[0], NR_LOOP_READ, lt_cb, &x, &w), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(nr_loop_run(l), NR_LOOP_STOPPED);
	assert_int_equal(x.calls, 2);
	nr_loop_fd_remove(w);
	close(p[0]);
	close(p[1]);
	nr_loop_free(l);
}

/*
 * A quick op (its write completes while submitted) does not end the
 * blocking wait that submits it: the wait lasts until the timer, and
 * the write's completion comes in that same iteration.
 */
static void test_ring_quick_op(void **state)
{
	struct nr_loop *l = ring_loop();
	struct oplog o = {0};
	struct nr_loop_op op;
	struct nr_timer t;
	char buf[4];
	uint64_t it;
	int p[2];

	(void)state;
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	op_init(&op, &o);
	op.quick = true;
	prep_rw(l, &op, IORING_OP_WRITE, p[1], "abc", 3);
	nr_timer_init(&t, stop_on_timer, NULL);
	assert_int_equal(nr_loop_timer_arm_in(l, &t, NR_NSEC_PER_MSEC), 0);
	it = nr_loop_stats(l)->iterations;
	assert_int_equal(nr_loop_run(l), NR_LOOP_STOPPED);
	assert_int_equal(nr_loop_stats(l)->iterations - it, 1);
	assert_int_equal(o.calls, 1);
	assert_int_equal(o.res, 3);
	assert_int_equal(read(p[0], buf, sizeof(buf)), 3);
	close(p[0]);
	close(p[1]);
	nr_loop_free(l);
}

/* A cancelled read is not reported, even once its data arrives; no memory is used after. */
static void test_ring_cancel(void **state)
{
	struct nr_loop *l = ring_loop();
	struct oplog o = {0};
	struct nr_loop_op op;
	struct nr_timer t;
	char buf[8];
	int p[2];

	(void)state;
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	op_init(&op, &o);
	assert_int_equal(nr_loop_op_cancel(l, &op), 0); /* nothing in flight */
	prep_rw(l, &op, IORING_OP_READ, p[0], buf, sizeof(buf));
	assert_int_equal(nr_loop_uring_submit(l), 0);
	assert_int_equal(op.inflight, 1);
	assert_int_equal(nr_loop_op_cancel(l, &op), 0);
	assert_int_equal(op.inflight, 0);
	assert_int_equal(write(p[1], "late", 4), 4);
	nr_timer_init(&t, stop_on_timer, NULL);
	assert_int_equal(nr_loop_timer_arm_in(l, &t, NR_NSEC_PER_MSEC), 0);
	assert_int_equal(nr_loop_run(l), NR_LOOP_STOPPED);
	assert_int_equal(o.calls, 0);
	/* The data is still in the pipe: the read never took it. */
	assert_int_equal(read(p[0], buf, sizeof(buf)), 4);
	close(p[0]);
	close(p[1]);
	nr_loop_free(l);
}

/* Provided buffers: a read picks one, reports its id, and it can be given back. */
static void test_ring_bufs(void **state)
{
	struct nr_loop *l = ring_loop();
	struct oplog o = {.stop = true};
	struct nr_loop_bufs *b;
	struct nr_loop_op op;
	struct io_uring_sqe *sqe;
	unsigned bid;
	int p[2];

	(void)state;
	assert_int_equal(nr_loop_bufs_new(l, 3, 64, &b), -EINVAL); /* not a power of two */
	assert_int_equal(nr_loop_bufs_new(l, 4, 0, &b), -EINVAL);
	assert_int_equal(nr_loop_bufs_new(l, 4, 64, &b), 0);
	assert_int_equal(nr_loop_bufs_size(b), 64);
	assert_null(nr_loop_bufs_get(b, 4));
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	assert_int_equal(write(p[1], "frame", 5), 5);
	op_init(&op, &o);
	sqe = nr_loop_uring_sqe(l, &op);
	assert_non_null(sqe);
	sqe->opcode = IORING_OP_READ;
	sqe->fd = p[0];
	sqe->flags = IOSQE_BUFFER_SELECT;
	sqe->buf_group = nr_loop_bufs_group(b);
	assert_int_equal(nr_loop_run(l), NR_LOOP_STOPPED);
	assert_int_equal(o.res, 5);
	assert_true(o.flags & IORING_CQE_F_BUFFER);
	bid = o.flags >> IORING_CQE_BUFFER_SHIFT;
	assert_true(bid < 4);
	assert_memory_equal(nr_loop_bufs_get(b, bid), "frame", 5);
	nr_loop_bufs_put(b, bid);
	nr_loop_bufs_free(b);
	nr_loop_bufs_free(NULL);
	close(p[0]);
	close(p[1]);
	nr_loop_free(l);
}

/* Busy polling that finds nothing gives up after its time and backs off; the timer still fires. */
static void test_busy_poll_miss(void **state)
{
	for (int ring = 0; ring < 2; ring++) {
		struct nr_loop *l;
		struct nr_timer t;
		uint64_t t0;

		(void)state;
		assert_int_equal(nr_loop_new(NULL, &l), 0);
		if (ring && nr_loop_uring_enable(l, 0) < 0) {
			nr_loop_free(l);
			continue;
		}
		nr_loop_set_busy_poll(l, 200 * NR_NSEC_PER_USEC);
		nr_timer_init(&t, stop_on_timer, NULL);
		t0 = nr_loop_update_time(l);
		assert_int_equal(nr_loop_timer_arm(l, &t, t0 + 5 * NR_NSEC_PER_MSEC), 0);
		assert_int_equal(nr_loop_run(l), NR_LOOP_STOPPED);
		assert_true(nr_loop_now(l) >= t0 + 5 * NR_NSEC_PER_MSEC);
		assert_int_equal(nr_loop_stats(l)->busy_hits, 0);
		assert_true(nr_loop_stats(l)->busy_misses >= 1);
		nr_loop_free(l);
	}
}

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#ifdef NATIVE_AUDIT_ARCH
/* In a child: io_uring_setup fails with err (seccomp), as in a container that forbids it. */
static int child_without_uring(int err)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_AUDIT_ARCH, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};
	struct nr_loop *l;
	struct nr_loop_op op = {0};
	struct nr_loop_bufs *b;
	struct nr_timer t;
	struct lt x = {0};
	int p[2];

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		return 10;
	if (nr_loop_new(NULL, &l) < 0)
		return 11;
	if (nr_loop_uring_enable(l, 0) != -err)
		return 12;
	if (nr_loop_uring_enabled(l) || nr_loop_uring_sqe(l, &op) ||
	    nr_loop_bufs_new(l, 4, 64, &b) != -EOPNOTSUPP || nr_loop_uring_submit(l) != -EOPNOTSUPP)
		return 13;
	/* The loop works on epoll alone: an fd and a timer. */
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0 || write(p[1], "x", 1) != 1)
		return 14;
	if (nr_loop_fd_add(l, p[0], NR_LOOP_READ, lt_cb, &x, NULL) < 0 ||
	    nr_loop_run(l) != NR_LOOP_STOPPED || x.calls != 2)
		return 15;
	nr_timer_init(&t, stop_on_timer, NULL);
	if (nr_loop_timer_arm_in(l, &t, NR_NSEC_PER_MSEC) < 0 || nr_loop_run(l) != NR_LOOP_STOPPED)
		return 16;
	nr_loop_free(l);
	return 0;
}
#endif

/* Without io_uring (seccomp: ENOSYS, EPERM) the ring is refused cleanly and epoll serves. */
static void test_ring_unavailable(void **state)
{
#ifdef NATIVE_AUDIT_ARCH
	static const int errs[] = {ENOSYS, EPERM};

	(void)state;
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		int status = 0;
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0)
			_exit(child_without_uring(errs[i]));
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
#else
	(void)state;
	skip();
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_fire_in_order),
		cmocka_unit_test(test_cancel_and_rearm),
		cmocka_unit_test(test_run_until_deadline),
		cmocka_unit_test(test_zero_period_does_not_starve),
		cmocka_unit_test(test_stop_from_callback),
		cmocka_unit_test(test_fd_watchers),
		cmocka_unit_test(test_remove_from_callback),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_signal_mask_restored),
		cmocka_unit_test(test_pending_signal_at_free),
		cmocka_unit_test(test_child_exit),
		cmocka_unit_test(test_child_errors),
		cmocka_unit_test(test_real_clock_timer),
		cmocka_unit_test(test_bad_clock),
		cmocka_unit_test(test_ring_read_and_timer),
		cmocka_unit_test(test_ring_level_triggered),
		cmocka_unit_test(test_ring_quick_op),
		cmocka_unit_test(test_ring_cancel),
		cmocka_unit_test(test_ring_bufs),
		cmocka_unit_test(test_busy_poll_miss),
		cmocka_unit_test(test_ring_unavailable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
