/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Privileges, with libcap-ng: say up front what is missing (exit 3
 * upstream), and drop to a small capability set in a child about to run
 * a command inside a node.
 */
#ifndef NETRIG_PRIV_H
#define NETRIG_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What an operation needs; nr_priv_preflight checks the union. */
#define NR_PRIV_NETNS 0x01u   /* create, enter, delete namespaces: NET_ADMIN + SYS_ADMIN */
#define NR_PRIV_NETCONF 0x02u /* links, addresses, routes, rules, sysctls: NET_ADMIN */
#define NR_PRIV_TUNTAP 0x04u  /* TUN/TAP: NET_ADMIN + read-write /dev/net/tun */
#define NR_PRIV_CAPTURE 0x08u /* packet sockets, pcap: NET_RAW */
#define NR_PRIV_EXEC 0x10u    /* run commands in nodes as another user: SETUID + SETGID
			       * + SETPCAP (to keep capabilities across the switch) */

/*
 * 0 when the effective set has everything needs asks for; -EPERM (or
 * -EACCES for /dev/net/tun) with one line in msg naming what is missing
 * and how to fix it, without the "netrig: " prefix that nr_cli_error
 * adds: "creating namespaces needs CAP_NET_ADMIN and CAP_SYS_ADMIN; run
 * as root". -EINVAL for an unknown bit, -EIO when the process's
 * capabilities cannot be read.
 */
int nr_priv_preflight(unsigned needs, char *msg, size_t cap);

/* The capabilities a command inside a node keeps by default. */
#define NR_PRIV_DEFAULT_KEEP \
	((1ull << 13) /* CAP_NET_RAW */ | (1ull << 12) /* CAP_NET_ADMIN */ | \
	 (1ull << 10) /* CAP_NET_BIND_SERVICE */)

/*
 * What a command run as another user (exec --user) keeps by default: no
 * CAP_NET_ADMIN nor CAP_SYS_ADMIN. Either, in the ambient set of the
 * initial user namespace, reaches every namespace of the machine (a link
 * created with IFLA_NET_NS_PID lands anywhere): a node is a network
 * namespace, not a sandbox.
 */
#define NR_PRIV_USER_KEEP \
	((1ull << 13) /* CAP_NET_RAW */ | (1ull << 10) /* CAP_NET_BIND_SERVICE */)

/* The default kept set: NR_PRIV_USER_KEEP for another user, else NR_PRIV_DEFAULT_KEEP. */
uint64_t nr_priv_default_keep(bool other_user);

/*
 * A capability list as a command line gives it: names with or without
 * "cap_", any case, comma-separated ("net_raw,CAP_NET_ADMIN"), or "none".
 * 0 with *ret (bit n = capability n), -EINVAL for an unknown or empty name.
 */
int nr_priv_parse_caps(const char *list, uint64_t *ret);

struct nr_priv_drop {
	uint64_t keep;      /* bit n = capability n (CAP_*); NR_PRIV_DEFAULT_KEEP */
	bool set_ids;       /* switch to uid/gid below */
	uid_t uid;
	gid_t gid;
	bool no_new_privs;  /* PR_SET_NO_NEW_PRIVS: also stops setcap/setuid programs */
};

/*
 * For a child between fork and exec: keep only how->keep in the
 * effective, permitted, inheritable and ambient sets (ambient so the
 * command inherits them across exec, as root or as another user),
 * optionally become uid/gid (supplementary groups dropped), and leave the
 * bounding set alone so setcap programs such as ping keep working. As
 * root, SECBIT_NOROOT stops exec from handing the full set back.
 * 0 or a negative errno; on failure the caller must not exec.
 */
int nr_priv_drop_for_exec(const struct nr_priv_drop *how);

#endif
