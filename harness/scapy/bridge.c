/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The bridge to the real Scapy 2.5.0: fork, enter the namespace
 * (nr_netns_run), exec `/usr/bin/python3 -I -c <bridge.py>` with the
 * script embedded in netrig (generated from bridge.py at build time by
 * gen_bridge_py.sh, so the binary needs no file next to it), feed the
 * destinations on stdin, read one JSON object on stdout, all within a
 * deadline.
 */
#include "scapy/bridge_int.h"
#include "scapy/scapy_model.h"

#include "netrig/netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PYTHON "/usr/bin/python3"

static void set_err(char *errmsg, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *errmsg, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (!errmsg || !cap)
		return;
	va_start(ap, fmt);
	vsnprintf(errmsg, cap, fmt, ap);
	va_end(ap);
}

struct buf {
	char *p;
	size_t n, cap;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 4096;
		char *np;

		while (ncap < b->n + n + 1)
			ncap *= 2;
		np = realloc(b->p, ncap);
		if (!np)
			return -ENOMEM;
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

struct child_args {
	int in, out, err, report;
	char *const *argv;
};

/* Why the child could not run its program, sent on the report pipe. */
struct child_report {
	int err; /* negative errno */
	char msg[256];
};

static void child_report(int fd, int err, const char *msg)
{
	struct child_report rep;

	memset(&rep, 0, sizeof(rep));
	rep.err = err;
	snprintf(rep.msg, sizeof(rep.msg), "%s", msg);
	/* One write of less than PIPE_BUF: atomic, and the child exits next. */
	if (write(fd, &rep, sizeof(rep)) < 0)
		return;
}

/* In the child: stdio onto the pipes, then exec. Never returns. */
static int exec_child(void *arg)
{
	const struct child_args *c = arg;
	char msg[256];
	int e;

	if (dup2(c->in, 0) < 0 || dup2(c->out, 1) < 0 || dup2(c->err, 2) < 0) {
		e = errno;
		snprintf(msg, sizeof(msg), "redirecting stdio: %s", strerror(e));
	} else {
		execv(c->argv[0], c->argv);
		e = errno;
		snprintf(msg, sizeof(msg), "starting %s: %s", c->argv[0], strerror(e));
	}
	child_report(c->report, -e, msg);
	_exit(NR_BRIDGE_EXIT_EXEC);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * In the child, before exec: the event loop blocks signals for its
 * signalfd and may ignore some, and both survive execve, which would leave
 * Python deaf to SIGINT/SIGTERM. Default dispositions first, then an empty
 * mask (a signal already pending then acts as it would have).
 */
static void reset_signals(void)
{
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL); /* EINVAL for libc's reserved ones: harmless */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/*
 * Wait for pid until deadline, then SIGKILL it and reap it: a child that
 * closed stdout and stderr need not have exited. A pidfd makes the wait a
 * poll(); without one (kernel < 5.3), WNOHANG every 10 ms.
 */
static int reap(pid_t pid, int64_t deadline, int *ret_status)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int r = 0, status = 0;

	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		int64_t left;

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
		left = deadline - now_ms();
		if (left <= 0) {
			r = -ETIMEDOUT;
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		if (pfd >= 0) {
			struct pollfd pf = {.fd = pfd, .events = POLLIN};

			poll(&pf, 1, (int)(left < INT_MAX ? left : INT_MAX));
		} else {
			poll(NULL, 0, left < 10 ? (int)left : 10);
		}
	}
	if (pfd >= 0)
		close(pfd);
	*ret_status = status;
	return r;
}

void nr_bridge_child_done(struct nr_bridge_child *c)
{
	if (!c)
		return;
	free(c->out);
	free(c->err);
	memset(c, 0, sizeof(*c));
}

int nr_bridge_child_run(struct nr_netns *ns, char *const argv[], const char *input, size_t n,
			unsigned timeout_ms, struct nr_bridge_child *ret, char *errmsg, size_t cap)
{
	int pin[2] = {-1, -1}, pout[2] = {-1, -1}, perr[2] = {-1, -1}, prep[2] = {-1, -1};
	struct buf out = {0}, err = {0}, rep = {0};
	size_t written = 0;
	int64_t deadline = now_ms() + timeout_ms;
	pid_t pid = -1;
	int r = 0, status = 0;

	/* stdin is a socket so a child that exits early cannot SIGPIPE us (MSG_NOSIGNAL). */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pin) < 0 ||
	    pipe2(pout, O_CLOEXEC) < 0 || pipe2(perr, O_CLOEXEC) < 0 ||
	    pipe2(prep, O_CLOEXEC) < 0) {
		r = -errno;
		set_err(errmsg, cap, "scapy bridge: pipe: %s", strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		set_err(errmsg, cap, "scapy bridge: fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		struct child_args c = {pin[0], pout[1], perr[1], prep[1], argv};
		struct nr_os_error oe = {0};

		reset_signals();
		if (ns) {
			/* Returns only when entering failed: exec_child never does. */
			nr_netns_run(ns, exec_child, &c, &oe);
			child_report(prep[1], oe.err ? oe.err : -EPERM,
				     oe.msg[0] ? oe.msg : "entering the namespace failed");
			_exit(NR_BRIDGE_EXIT_NETNS);
		}
		exec_child(&c);
	}
	close_fd(&pin[0]);
	close_fd(&pout[1]);
	close_fd(&perr[1]);
	close_fd(&prep[1]);
	if (n == 0)
		close_fd(&pin[1]);
	else
		shutdown(pin[1], SHUT_RD);

	/* The report pipe closes at exec (CLOEXEC) or exit; it carries data only on failure. */
	while (pout[0] >= 0 || perr[0] >= 0 || prep[0] >= 0) {
		struct pollfd pf[4];
		int nf = 0, left = (int)(deadline - now_ms());
		char tmp[65536];

		if (left <= 0) {
			r = -ETIMEDOUT;
			set_err(errmsg, cap, "scapy bridge: no answer from Scapy within %u ms", timeout_ms);
			kill(pid, SIGKILL);
			break;
		}
		if (pin[1] >= 0)
			pf[nf++] = (struct pollfd){.fd = pin[1], .events = POLLOUT};
		if (pout[0] >= 0)
			pf[nf++] = (struct pollfd){.fd = pout[0], .events = POLLIN};
		if (perr[0] >= 0)
			pf[nf++] = (struct pollfd){.fd = perr[0], .events = POLLIN};
		if (prep[0] >= 0)
			pf[nf++] = (struct pollfd){.fd = prep[0], .events = POLLIN};
		if (poll(pf, (nfds_t)nf, left) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			kill(pid, SIGKILL);
			break;
		}
		for (int i = 0; i < nf; i++) {
			if (!pf[i].revents)
				continue;
			if (pf[i].fd == pin[1]) {
				ssize_t w = send(pin[1], input + written, n - written,
						 MSG_NOSIGNAL | MSG_DONTWAIT);

				if (w < 0 && errno != EAGAIN && errno != EINTR)
					close_fd(&pin[1]); /* the child went away; its status says why */
				else if (w > 0 && (written += (size_t)w) == n)
					close_fd(&pin[1]);
			} else {
				int *fd = pf[i].fd == pout[0]   ? &pout[0]
					  : pf[i].fd == perr[0] ? &perr[0]
								: &prep[0];
				struct buf *b = fd == &pout[0] ? &out : fd == &perr[0] ? &err : &rep;
				ssize_t nr = read(*fd, tmp, sizeof(tmp));

				if (nr < 0 && (errno == EAGAIN || errno == EINTR))
					continue;
				if (nr <= 0)
					close_fd(fd);
				else if (buf_add(b, tmp, (size_t)nr) < 0) {
					r = -ENOMEM;
					kill(pid, SIGKILL);
					close_fd(&pout[0]);
					close_fd(&perr[0]);
					close_fd(&prep[0]);
				}
			}
		}
	}
	if (reap(pid, deadline, &status) == -ETIMEDOUT && r == 0) {
		/* Its output closed, yet it did not exit in time: killed by reap(). */
		r = -ETIMEDOUT;
		set_err(errmsg, cap, "scapy bridge: Scapy closed its output but did not exit within %u ms",
			timeout_ms);
	}
	if (r == 0 && rep.n >= sizeof(struct child_report)) {
		struct child_report cr;

		memcpy(&cr, rep.p, sizeof(cr));
		cr.msg[sizeof(cr.msg) - 1] = '\0';
		r = cr.err < 0 ? cr.err : -EPROTO;
		set_err(errmsg, cap, "scapy bridge: %s", cr.msg);
	}
	if (r == 0) {
		ret->out = out.p;
		ret->nout = out.n;
		ret->err = err.p;
		ret->nerr = err.n;
		ret->status = status;
		out.p = err.p = NULL;
	}
out:
	free(out.p);
	free(err.p);
	free(rep.p);
	close_fd(&pin[0]);
	close_fd(&pin[1]);
	close_fd(&pout[0]);
	close_fd(&pout[1]);
	close_fd(&perr[0]);
	close_fd(&perr[1]);
	close_fd(&prep[0]);
	close_fd(&prep[1]);
	return r;
}

/*
 * Scapy's answer is checked, not trusted: every number an integer within
 * the range of the field it fills, every string a string that fits, every
 * list a list. The first offence is named in errmsg ("routes6[3] plen:
 * 200 is not an integer in 0..128").
 */
struct jctx {
	char *errmsg;
	size_t cap;
};

static int jfail(struct jctx *c, const char *list, size_t i, const char *field, const char *why)
{
	if (list)
		set_err(c->errmsg, c->cap, "scapy bridge: Scapy's answer: %s[%zu] %s: %s", list, i,
			field, why);
	else
		set_err(c->errmsg, c->cap, "scapy bridge: Scapy's answer: %s: %s", field, why);
	return -EPROTO;
}

static int juint(struct jctx *c, json_t *j, uint64_t max, const char *list, size_t i,
		 const char *field, uint64_t *ret)
{
	char why[96];
	json_int_t v;

	if (!json_is_integer(j)) {
		snprintf(why, sizeof(why), "not an integer in 0..%llu", (unsigned long long)max);
		return jfail(c, list, i, field, why);
	}
	v = json_integer_value(j);
	if (v < 0 || (uint64_t)v > max) {
		snprintf(why, sizeof(why), "%lld is not in 0..%llu", (long long)v,
			 (unsigned long long)max);
		return jfail(c, list, i, field, why);
	}
	*ret = (uint64_t)v;
	return 0;
}

static int jstrcpy(struct jctx *c, json_t *j, char *dst, size_t cap, const char *list, size_t i,
		   const char *field)
{
	if (!json_is_string(j))
		return jfail(c, list, i, field, "not a string");
	if (json_string_length(j) >= cap)
		return jfail(c, list, i, field, "too long");
	memcpy(dst, json_string_value(j), json_string_length(j) + 1);
	return 0;
}

static int jaddr(struct jctx *c, json_t *j, int family, const char *list, size_t i,
		 const char *field, struct nr_addr *ret)
{
	if (!json_is_string(j) || nr_addr_parse(json_string_value(j), family, ret) < 0)
		return jfail(c, list, i, field,
			     family == AF_INET ? "not an IPv4 address" : "not an IPv6 address");
	return 0;
}

/* A top-level list, and room for its entries (plus one, so never calloc(0)). */
static int jlist(struct jctx *c, json_t *root, const char *name, size_t size, json_t **ret_a,
		 void **ret_v)
{
	json_t *a = json_object_get(root, name);

	if (!json_is_array(a))
		return jfail(c, NULL, 0, name, "missing or not a list");
	*ret_v = calloc(json_array_size(a) + 1, size);
	if (!*ret_v)
		return -ENOMEM;
	*ret_a = a;
	return 0;
}

static int jtuple(struct jctx *c, json_t *v, size_t n, const char *list, size_t i)
{
	char why[48];

	if (json_is_array(v) && json_array_size(v) == n)
		return 0;
	snprintf(why, sizeof(why), "not a list of %zu", n);
	return jfail(c, list, i, "entry", why);
}

int nr_bridge_parse(const char *text, struct nr_scapy_bridge_result *res, char *errmsg,
		    size_t cap)
{
	struct jctx c = {errmsg, cap};
	json_error_t jerr;
	json_t *root = json_loads(text, 0, &jerr), *a, *v;
	uint64_t u;
	size_t i;
	int r = -EPROTO;

	if (!json_is_object(root)) {
		set_err(errmsg, cap, "scapy bridge: Scapy's answer is not a JSON object: %s",
			root ? "other JSON" : jerr.text);
		goto out;
	}
	if (jstrcpy(&c, json_object_get(root, "version"), res->version, sizeof(res->version), NULL,
		    0, "version") < 0 ||
	    jstrcpy(&c, json_object_get(root, "conf_iface"), res->conf_iface,
		    sizeof(res->conf_iface), NULL, 0, "conf_iface") < 0)
		goto out;
	if (!json_is_string(json_object_get(root, "repr4")) ||
	    !json_is_string(json_object_get(root, "repr6"))) {
		r = jfail(&c, NULL, 0, "repr4/repr6", "missing or not a string");
		goto out;
	}
	res->routes4_text = strdup(json_string_value(json_object_get(root, "repr4")));
	res->routes6_text = strdup(json_string_value(json_object_get(root, "repr6")));
	if (!res->routes4_text || !res->routes6_text) {
		r = -ENOMEM;
		goto out;
	}

	r = jlist(&c, root, "routes4", sizeof(*res->routes4), &a, (void **)&res->routes4);
	if (r < 0)
		goto out;
	json_array_foreach(a, i, v) {
		struct nr_scapy_route4 *e = &res->routes4[res->nroutes4];
		struct nr_addr gw, src;

		r = jtuple(&c, v, 6, "routes4", i);
		if (!r)
			r = juint(&c, json_array_get(v, 0), UINT32_MAX, "routes4", i, "net", &u);
		if (!r) {
			e->net = (uint32_t)u;
			r = juint(&c, json_array_get(v, 1), UINT32_MAX, "routes4", i, "mask", &u);
		}
		if (!r) {
			e->mask = (uint32_t)u;
			r = jaddr(&c, json_array_get(v, 2), AF_INET, "routes4", i, "gw", &gw);
		}
		if (!r)
			r = jstrcpy(&c, json_array_get(v, 3), e->iface, sizeof(e->iface), "routes4",
				    i, "iface");
		if (!r)
			r = jaddr(&c, json_array_get(v, 4), AF_INET, "routes4", i, "src", &src);
		if (!r)
			r = juint(&c, json_array_get(v, 5), UINT32_MAX, "routes4", i, "metric", &u);
		if (r < 0)
			goto out;
		e->gw = nr_addr_v4(&gw);
		e->src = nr_addr_v4(&src);
		e->metric = (uint32_t)u;
		res->nroutes4++;
	}

	r = jlist(&c, root, "routes6", sizeof(*res->routes6), &a, (void **)&res->routes6);
	if (r < 0)
		goto out;
	json_array_foreach(a, i, v) {
		struct nr_scapy_route6 *e = &res->routes6[res->nroutes6];
		json_t *cs, *cv;
		size_t k;

		r = jtuple(&c, v, 6, "routes6", i);
		if (!r)
			r = jaddr(&c, json_array_get(v, 0), AF_INET6, "routes6", i, "prefix",
				  &e->prefix);
		if (!r)
			r = juint(&c, json_array_get(v, 1), 128, "routes6", i, "plen", &u);
		if (!r) {
			e->plen = (uint8_t)u;
			r = jaddr(&c, json_array_get(v, 2), AF_INET6, "routes6", i, "nh", &e->nh);
		}
		if (!r)
			r = jstrcpy(&c, json_array_get(v, 3), e->iface, sizeof(e->iface), "routes6",
				    i, "iface");
		if (!r)
			r = juint(&c, json_array_get(v, 5), UINT32_MAX, "routes6", i, "metric", &u);
		cs = json_array_get(v, 4);
		if (!r && !json_is_array(cs))
			r = jfail(&c, "routes6", i, "cset", "not a list");
		if (r < 0)
			goto out;
		e->metric = (uint32_t)u;
		e->cset = calloc(json_array_size(cs) + 1, sizeof(*e->cset));
		if (!e->cset) {
			r = -ENOMEM;
			goto out;
		}
		res->nroutes6++;
		json_array_foreach(cs, k, cv) {
			r = jaddr(&c, cv, AF_INET6, "routes6", i, "cset", &e->cset[e->ncset]);
			if (r < 0)
				goto out;
			e->ncset++;
		}
	}

	r = jlist(&c, root, "if_inet6", sizeof(*res->if_inet6), &a, (void **)&res->if_inet6);
	if (r < 0)
		goto out;
	json_array_foreach(a, i, v) {
		struct nr_scapy_addr6 *e = &res->if_inet6[res->naddr6];

		r = jtuple(&c, v, 3, "if_inet6", i);
		if (!r)
			r = jaddr(&c, json_array_get(v, 0), AF_INET6, "if_inet6", i, "addr",
				  &e->addr);
		if (!r)
			r = juint(&c, json_array_get(v, 1), 0xff, "if_inet6", i, "scope", &u);
		if (!r) {
			e->scope = (unsigned)u;
			r = jstrcpy(&c, json_array_get(v, 2), e->ifname, sizeof(e->ifname),
				    "if_inet6", i, "ifname");
		}
		if (r < 0)
			goto out;
		res->naddr6++;
	}

	r = jlist(&c, root, "answers", sizeof(*res->answers), &a, (void **)&res->answers);
	if (r < 0)
		goto out;
	json_array_foreach(a, i, v) {
		struct nr_scapy_bridge_answer *e = &res->answers[res->nanswers];
		json_t *t = json_object_get(v, "r"), *ex = json_object_get(v, "e");

		if (!json_is_object(v)) {
			r = jfail(&c, "answers", i, "entry", "not an object");
			goto out;
		}
		if (ex) {
			/* An exception text is only shown: cut, not refused, when long. */
			if (!json_is_string(ex)) {
				r = jfail(&c, "answers", i, "e", "not a string");
				goto out;
			}
			snprintf(e->error, sizeof(e->error), "%s", json_string_value(ex));
			res->nanswers++;
			continue;
		}
		r = jtuple(&c, t, 3, "answers", i);
		if (!r)
			r = jstrcpy(&c, json_array_get(t, 0), e->a.iface, sizeof(e->a.iface),
				    "answers", i, "iface");
		if (!r)
			r = jstrcpy(&c, json_array_get(t, 1), e->a.src, sizeof(e->a.src), "answers",
				    i, "src");
		if (!r)
			r = jstrcpy(&c, json_array_get(t, 2), e->a.gw, sizeof(e->a.gw), "answers", i,
				    "gw");
		if (r < 0)
			goto out;
		e->a.no_route = json_is_true(json_object_get(v, "w"));
		res->nanswers++;
	}
	r = 0;
out:
	json_decref(root);
	return r;
}

void nr_scapy_bridge_result_free(struct nr_scapy_bridge_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nroutes6; i++)
		free(r->routes6[i].cset);
	free(r->routes6);
	free(r->routes4);
	free(r->if_inet6);
	free(r->answers);
	free(r->routes4_text);
	free(r->routes6_text);
	free(r);
}

/* Line [b, e) of text without surrounding blanks into out. */
static void put_line(const char *b, const char *e, char *out, size_t cap)
{
	while (b < e && (*b == ' ' || *b == '\t'))
		b++;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	snprintf(out, cap, "%.*s", (int)(e - b), b);
}

/*
 * The line of stderr that says what went wrong: the first, except for a
 * Python traceback, whose first line says nothing and whose last line
 * names the exception.
 */
static void stderr_line(const char *err, char *out, size_t cap)
{
	const char *b = err, *e, *last_b = NULL, *last_e = NULL;

	out[0] = '\0';
	if (!err)
		return;
	while (*b == '\n')
		b++;
	e = strchr(b, '\n');
	if (!e)
		e = b + strlen(b);
	if (strncmp(b, "Traceback ", 10) != 0) {
		put_line(b, e, out, cap);
		return;
	}
	for (const char *p = b; *p;) {
		const char *q = strchr(p, '\n');

		if (!q)
			q = p + strlen(p);
		if (q > p) {
			last_b = p;
			last_e = q;
		}
		p = *q ? q + 1 : q;
	}
	put_line(last_b, last_e, out, cap);
}

void nr_bridge_status_text(int status, const char *err, char *buf, size_t cap)
{
	char line[200];
	int n;

	if (WIFEXITED(status))
		n = snprintf(buf, cap, "exited with %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		n = snprintf(buf, cap, "killed by signal %d (%s)", WTERMSIG(status),
			     strsignal(WTERMSIG(status)));
	else
		n = snprintf(buf, cap, "ended with wait status 0x%x", (unsigned)status);
	stderr_line(err, line, sizeof(line));
	if (line[0] && n >= 0 && (size_t)n < cap)
		snprintf(buf + n, cap - (size_t)n, ": %s", line);
}

unsigned nr_scapy_bridge_timeout(size_t n, unsigned timeout_ms)
{
	uint64_t t = NR_SCAPY_BRIDGE_BASE_MS + (uint64_t)n * NR_SCAPY_BRIDGE_PER_DST_MS;
	uint64_t cap = timeout_ms ? timeout_ms : NR_SCAPY_BRIDGE_MAX_MS;

	return (unsigned)(t < cap ? t : cap);
}

int nr_scapy_bridge_run(struct nr_netns *ns, const char *const *dsts, size_t n,
			unsigned timeout_ms, struct nr_scapy_bridge_result **ret, char *errmsg,
			size_t cap)
{
	char *const argv[] = {(char *)PYTHON, (char *)"-I", (char *)"-c",
			      (char *)nr_scapy_bridge_py, NULL};
	struct buf in = {0};
	struct nr_bridge_child child = {0};
	struct nr_scapy_bridge_result *res = NULL;
	int status, r;

	if (!ret || (n && !dsts))
		return -EINVAL;
	if (access(PYTHON, X_OK) < 0) {
		r = -ENOENT;
		set_err(errmsg, cap,
			"scapy bridge: %s not found; install Debian's python3 and python3-scapy", PYTHON);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const char *d = dsts[i] ? dsts[i] : "";

		if (strchr(d, '\n')) {
			r = -EINVAL;
			set_err(errmsg, cap, "scapy bridge: destination %zu contains a newline", i);
			goto out;
		}
		if (buf_add(&in, d, strlen(d)) < 0 || buf_add(&in, "\n", 1) < 0) {
			r = -ENOMEM;
			goto out;
		}
	}
	r = nr_bridge_child_run(ns, argv, in.p, in.n, nr_scapy_bridge_timeout(n, timeout_ms), &child,
				errmsg, cap);
	if (r < 0)
		goto out;
	status = child.status;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
		r = -ENOPKG;
		set_err(errmsg, cap, "scapy bridge: %s cannot import Scapy (install python3-scapy): %s",
			PYTHON, child.err ? child.err : "");
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char why[300];

		r = -EPROTO;
		nr_bridge_status_text(status, child.err, why, sizeof(why));
		set_err(errmsg, cap, "scapy bridge: %s %s", PYTHON, why);
		goto out;
	}
	res = calloc(1, sizeof(*res));
	if (!res) {
		r = -ENOMEM;
		goto out;
	}
	r = nr_bridge_parse(child.out ? child.out : "", res, errmsg, cap);
	if (r < 0)
		goto out;
	if (res->nanswers != n) {
		r = -EPROTO;
		set_err(errmsg, cap, "scapy bridge: %zu answers for %zu destinations", res->nanswers, n);
		goto out;
	}
	*ret = res;
	res = NULL;
	r = 0;
out:
	nr_scapy_bridge_result_free(res);
	free(in.p);
	nr_bridge_child_done(&child);
	return r;
}
