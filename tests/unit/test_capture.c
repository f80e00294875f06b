/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The capture tee: frames in and out of a link written to classic pcap,
 * read back with pcap_open_offline (every header and record field), the
 * file header checked byte by byte, snap length, DLT_RAW for layer-3
 * links, a reader seeing frames before the capture is closed, buffered
 * mode, and errors (unknown link type, unwritable path, file size limit).
 * Timestamps come from a fake clock so they can be asserted exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "link/capture.h"
#include "link/link.h"
#include "loop/clock.h"

/* An ICMP echo request in Ethernet, 42 bytes (payload trimmed). */
static const uint8_t echo_frame[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, /* dst mem1 */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* src mem0 */
	0x08, 0x00,                         /* IPv4 */
	0x45, 0x00, 0x00, 0x1c,             /* v4 ihl 5, tos 0, total 28 */
	0x00, 0x01, 0x00, 0x00,             /* id 1, no fragment */
	0x40, 0x01, 0xf6, 0xdc,             /* ttl 64, ICMP, header checksum */
	0xc0, 0x00, 0x02, 0x01,             /* 192.0.2.1 */
	0xc0, 0x00, 0x02, 0x02,             /* 192.0.2.2 */
	0x08, 0x00, 0xf7, 0xfe,             /* echo request, checksum */
	0x00, 0x01, 0x00, 0x00,             /* id 1, seq 0 */
};

/* The same packet without the Ethernet header, for a TUN. */
#define IP_OFF 14

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nrt-loop-capXXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void path_of(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", dir, name);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static size_t slurp(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

/* A frame through a link pair with a capture on each side, read back. */
static void test_link_tee_read_back(void **state)
{
	struct nr_fake_clock fc;
	struct nr_capture_opts co = {.clock = &fc.clock};
	struct nr_capture *cap;
	struct nr_link *a, *b;
	char path[128], errbuf[PCAP_ERRBUF_SIZE];
	uint8_t buf[1518], file[256];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *rd;
	size_t n;

	(void)state;
	/* 2024-01-02 03:04:05.123456789 UTC, in ns; pcap keeps microseconds. */
	nr_fake_clock_init(&fc, 1704164645ull * NR_NSEC_PER_SEC + 123456789ull);
	path_of(path, sizeof(path), "tee.pcap");
	assert_int_equal(nr_link_mem_pair(NULL, &a, &b), 0);
	assert_int_equal(nr_capture_open(path, nr_capture_dlt_for(nr_link_layer(b)), &co, &cap, NULL),
			 0);
	assert_int_equal(nr_capture_dlt(cap), DLT_EN10MB);
	nr_link_set_capture(b, cap);

	/* In on b, then out of b one second later. */
	assert_int_equal(nr_link_send(a, echo_frame, sizeof(echo_frame)), 0);
	assert_int_equal(nr_link_recv(b, buf, sizeof(buf)), sizeof(echo_frame));
	nr_fake_clock_advance(&fc, NR_NSEC_PER_SEC);
	assert_int_equal(nr_link_send(b, echo_frame + 6, sizeof(echo_frame) - 6), 0);
	/* A refused send is not captured. */
	assert_int_equal(nr_link_send(b, buf, 0), -EINVAL);
	assert_int_equal(nr_capture_stats(cap)->frames, 2);
	assert_int_equal(nr_capture_stats(cap)->in, 1);
	assert_int_equal(nr_capture_stats(cap)->out, 1);
	assert_int_equal(nr_capture_stats(cap)->bytes, 2 * sizeof(echo_frame) - 6);
	assert_int_equal(nr_capture_stats(cap)->truncated, 0);
	assert_int_equal(nr_capture_stats(cap)->drops, 0);

	/* Unbuffered: a reader sees both records while the capture is still open. */
	n = slurp(path, file, sizeof(file));
	assert_int_equal(n, 24 + 16 + 42 + 16 + 36);
	/* File header (host byte order; this host is little-endian). */
	assert_int_equal(le32(file + 0), 0xa1b2c3d4);     /* magic: microsecond stamps */
	assert_int_equal(file[4] | file[5] << 8, 2);     /* version 2.4 */
	assert_int_equal(file[6] | file[7] << 8, 4);
	assert_int_equal(le32(file + 8), 0);             /* thiszone */
	assert_int_equal(le32(file + 12), 0);            /* sigfigs */
	assert_int_equal(le32(file + 16), NR_CAPTURE_SNAPLEN_DEFAULT);
	assert_int_equal(le32(file + 20), 1);            /* LINKTYPE_ETHERNET */
	/* First record header. */
	assert_int_equal(le32(file + 24), 1704164645);   /* ts_sec */
	assert_int_equal(le32(file + 28), 123456);       /* ts_usec */
	assert_int_equal(le32(file + 32), 42);           /* incl_len */
	assert_int_equal(le32(file + 36), 42);           /* orig_len */
	assert_memory_equal(file + 40, echo_frame, 42);

	rd = pcap_open_offline(path, errbuf);
	assert_non_null(rd);
	assert_int_equal(pcap_datalink(rd), DLT_EN10MB);
	assert_int_equal(pcap_snapshot(rd), NR_CAPTURE_SNAPLEN_DEFAULT);
	assert_int_equal(pcap_major_version(rd), 2);
	assert_int_equal(pcap_minor_version(rd), 4);
	assert_int_equal(pcap_next_ex(rd, &h, &data), 1);
	assert_int_equal(h->ts.tv_sec, 1704164645);
	assert_int_equal(h->ts.tv_usec, 123456);
	assert_int_equal(h->caplen, sizeof(echo_frame));
	assert_int_equal(h->len, sizeof(echo_frame));
	assert_memory_equal(data, echo_frame, sizeof(echo_frame));
	assert_int_equal(pcap_next_ex(rd, &h, &data), 1);
	assert_int_equal(h->ts.tv_sec, 1704164646);
	assert_int_equal(h->ts.tv_usec, 123456);
	assert_int_equal(h->caplen, sizeof(echo_frame) - 6);
	assert_int_equal(h->len, sizeof(echo_frame) - 6);
	assert_memory_equal(data, echo_frame + 6, sizeof(echo_frame) - 6);
	assert_int_equal(pcap_next_ex(rd, &h, &data), PCAP_ERROR_BREAK); /* end of file */
	pcap_close(rd);

	/* Detached: nothing more is written. */
	nr_link_set_capture(b, NULL);
	assert_int_equal(nr_link_send(b, echo_frame, sizeof(echo_frame)), 0);
	assert_int_equal(nr_capture_stats(cap)->frames, 2);
	nr_capture_close(cap);
	nr_capture_close(NULL);
	nr_link_close(a);
	nr_link_close(b);
}

static void test_snaplen_and_raw(void **state)
{
	struct nr_fake_clock fc;
	struct nr_capture_opts co = {.clock = &fc.clock, .snaplen = 20};
	struct nr_link_mem_opts mo = {.layer = NR_LINK_RAW_IP};
	struct nr_capture *cap;
	struct nr_link *a, *b;
	char path[128], errbuf[PCAP_ERRBUF_SIZE];
	uint8_t file[128];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *rd;

	(void)state;
	nr_fake_clock_init(&fc, 5 * NR_NSEC_PER_SEC + 999999999ull);
	path_of(path, sizeof(path), "raw.pcap");
	assert_int_equal(nr_link_mem_pair(&mo, &a, &b), 0);
	assert_int_equal(nr_capture_dlt_for(nr_link_layer(a)), DLT_RAW);
	assert_int_equal(nr_capture_open(path, DLT_RAW, &co, &cap, NULL), 0);
	nr_link_set_capture(a, cap);
	/* 28 bytes of IP, cut to 20 (the IP header). */
	assert_int_equal(nr_link_send(a, echo_frame + IP_OFF, sizeof(echo_frame) - IP_OFF), 0);
	assert_int_equal(nr_capture_stats(cap)->truncated, 1);
	assert_int_equal(nr_capture_stats(cap)->bytes, 28);
	nr_capture_close(cap);

	assert_int_equal(slurp(path, file, sizeof(file)), 24 + 16 + 20);
	assert_int_equal(le32(file + 16), 20);  /* snaplen */
	assert_int_equal(le32(file + 20), 101); /* LINKTYPE_RAW on disk, whatever DLT_RAW is here */
	rd = pcap_open_offline(path, errbuf);
	assert_non_null(rd);
	assert_int_equal(pcap_datalink(rd), DLT_RAW);
	assert_int_equal(pcap_snapshot(rd), 20);
	assert_int_equal(pcap_next_ex(rd, &h, &data), 1);
	assert_int_equal(h->ts.tv_sec, 5);
	assert_int_equal(h->ts.tv_usec, 999999); /* truncated, not rounded up to 6.000000 */
	assert_int_equal(h->caplen, 20);
	assert_int_equal(h->len, 28);
	assert_memory_equal(data, echo_frame + IP_OFF, 20);
	assert_int_equal(pcap_next_ex(rd, &h, &data), PCAP_ERROR_BREAK);
	pcap_close(rd);
	nr_link_close(a);
	nr_link_close(b);
}

static off_t size_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static void test_buffered(void **state)
{
	struct nr_fake_clock fc;
	struct nr_capture_opts co = {.clock = &fc.clock, .buffered = true};
	struct nr_capture *cap;
	char path[128];

	(void)state;
	nr_fake_clock_init(&fc, 0);
	path_of(path, sizeof(path), "buffered.pcap");
	assert_int_equal(nr_capture_open(path, DLT_EN10MB, &co, &cap, NULL), 0);
	assert_int_equal(size_of(path), 24); /* the header is out at once */
	assert_int_equal(nr_capture_write(cap, NR_CAPTURE_IN, echo_frame, sizeof(echo_frame)), 0);
	assert_int_equal(size_of(path), 24); /* the record waits in the buffer */
	assert_int_equal(nr_capture_flush(cap), 0);
	assert_int_equal(size_of(path), 24 + 16 + 42);
	nr_capture_close(cap);
}

static void test_open_errors(void **state)
{
	struct nr_capture *cap = NULL;
	struct nr_os_error err = {0};
	char path[128];

	(void)state;
	path_of(path, sizeof(path), "x.pcap");
	assert_int_equal(nr_capture_open(path, -12345, NULL, &cap, &err), -EINVAL);
	assert_int_equal(err.err, -EINVAL);
	assert_non_null(strstr(err.msg, "unknown link type"));
	assert_int_equal(nr_capture_open("", DLT_EN10MB, NULL, &cap, NULL), -EINVAL);
	path_of(path, sizeof(path), "no/such/dir.pcap");
	assert_int_equal(nr_capture_open(path, DLT_EN10MB, NULL, &cap, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no/such/dir.pcap"));
	/* The header is flushed at open, so a full disk shows there. */
	assert_int_equal(nr_capture_open("/dev/full", DLT_EN10MB, NULL, &cap, &err), -ENOSPC);
	assert_null(cap);
}

/*
 * A file size limit lets the header and one record through; the second
 * record is a drop. In a child, since the limit and SIGXFSZ are process-wide.
 */
static void test_drops(void **state)
{
	char path[128];
	pid_t pid;
	int st;

	(void)state;
	path_of(path, sizeof(path), "limited.pcap");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = {.rlim_cur = 24 + 16 + 42, .rlim_max = RLIM_INFINITY};
		struct nr_fake_clock fc;
		struct nr_capture_opts co = {.clock = &fc.clock};
		struct nr_capture *cap;
		const struct nr_capture_stats *s;

		nr_fake_clock_init(&fc, 0);
		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
			_exit(10);
		if (nr_capture_open(path, DLT_EN10MB, &co, &cap, NULL) < 0)
			_exit(11);
		if (nr_capture_write(cap, NR_CAPTURE_IN, echo_frame, sizeof(echo_frame)) != 0)
			_exit(12);
		if (nr_capture_write(cap, NR_CAPTURE_OUT, echo_frame, sizeof(echo_frame)) != -EIO)
			_exit(13);
		s = nr_capture_stats(cap);
		if (s->frames != 1 || s->drops != 1 || s->in != 1 || s->out != 0)
			_exit(14);
		nr_capture_close(cap);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(size_of(path), 24 + 16 + 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_tee_read_back), cmocka_unit_test(test_snaplen_and_raw),
		cmocka_unit_test(test_buffered),           cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_drops),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
