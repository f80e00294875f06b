/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `netrig show nameservers`: the resolver configuration as glibc would
 * use it. Text is resolv.conf syntax with every effective option spelled
 * out and the parser's warnings as trailing comments; JSON is one object
 * (nameservers[], search[], sortlist[], options{}, warnings[]), since the
 * configuration is not a list of rows.
 */
#ifndef NETRIG_OUTPUT_RESOLV_OUT_H
#define NETRIG_OUTPUT_RESOLV_OUT_H

#include "netrig/resolv.h"

#include <jansson.h>
#include <stdio.h>

int nr_print_resolv(FILE *f, const struct nr_resolv *r);
json_t *nr_json_resolv(const struct nr_resolv *r);

#endif
