/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NETRIG_NLERR_H
#define NETRIG_NLERR_H

/* libnl's -NLE_* (or a non-negative value, returned as is) to -errno. */
int nr_nl_errno(int nle);

#endif
