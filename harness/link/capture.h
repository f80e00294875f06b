/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A capture tee: every frame in and out of a link, written to a classic
 * pcap file through libpcap (pcap_open_dead + pcap_dump_open), so
 * tcpdump, tshark and Scapy read it. DLT_EN10MB for Ethernet links,
 * DLT_RAW for TUN links without packet information. Classic pcap has no
 * direction field: the counters keep in and out apart.
 *
 * Unbuffered (the default) flushes after every frame so a reader of the
 * growing file sees each one at once; buffered leaves flushing to
 * nr_capture_flush (from an idle timer) where the rate matters more;
 * there a write error shows when stdio writes its buffer out, so drops
 * count the frames whose write saw the error, not every frame lost with
 * the buffer.
 */
#ifndef NETRIG_CAPTURE_H
#define NETRIG_CAPTURE_H

#include "link/link.h"
#include "loop/clock.h"
#include "netrig/netns.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NR_CAPTURE_SNAPLEN_DEFAULT 262144u /* tcpdump's default */

struct nr_capture_opts {
	uint32_t snaplen;        /* 0: NR_CAPTURE_SNAPLEN_DEFAULT; longer frames are cut */
	bool buffered;           /* false: flush after every frame */
	struct nr_clock *clock;  /* timestamps; NULL: wall clock (CLOCK_REALTIME) */
};

enum nr_capture_dir { NR_CAPTURE_IN, NR_CAPTURE_OUT };

struct nr_capture_stats {
	uint64_t frames, bytes; /* written (bytes: original lengths) */
	uint64_t in, out;       /* written, by direction */
	uint64_t truncated;     /* written cut to the snap length */
	uint64_t drops;         /* could not be written (disk full, file size limit) */
};

struct nr_capture;

/*
 * Create path ("-" is stdout) for frames of link type dlt (DLT_EN10MB,
 * DLT_RAW). The file header is written and flushed at once. -EINVAL for a
 * link type libpcap does not know; the file's errno otherwise. err may be
 * NULL.
 */
int nr_capture_open(const char *path, int dlt, const struct nr_capture_opts *o,
		    struct nr_capture **ret, struct nr_os_error *err);
/* The link type for a link's frames. */
int nr_capture_dlt_for(enum nr_link_layer layer);
/* Append one frame. -EIO (counted in drops) when it could not be written. */
int nr_capture_write(struct nr_capture *c, enum nr_capture_dir dir, const void *frame,
		     size_t len);
int nr_capture_flush(struct nr_capture *c);
int nr_capture_dlt(const struct nr_capture *c);
const struct nr_capture_stats *nr_capture_stats(const struct nr_capture *c);
/* Flushes and closes; NULL is fine. */
void nr_capture_close(struct nr_capture *c);

#endif
