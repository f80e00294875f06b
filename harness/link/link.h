/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Links: where frames come from and go to, behind one small vtable
 * (packetdrill's netdev.h is the idea). Backends: an in-memory pair for
 * unit tests, a packet socket on an existing interface, TUN and TAP.
 * The harness owns transmission: responders hand it frames, it calls
 * nr_link_send; the loop watches nr_link_fd and drains nr_link_recv.
 *
 * nr_link_recv/nr_link_send count every frame and copy it to the link's
 * capture (capture.h) when one is attached.
 */
#ifndef NETRIG_LINK_H
#define NETRIG_LINK_H

#include "netrig/addr.h"
#include "netrig/kbuild.h"
#include "netrig/netns.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What a frame starts with. */
enum nr_link_layer {
	NR_LINK_ETHERNET = 1, /* Ethernet header (TAP, veth, in-memory default) */
	NR_LINK_RAW_IP,       /* IPv4 or IPv6 header (TUN without packet information) */
};

/* Room for an Ethernet header with one 802.1Q tag in front of the MTU. */
#define NR_LINK_ETH_OVERHEAD 18u

struct nr_link;
struct nr_capture;

struct nr_link_ops {
	const char *kind; /* "mem", "packet", "tun", "tap" */
	/*
	 * One frame into buf: its length; -EAGAIN when none is waiting;
	 * -EMSGSIZE when a frame longer than cap was consumed and dropped.
	 */
	ssize_t (*recv)(struct nr_link *l, void *buf, size_t cap);
	/* One whole frame: 0, or -EMSGSIZE (longer than the link carries),
	 * -ENOBUFS/-EAGAIN (queue full, frame dropped), other negative errno. */
	int (*send)(struct nr_link *l, const void *frame, size_t len);
	/* Readable when frames may be waiting (level-triggered). */
	int (*fd)(const struct nr_link *l);
	/* Asked of the device each time (it may change); 0 if it cannot be read. */
	uint32_t (*mtu)(const struct nr_link *l);
	/* The device's own address; len 0 for links without one (TUN). */
	int (*lladdr)(const struct nr_link *l, struct nr_lladdr *ret);
	const char *(*name)(const struct nr_link *l);
	void (*close)(struct nr_link *l);
	/*
	 * A read() of fd takes exactly one whole frame and a write() of a
	 * frame sends it (TUN, TAP): a caller may move frames itself (one
	 * io_uring request per frame) and account for them with
	 * nr_link_count_rx/tx.
	 */
	bool frame_fd;
};

struct nr_link_stats {
	uint64_t rx_frames, rx_bytes;
	uint64_t tx_frames, tx_bytes;
	uint64_t rx_too_long;  /* consumed but longer than the caller's buffer */
	uint64_t tx_errors;    /* refused by the backend (full, too long, down) */
	/* packet socket only */
	uint64_t rx_outgoing;      /* our own transmissions seen on the socket, skipped */
	uint64_t rx_csum_completed; /* partial checksums (CHECKSUM_PARTIAL) filled in */
	uint64_t rx_csum_bad_offset; /* partial checksum pointing outside the frame: dropped */
	uint64_t rx_gso;           /* coalesced (GSO/GRO) frames passed up as they are */
};

/* Every backend embeds this first. */
struct nr_link {
	const struct nr_link_ops *ops;
	enum nr_link_layer layer;
	struct nr_capture *capture; /* tee; not owned */
	struct nr_link_stats stats;
};

ssize_t nr_link_recv(struct nr_link *l, void *buf, size_t cap);
int nr_link_send(struct nr_link *l, const void *frame, size_t len);
int nr_link_fd(const struct nr_link *l);
uint32_t nr_link_mtu(const struct nr_link *l);
int nr_link_lladdr(const struct nr_link *l, struct nr_lladdr *ret);
const char *nr_link_name(const struct nr_link *l);
const char *nr_link_kind(const struct nr_link *l);
enum nr_link_layer nr_link_layer(const struct nr_link *l);
/* A receive buffer of this size never truncates a frame of MTU size
 * (asks the device for its MTU: size the buffer once, not per frame). */
size_t nr_link_frame_max(const struct nr_link *l);
const struct nr_link_stats *nr_link_stats(const struct nr_link *l);
/* Tee frames in and out to cap (NULL: stop). The capture outlives the link's use of it. */
void nr_link_set_capture(struct nr_link *l, struct nr_capture *cap);
/* NULL is fine. */
void nr_link_close(struct nr_link *l);

/* The link's fd moves whole frames by read()/write() (nr_link_ops.frame_fd). */
bool nr_link_frame_fd(const struct nr_link *l);
/*
 * What nr_link_recv/nr_link_send do around their backend, for frames the
 * caller moved through nr_link_fd itself: count and capture. rx: len is
 * what the read returned; a frame longer than cap (or a read error) is
 * counted and not captured. tx: err is the write's 0 or negative errno.
 */
void nr_link_count_rx(struct nr_link *l, const void *frame, size_t len, size_t cap);
void nr_link_count_tx(struct nr_link *l, const void *frame, size_t len, int err);

/*
 * For backends: a kernel device's MTU (0 when it cannot be read) and its
 * Ethernet address, by ioctl on fd (any socket or TUN/TAP control fd in
 * the device's namespace). The device is named by name, or, when name is
 * NULL, by ifindex (a name may change after open; an index does not).
 */
uint32_t nr_link_dev_mtu(int fd, int ifindex, const char *name);
int nr_link_dev_hwaddr(int fd, int ifindex, const char *name, struct nr_lladdr *ret);

/* --- in-memory pair: what one end sends, the other receives --- */

struct nr_link_mem_opts {
	enum nr_link_layer layer; /* 0: Ethernet */
	uint32_t mtu;             /* 0: 1500 */
	size_t queue_len;         /* frames each end can hold; 0: 64 */
	const char *name_a, *name_b;       /* NULL: "mem0", "mem1" */
	struct nr_lladdr mac_a, mac_b;     /* len 0: 02:00:00:00:00:01 / :02 (Ethernet) */
};

/*
 * A full queue drops the frame being sent (-ENOBUFS), as a NIC would.
 * Closing one end leaves the other with what it had queued; sending to
 * a closed end is -ENOTCONN.
 */
int nr_link_mem_pair(const struct nr_link_mem_opts *o, struct nr_link **ret_a,
		     struct nr_link **ret_b);

/* --- packet socket on an existing interface --- */

struct nr_link_packet_opts {
	bool promisc; /* PACKET_MR_PROMISC: see frames for other MACs (emulated hosts) */
	int rcvbuf;   /* SO_RCVBUF bytes; 0: the kernel's default */
};

/*
 * AF_PACKET SOCK_RAW ETH_P_ALL bound to ifname, created inside ns (NULL:
 * the caller's). Outgoing copies are skipped; partial checksums of
 * frames from a local sender (veth with tx offload) are completed from
 * the virtio-net header the socket is asked for. Ethernet-type devices
 * only (-EPROTONOSUPPORT otherwise). err may be NULL.
 */
int nr_link_packet_open(struct nr_netns *ns, const char *ifname,
			const struct nr_link_packet_opts *o, struct nr_link **ret,
			struct nr_os_error *err);

/* --- TUN and TAP through nr_tuntap --- */

/*
 * Create or attach to a TUN/TAP device in ns (NULL: the caller's) with
 * nr_tuntap_open. Packet information and the vnet header are always off:
 * a TAP link carries Ethernet frames, a TUN link bare IP packets. mtu and
 * lladdr are read from the device when asked. err may be NULL.
 */
int nr_link_tuntap_open(struct nr_netns *ns, const char *name, enum nr_tuntap_mode mode,
			struct nr_link **ret, struct nr_os_error *err);
/* The underlying device handle (for nr_tuntap_name, ...). */
struct nr_tuntap *nr_link_tuntap(struct nr_link *l);

#endif
