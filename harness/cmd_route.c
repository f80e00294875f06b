/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netrig route get: the kernel's route decision for destinations, taken by
 * netrig's stack from a namespace's tables. One destination per argument,
 * or '-': one per line on stdin, answered as JSON Lines, a batch at a time.
 */
#include "cli.h"
#include "options.h"
#include "output/jsonl.h"
#include "output/route_out.h"
#include "output/view.h"
#include "scapy/scapy_model.h"

#include "netrig/netns.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char route_usage[] =
    "usage: netrig route get [--netns NS] [--json] [--from SRC] [--iif DEV] [--oif DEV]\n"
    "                        [--mark N] [--scapy] [--stats] DST... | -\n"
    "\n"
    "The route the kernel would take to each DST (an IPv4 or IPv6 address), decided by\n"
    "netrig's stack from the tables of the namespace (default: netrig's own):\n"
    "  198.51.100.7 via 198.51.100.254 dev eth0 table main src 198.51.100.1\n"
    "\n"
    "  --netns NS   a name under /run/netns, a path, or pid:PID\n"
    "  --json       one object per destination and line: dst, type (when not unicast),\n"
    "               table (\"main\", \"local\", \"default\" or the number as a string), dev,\n"
    "               gateway (absent when on-link), prefsrc; a refused destination has\n"
    "               its type (unreachable, prohibit, blackhole), no route at all is\n"
    "               \"type\":\"unreachable\",\"error\":\"no route\"\n"
    "  --from SRC   source address of the packet (ip route get ... from SRC)\n"
    "  --iif DEV    the packet arrives on DEV (forwarding decision)\n"
    "  --oif DEV    force the output device\n"
    "  --mark N     firewall mark (decimal or 0x hex), for fwmark rules\n"
    "  --scapy      answer as Scapy 2.5.0's conf.route/conf.route6 would:\n"
    "               ('eth0', '198.51.100.1', '198.51.100.254')\n"
    "  --stats      print to stderr the time spent loading the tables and the time\n"
    "               and rate of the lookups alone (wall and CPU seconds):\n"
    "               stats: load_s=.. load_cpu_s=.. lookups=N lookup_s=.. lookup_cpu_s=..\n"
    "               lookups_per_s=.. lookups_cpu_per_s=..\n"
    "  -            read destinations from stdin, one per line (blank lines and\n"
    "               '#' comments skipped) and answer each with one JSON line\n"
    "\n"
    "exit status: 0 all answered, 1 a destination was refused (with --scapy: Scapy\n"
    "found no route; not in batch mode), 2 bad usage or a bad destination,\n"
    "3 namespace or privileges\n";

struct route_opts {
	const char *netns, *from, *iif, *oif;
	uint32_t mark;
	bool json, scapy, stats;
};

/* After a usage error's message (nr_cli_error), the usage. */
static int usage(int code)
{
	fputs(route_usage, stderr);
	return code;
}

/* inet_pton's answer, family chosen by the presence of a colon (nr_fast_pton). */
static int parse_dst(const char *s, struct nr_addr *ret)
{
	return nr_fast_pton(s, ret);
}

static int parse_opts(int argc, char **argv, struct route_opts *o)
{
	static const struct option opts[] = {
	    {"netns", required_argument, NULL, 'n'},
	    {"json", no_argument, NULL, 'j'},
	    {"from", required_argument, NULL, 'f'},
	    {"iif", required_argument, NULL, 'i'},
	    {"oif", required_argument, NULL, 'o'},
	    {"mark", required_argument, NULL, 'm'},
	    {"scapy", no_argument, NULL, 's'},
	    {"stats", no_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->netns = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'f':
			o->from = optarg;
			break;
		case 'i':
			o->iif = optarg;
			break;
		case 'o':
			o->oif = optarg;
			break;
		case 'm':
			if (nr_parse_u32(optarg, &o->mark) < 0)
				return usage(nr_cli_error(
				    NR_EXIT_USAGE, "bad mark '%s' (expected a 32-bit number)", optarg));
			break;
		case 's':
			o->scapy = true;
			break;
		case 'S':
			o->stats = true;
			break;
		case 'h':
			fputs(route_usage, stdout);
			return -1;
		case ':':
			return usage(nr_cli_error(NR_EXIT_USAGE, "option '%s' needs a value",
						  argv[optind - 1]));
		default:
			return usage(
			    nr_cli_error(NR_EXIT_USAGE, "unknown option '%s'", argv[optind - 1]));
		}
	}
	return 0;
}

/* Wall and process CPU seconds at one moment, for --stats. */
struct stamp {
	double wall, cpu;
};

static struct stamp stamp_now(void)
{
	struct timespec ts;
	struct stamp st;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	st.wall = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	st.cpu = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	return st;
}

struct route_ctx {
	const struct nr_stack *s;
	/*
	 * Routes are loaded a family at a time, when the first destination
	 * of that family comes (a batch of IPv4 never pays for the IPv6
	 * tables), and only from the tables a lookup can reach
	 * (nr_os_load_routes_reachable). ns is NULL when everything was
	 * loaded up front (--scapy, NETRIG_TEST_EAGER_LOAD=1).
	 */
	struct nr_stack *ms;
	struct nr_netns *ns;
	const char *netns;
	bool have4, have6;
	struct stamp lazy; /* time spent in those loads, for --stats */
	FILE *err;         /* stderr; a buffer for a batch's second half */
	struct nr_view v;
	struct nr_route_query base; /* from, iif, oif, mark */
	struct nr_jsonl w;
	bool json;
	struct nr_scapy_model *scapy; /* --scapy: answer as Scapy 2.5.0 */
};

/* Scapy's tuple for text (the raw argument: Scapy caches by it). 1 when it found no route. */
static int answer_scapy(struct route_ctx *c, const struct nr_addr *dst, const char *text_dst,
			bool text)
{
	struct nr_scapy_answer a;
	int r = nr_scapy_route(c->scapy, text_dst, &a);

	if (r < 0)
		return r;
	if (text) {
		nr_print_scapy_tuple(stdout, a.iface, a.src, a.gw);
	} else {
		nr_jsonl_begin(&c->w);
		nr_jsonl_addr(&c->w, "dst", dst);
		nr_jsonl_str_array(&c->w, "scapy", (const char *const[]){a.iface, a.src, a.gw}, 3);
		if (a.no_route)
			nr_jsonl_bool(&c->w, "no_route", true);
		nr_jsonl_end(&c->w);
	}
	return a.no_route ? 1 : 0;
}

/*
 * Load dst's family's routes when they are not in yet. 0, or an exit code
 * after the message.
 */
static int need_family(struct route_ctx *c, int family)
{
	struct nr_os_error e = {0};
	bool *have = family == AF_INET6 ? &c->have6 : &c->have4;
	struct stamp t0, t1;
	int r;

	if (*have)
		return 0;
	t0 = stamp_now();
	r = nr_os_load_routes_reachable(c->ns, c->ms, family, &e);
	if (r < 0) {
		const char *what = e.msg[0] ? e.msg : strerror(-r);

		if (c->netns && *c->netns)
			return nr_cli_error(nr_cli_exit_for(r), "reading the tables of namespace '%s': %s",
					    c->netns, what);
		return nr_cli_error(nr_cli_exit_for(r), "reading the tables of this namespace: %s",
				    what);
	}
	if (e.msg[0])
		fprintf(stderr, "netrig: warning: %s\n", e.msg);
	*have = true;
	t1 = stamp_now();
	c->lazy.wall += t1.wall - t0.wall;
	c->lazy.cpu += t1.cpu - t0.cpu;
	return 0;
}

/* Answer one destination; returns 1 when refused, 0 when answered, <0 on a bad query. */
static int answer(struct route_ctx *c, const struct nr_addr *dst, const char *text_dst, bool text)
{
	struct nr_route_query q = c->base;
	struct nr_route_result res;
	int r;

	if (c->scapy)
		return answer_scapy(c, dst, text_dst, text);
	q.dst = *dst;
	r = nr_stack_route_get(c->s, &q, &res);
	if (r < 0)
		return r;
	if (text)
		nr_print_route_result(stdout, &c->v, &q, &res);
	else
		nr_jsonl_route_result(&c->w, &c->v, &q, &res);
	return nr_route_result_refused(&res) ? 1 : 0;
}

/*
 * Why netrig's own decision failed, for a message: not the kernel's
 * answer (a refused route is an answer) but the stack giving up.
 */
static const char *decision_error(const struct route_ctx *c, const struct nr_addr *dst, int err,
				  char *buf, size_t cap)
{
	const char *fam = c->scapy		      ? "Scapy-model"
			  : dst->family == AF_INET6 ? "IPv6"
						    : "IPv4";

	if (err == -EINVAL)
		snprintf(buf, cap, "netrig's %s route decision refused the query as malformed (%s)",
			 fam, strerror(-err));
	else
		snprintf(buf, cap,
			 "netrig's %s route decision failed (%s); the namespace's tables were "
			 "read, the answer is missing: please report this with 'ip route', "
			 "'ip -6 route' and 'ip rule' output",
			 fam, strerror(-err));
	return buf;
}

/* Strip blanks and a CR around the line; NULL for a blank line or a comment. */
static char *trim_line(char *s, size_t len)
{
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	s[len] = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	return *s && *s != '#' ? s : NULL;
}

struct batch {
	unsigned long line;
	unsigned long asked; /* destinations looked up (for --stats) */
	bool bad;    /* a line was not an address: exit 2 */
	bool failed; /* the stack could not answer one: exit 1 */
	int stop;    /* loading a family's routes failed: this exit code */
};

/*
 * Destinations answered a group at a time through nr_stack_route_get_many
 * (the lookups of a group walk the tables together: their cache misses
 * overlap), then written in line order. Anything that writes a message or
 * may stop the batch (a bad line, a family to load) first answers the
 * group, so stdout and stderr come out exactly as line by line.
 */
#define GROUP_MAX 64

struct group {
	size_t n;
	struct nr_route_query q[GROUP_MAX];
	struct nr_route_result res[GROUP_MAX];
	int errs[GROUP_MAX];
	const char *text[GROUP_MAX];
	unsigned long line[GROUP_MAX];
};

static void group_flush(struct route_ctx *c, struct batch *b, struct group *g)
{
	if (!g->n)
		return;
	nr_stack_route_get_many(c->s, g->q, g->n, g->res, g->errs);
	for (size_t i = 0; i < g->n; i++) {
		int r = g->errs[i];

		if (r == 0) {
			nr_jsonl_route_result(&c->w, &c->v, &g->q[i], &g->res[i]);
		} else if (r == -EINVAL) {
			fprintf(c->err, "stdin:%lu: bad address '%s'\n", g->line[i], g->text[i]);
			b->bad = true;
		} else {
			char why[256];

			fprintf(c->err, "netrig: stdin:%lu: route get %s: %s\n", g->line[i],
				g->text[i], decision_error(c, &g->q[i].dst, r, why, sizeof(why)));
			b->failed = true;
		}
	}
	g->n = 0;
}

/* One line; g NULL: answered at once (--scapy, or no group buffer). */
static void batch_line(struct route_ctx *c, struct batch *b, struct group *g, char *text,
		       size_t len)
{
	struct nr_addr dst;
	char *s;
	int r;

	b->line++;
	s = trim_line(text, len);
	if (!s)
		return;
	if (parse_dst(s, &dst) < 0 ||
	    (c->base.src.family != AF_UNSPEC && c->base.src.family != dst.family)) {
		if (g)
			group_flush(c, b, g);
		fprintf(c->err, "stdin:%lu: bad address '%s'%s\n", b->line, s,
			parse_dst(s, &dst) < 0 ? "" : " (not of --from's family)");
		b->bad = true;
		return;
	}
	if (c->ns && !(dst.family == AF_INET6 ? c->have6 : c->have4)) {
		if (g)
			group_flush(c, b, g);
		if ((b->stop = need_family(c, dst.family)))
			return;
	}
	b->asked++;
	if (g) {
		g->q[g->n] = c->base;
		g->q[g->n].dst = dst;
		g->text[g->n] = s;
		g->line[g->n] = b->line;
		if (++g->n == GROUP_MAX)
			group_flush(c, b, g);
		return;
	}
	r = answer(c, &dst, s, false);
	if (r == -EINVAL) {
		fprintf(c->err, "stdin:%lu: bad address '%s'\n", b->line, s);
		b->bad = true;
	} else if (r < 0) {
		char why[256];

		fprintf(c->err, "netrig: stdin:%lu: route get %s: %s\n", b->line, s,
			decision_error(c, &dst, r, why, sizeof(why)));
		b->failed = true;
	}
}

#define BATCH_READ (1u << 20)
/* Below this many bytes of complete lines a chunk is answered on one thread. */
#define BATCH_SPLIT (32u * 1024)

/* The complete lines of [p, end) in order, answered by the end. */
static void batch_lines(struct route_ctx *c, struct batch *b, char *p, char *end)
{
	/* --scapy answers from its own model, one at a time. */
	struct group *g = c->scapy ? NULL : malloc(sizeof(*g));
	char *nl;

	if (g)
		g->n = 0;
	while (!b->stop && p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
		batch_line(c, b, g, p, (size_t)(nl - p));
		p = nl + 1;
	}
	if (g)
		group_flush(c, b, g);
	free(g);
}

/*
 * Does the line [p, p+len) have a destination of a family whose routes
 * are not loaded yet? The same tests as batch_line, without writing into
 * the line (its newline must stay for the loop that splits lines).
 */
static bool line_needs_load(const struct route_ctx *c, const char *p, size_t len)
{
	char text[64];
	struct nr_addr dst;

	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
		len--;
	while (len && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	/* No address is this long: a bad line, which loads nothing. */
	if (!len || *p == '#' || len >= sizeof(text))
		return false;
	if (memchr(p, ':', len) ? c->have6 : c->have4)
		return false;
	memcpy(text, p, len);
	text[len] = '\0';
	return parse_dst(text, &dst) == 0 &&
	       (c->base.src.family == AF_UNSPEC || c->base.src.family == dst.family);
}

/*
 * One half of a chunk answered on a second thread into buffers of its
 * own (output and messages), written after the first half's: stdout and
 * stderr get exactly what one thread would write. Lookups only read the
 * stack (its caches are per thread); the family loads stay on the main
 * thread, which loads what a chunk needs before splitting it. One per
 * batch: its output buffer is kept from chunk to chunk.
 */
struct half {
	struct route_ctx c;
	struct batch b;
	char *p, *end;
	FILE *err;
	char *errbuf;
	size_t errlen;
};

static void *half_run(void *arg)
{
	struct half *h = arg;

	batch_lines(&h->c, &h->b, h->p, h->end);
	return NULL;
}

/* Answer the complete lines [p, end), which load nothing, on two threads
 * when there are enough of them. -1 when the output failed. */
static int batch_span(struct route_ctx *c, struct batch *b, struct half *h, char *p, char *end)
{
	pthread_t tid;
	char *mid, *q;
	int r = 0;

	mid = (size_t)(end - p) >= BATCH_SPLIT && !c->scapy && h->c.w.buf
		      ? memchr(p + (end - p) / 2, '\n', (size_t)(end - (p + (end - p) / 2)))
		      : NULL;
	if (!mid || mid + 1 >= end) {
		batch_lines(c, b, p, end);
		return 0;
	}
	mid++;
	h->p = mid;
	h->end = end;
	h->b = (struct batch){.line = b->line};
	for (q = p; q < mid && (q = memchr(q, '\n', (size_t)(mid - q))); q++)
		h->b.line++;
	h->err = open_memstream(&h->errbuf, &h->errlen);
	h->c.err = h->err;
	if (!h->err || pthread_create(&tid, NULL, half_run, h) != 0) {
		if (h->err)
			fclose(h->err);
		free(h->errbuf);
		h->errbuf = NULL;
		batch_lines(c, b, p, end);
		return 0;
	}
	batch_lines(c, b, p, mid);
	pthread_join(tid, NULL);
	if (h->c.w.err || fflush(h->err))
		r = -1;
	/* The first half's output and messages went first. */
	if (nr_jsonl_flush(&c->w) < 0 ||
	    (h->c.w.len && fwrite(h->c.w.buf, 1, h->c.w.len, c->w.f) != h->c.w.len))
		r = -1;
	h->c.w.len = 0;
	if (h->errlen)
		fwrite(h->errbuf, 1, h->errlen, c->err);
	fclose(h->err);
	free(h->errbuf);
	h->errbuf = NULL;
	b->line = h->b.line;
	b->asked += h->b.asked;
	b->bad |= h->b.bad;
	b->failed |= h->b.failed;
	return r;
}

/*
 * Answer the complete lines [p, end). While a family's routes are not
 * loaded, a line that needs them is answered on its own (batch_line
 * loads them, or stops the batch, at that very line, as one thread
 * would); the spans between such lines go to batch_span.
 */
static int batch_chunk(struct route_ctx *c, struct batch *b, struct half *h, char *p,
		       char *end)
{
	while (c->ns && !(c->have4 && c->have6) && p < end && !b->stop) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *q;

		/* Only IPv6 missing and no colon anywhere: nothing to load. */
		if (c->have4 && !memchr(p, ':', (size_t)(end - p)))
			break;

		if (line_needs_load(c, p, (size_t)(nl - p))) {
			batch_line(c, b, NULL, p, (size_t)(nl - p));
			p = nl + 1;
			continue;
		}
		for (q = nl + 1; q < end; q = nl + 1) {
			nl = memchr(q, '\n', (size_t)(end - q));
			if (line_needs_load(c, q, (size_t)(nl - q)))
				break;
		}
		if (batch_span(c, b, h, p, q) < 0)
			return -1;
		p = q;
	}
	if (b->stop || p >= end)
		return 0;
	return batch_span(c, b, h, p, end);
}

/*
 * Read stdin a chunk at a time and answer every complete line of the
 * chunk before reading again, so a producer that writes one line and
 * waits gets its answer, and a file of a million lines goes at full speed.
 */
static int run_batch(struct route_ctx *c, unsigned long *asked)
{
	struct batch b = {0};
	struct half h = {.c = *c};
	char *buf = malloc(BATCH_READ + 1);
	size_t have = 0;
	bool skipping = false, eof = false;
	int ret = NR_EXIT_OK;

	if (!buf)
		return nr_cli_error(nr_cli_exit_for(-ENOMEM), "out of memory");
	/* The second thread's context: its own output; it loads nothing.
	 * Without the buffer every chunk is answered on this thread. */
	h.c.ns = NULL;
	if (nr_jsonl_init(&h.c.w, NULL, 0) < 0)
		h.c.w.buf = NULL;
	while (!eof) {
		ssize_t n = read(STDIN_FILENO, buf + have, BATCH_READ - have);
		char *p = buf, *end, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = nr_cli_error(nr_cli_exit_for(-errno), "reading stdin: %s",
					   strerror(errno));
			break;
		}
		eof = n == 0;
		end = buf + have + (size_t)n;
		if (skipping) {
			/* The rest of a line too long for the buffer: already reported. */
			nl = memchr(p, '\n', (size_t)(end - p));
			if (!nl) {
				have = 0;
				continue;
			}
			p = nl + 1;
			skipping = false;
		}
		/* Up to the last newline: the complete lines. */
		for (nl = end; nl > p && nl[-1] != '\n'; nl--)
			;
		if (batch_chunk(c, &b, &h, p, nl) < 0) {
			ret = nr_cli_error(NR_EXIT_FAIL, "writing the output failed");
			break;
		}
		p = nl;
		if (b.stop) {
			nr_jsonl_flush(&c->w);
			ret = b.stop;
			break;
		}
		have = (size_t)(end - p);
		if (eof && have) {
			batch_line(c, &b, NULL, p, have); /* last line without a newline */
			have = 0;
			if (b.stop) {
				nr_jsonl_flush(&c->w);
				ret = b.stop;
				break;
			}
		} else if (have == BATCH_READ) {
			fprintf(stderr, "stdin:%lu: bad address '%.40s...' (line too long)\n",
				++b.line, p);
			b.bad = true;
			skipping = true;
			have = 0;
		} else {
			memmove(buf, p, have);
		}
		if (nr_jsonl_flush(&c->w) < 0) {
			ret = nr_cli_error(NR_EXIT_FAIL, "writing the output failed");
			break;
		}
	}
	free(buf);
	if (h.c.w.buf)
		nr_jsonl_done(&h.c.w);
	*asked = b.asked;
	if (ret == NR_EXIT_OK && b.bad)
		ret = NR_EXIT_USAGE;
	else if (ret == NR_EXIT_OK && b.failed)
		ret = NR_EXIT_FAIL;
	return ret;
}

static int run_single(struct route_ctx *c, const struct nr_addr *dsts, int n, char **args)
{
	bool refused = false;

	for (int i = 0; i < n; i++) {
		int r = answer(c, &dsts[i], args[i], !c->json);

		if (r < 0) {
			char why[256];

			nr_jsonl_flush(&c->w);
			fflush(stdout);
			return nr_cli_error(nr_cli_exit_for(r), "route get %s: %s", args[i],
					    decision_error(c, &dsts[i], r, why, sizeof(why)));
		}
		refused |= r == 1;
	}
	if (nr_jsonl_flush(&c->w) < 0 || fflush(stdout))
		return nr_cli_error(NR_EXIT_FAIL, "writing the output failed");
	return refused ? NR_EXIT_FAIL : NR_EXIT_OK;
}

/*
 * --stats: loading (namespace read, tables built) apart from the lookup
 * phase (read, decide, write JSON), so a benchmark can tell them apart.
 * A family's routes loaded on first use (lazy) count as loading.
 */
static void print_stats(struct stamp load, struct stamp look, struct stamp end, struct stamp lazy,
			unsigned long n)
{
	double w = end.wall - look.wall - lazy.wall, c = end.cpu - look.cpu - lazy.cpu;

	fprintf(stderr,
		"stats: load_s=%.3f load_cpu_s=%.3f lookups=%lu lookup_s=%.3f lookup_cpu_s=%.3f "
		"lookups_per_s=%.0f lookups_cpu_per_s=%.0f\n",
		look.wall - load.wall + lazy.wall, look.cpu - load.cpu + lazy.cpu, n, w, c,
		w > 0 ? (double)n / w : 0, c > 0 ? (double)n / c : 0);
}

/* --iif/--oif name -> index in the loaded tables. */
static int ifindex_of(const struct nr_stack *s, const char *opt, const char *name, int *ret)
{
	const struct nr_iface *ifc = nr_iface_by_name(nr_stack_ifaces_const(s), name);

	if (!ifc) {
		nr_cli_error(NR_EXIT_USAGE, "%s: no interface '%s' in the namespace", opt, name);
		return NR_EXIT_USAGE;
	}
	*ret = ifc->index;
	return 0;
}

int nr_cmd_route(int argc, char **argv)
{
	struct route_opts o = {0};
	struct route_ctx c = {0};
	struct nr_stack *s = NULL;
	struct nr_addr *dsts = NULL;
	struct stamp t_load, t_look;
	unsigned long asked;
	bool batch, lazy;
	int r, ndst;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(route_usage, stdout);
		return NR_EXIT_OK;
	}
	if (argc < 2 || strcmp(argv[1], "get"))
		return usage(nr_cli_error(NR_EXIT_USAGE, "route: expected 'get'%s",
					  argc < 2 ? "" : " (the only route command)"));
	r = parse_opts(argc - 1, argv + 1, &o);
	if (r)
		return r < 0 ? NR_EXIT_OK : r;
	argv += 1 + optind;
	ndst = argc - 1 - optind;
	if (ndst < 1)
		return usage(nr_cli_error(NR_EXIT_USAGE,
					  "route get: no destination (give DST... or - for stdin)"));
	batch = ndst == 1 && !strcmp(argv[0], "-");
	/* Scapy's route() has no selectors: say so rather than ignore them. */
	if (o.scapy && (o.from || o.iif || o.oif || o.mark))
		return usage(nr_cli_error(NR_EXIT_USAGE,
					  "--scapy answers as conf.route.route(dst) does: "
					  "--from, --iif, --oif and --mark do not apply"));
	if (o.from && nr_addr_parse(o.from, AF_UNSPEC, &c.base.src) < 0)
		return nr_cli_error(NR_EXIT_USAGE, "bad source '%s': not an IPv4 or IPv6 address",
				    o.from);
	if (!batch) {
		dsts = calloc((size_t)ndst, sizeof(*dsts));
		if (!dsts)
			return nr_cli_error(nr_cli_exit_for(-ENOMEM), "out of memory");
		for (int i = 0; i < ndst; i++) {
			if (!strcmp(argv[i], "-") || parse_dst(argv[i], &dsts[i]) < 0) {
				r = nr_cli_error(NR_EXIT_USAGE, "bad destination '%s': %s", argv[i],
						 strcmp(argv[i], "-")
						     ? "not an IPv4 or IPv6 address"
						     : "'-' must be the only destination");
				goto out;
			}
			if (c.base.src.family != AF_UNSPEC && c.base.src.family != dsts[i].family) {
				r = nr_cli_error(
				    NR_EXIT_USAGE,
				    "bad destination '%s': --from %s is of the other family",
				    argv[i], o.from);
				goto out;
			}
		}
	}
	t_load = stamp_now();
	/* --scapy models Scapy's own reading of every table: a full load.
	 * NETRIG_TEST_EAGER_LOAD: the same for tests that compare both ways. */
	lazy = !o.scapy && !getenv("NETRIG_TEST_EAGER_LOAD");
	r = nr_cli_load(o.netns, NR_OS_LINKS | NR_OS_ADDRS | NR_OS_RULES | (lazy ? 0 : NR_OS_ROUTES),
			&s);
	if (r)
		goto out;
	c.s = c.ms = s;
	c.err = stderr;
	if (lazy) {
		struct nr_os_error e = {0};

		/* Open again for the routes (nr_cli_load closed it): what
		 * changes between the two is what could change between two
		 * dumps of one load. */
		r = nr_netns_open(o.netns, &c.ns, &e);
		if (r < 0) {
			const char *what = e.msg[0] ? e.msg : strerror(-r);

			if (o.netns && *o.netns)
				r = nr_cli_error(nr_cli_exit_for(r), "entering namespace '%s': %s",
						 o.netns, what);
			else
				r = nr_cli_error(nr_cli_exit_for(r), "entering this namespace: %s",
						 what);
			goto out;
		}
		c.netns = o.netns;
		for (int i = 0; i < ndst && !batch; i++)
			if ((r = need_family(&c, dsts[i].family)))
				goto out;
	}
	c.json = o.json || batch;
	c.base.mark = o.mark;
	if ((o.iif && (r = ifindex_of(s, "--iif", o.iif, &c.base.iif))) ||
	    (o.oif && (r = ifindex_of(s, "--oif", o.oif, &c.base.oif))))
		goto out;
	if (nr_view_from_stack(&c.v, s, AF_UNSPEC) < 0 || nr_jsonl_init(&c.w, stdout, 0) < 0) {
		r = nr_cli_error(nr_cli_exit_for(-ENOMEM), "out of memory");
		goto out;
	}
	if (o.scapy && (r = nr_scapy_model_new(s, &c.scapy)) < 0) {
		r = nr_cli_error(nr_cli_exit_for(r), "building the Scapy model: %s", strerror(-r));
		goto out;
	}
	t_look = stamp_now();
	/* Loads before the lookups are in t_look - t_load already. */
	c.lazy = (struct stamp){0};
	asked = (unsigned long)ndst;
	r = batch ? run_batch(&c, &asked) : run_single(&c, dsts, ndst, argv);
	if (o.stats)
		print_stats(t_load, t_look, stamp_now(), c.lazy, asked);
out:
	if (c.w.buf)
		nr_jsonl_done(&c.w);
	nr_scapy_model_free(c.scapy);
	nr_view_done(&c.v);
	nr_netns_close(c.ns);
	nr_stack_free(s);
	free(dsts);
	return r;
}
