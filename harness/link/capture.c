/* SPDX-License-Identifier: BSD-2-Clause */
#include "link/capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct nr_capture {
	pcap_t *dead;
	pcap_dumper_t *dumper;
	int dlt;
	uint32_t snaplen;
	bool buffered;
	struct nr_clock *clock;
	struct nr_capture_stats stats;
};

static int set_err(struct nr_os_error *err, int e, const char *what, const char *why)
{
	if (err) {
		err->err = e;
		snprintf(err->msg, sizeof(err->msg), "%s: %s", what, why);
	}
	return e;
}

int nr_capture_dlt_for(enum nr_link_layer layer)
{
	return layer == NR_LINK_RAW_IP ? DLT_RAW : DLT_EN10MB;
}

int nr_capture_open(const char *path, int dlt, const struct nr_capture_opts *o,
		    struct nr_capture **ret, struct nr_os_error *err)
{
	static const struct nr_capture_opts defaults = {0};
	struct nr_capture *c;
	int r;

	if (!o)
		o = &defaults;
	if (!path || !*path)
		return set_err(err, -EINVAL, "capture", "no file name");
	if (pcap_datalink_val_to_name(dlt) == NULL)
		return set_err(err, -EINVAL, path, "unknown link type");
	c = calloc(1, sizeof(*c));
	if (!c)
		return set_err(err, -ENOMEM, path, "out of memory");
	c->dlt = dlt;
	c->snaplen = o->snaplen ? o->snaplen : NR_CAPTURE_SNAPLEN_DEFAULT;
	c->buffered = o->buffered;
	c->clock = o->clock ? o->clock : nr_clock_wall();
	c->dead = pcap_open_dead(dlt, (int)c->snaplen);
	if (!c->dead) {
		r = set_err(err, -ENOMEM, path, "pcap_open_dead failed");
		goto fail;
	}
	/* libpcap reports open errors as text; errno still holds fopen's reason. */
	errno = 0;
	c->dumper = pcap_dump_open(c->dead, path);
	if (!c->dumper) {
		r = set_err(err, errno ? -errno : -EIO, path, pcap_geterr(c->dead));
		goto fail;
	}
	/* The header now, so a reader can open the file before the first frame. */
	if (pcap_dump_flush(c->dumper) < 0) {
		r = errno ? -errno : -EIO;
		set_err(err, r, path, strerror(-r));
		goto fail;
	}
	*ret = c;
	return 0;

fail:
	nr_capture_close(c);
	return r;
}

int nr_capture_write(struct nr_capture *c, enum nr_capture_dir dir, const void *frame,
		     size_t len)
{
	struct pcap_pkthdr h;
	uint64_t now = c->clock->now_ns(c->clock);
	FILE *f = pcap_dump_file(c->dumper);

	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)(now / NR_NSEC_PER_SEC);
	h.ts.tv_usec = (suseconds_t)((now % NR_NSEC_PER_SEC) / NR_NSEC_PER_USEC);
	/* The record header's lengths are 32-bit; a frame is far below that. */
	h.len = len > UINT32_MAX ? UINT32_MAX : (bpf_u_int32)len;
	h.caplen = h.len < c->snaplen ? h.len : c->snaplen;
	pcap_dump((u_char *)c->dumper, &h, frame);
	if (c->buffered ? ferror(f) != 0 : pcap_dump_flush(c->dumper) < 0) {
		/* A partial record may be in the file; nothing more can be done about it. */
		clearerr(f);
		c->stats.drops++;
		return -EIO;
	}
	c->stats.frames++;
	c->stats.bytes += len;
	if (dir == NR_CAPTURE_IN)
		c->stats.in++;
	else
		c->stats.out++;
	if (h.caplen < h.len)
		c->stats.truncated++;
	return 0;
}

int nr_capture_flush(struct nr_capture *c)
{
	if (pcap_dump_flush(c->dumper) < 0) {
		clearerr(pcap_dump_file(c->dumper));
		return -EIO;
	}
	return 0;
}

int nr_capture_dlt(const struct nr_capture *c)
{
	return c->dlt;
}

const struct nr_capture_stats *nr_capture_stats(const struct nr_capture *c)
{
	return &c->stats;
}

void nr_capture_close(struct nr_capture *c)
{
	if (!c)
		return;
	if (c->dumper)
		pcap_dump_close(c->dumper);
	if (c->dead)
		pcap_close(c->dead);
	free(c);
}
