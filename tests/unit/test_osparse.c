/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rtnetlink route messages built by hand -> nr_os_parse_route: ECMP routes
 * up to NR_ROUTE_MAX_NH nexthops load whole; longer ones load truncated and
 * flagged instead of failing the whole namespace load; a malformed nexthop
 * past the cap is still refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>

#include "netrig/nlsock.h"
#include "netrig/route.h"

/*
 * RTM_NEWROUTE 192.0.2.0/24 table main with n nexthops "via 198.51.100.X
 * dev 2" in RTA_MULTIPATH; bad_at: the nexthop whose RTA_GATEWAY is 3
 * bytes long (malformed), or -1.
 */
static struct nl_msg *ecmp_route(unsigned n, int bad_at)
{
	struct nl_msg *m = nlmsg_alloc_size(65536);
	struct rtmsg rtm = {.rtm_family = AF_INET, .rtm_dst_len = 24, .rtm_table = RT_TABLE_MAIN,
			    .rtm_protocol = RTPROT_BOOT, .rtm_type = RTN_UNICAST};
	uint32_t dst = htonl(0xc0000200u);
	struct nlattr *mp;

	assert_non_null(m);
	nlmsg_put(m, 0, 0, RTM_NEWROUTE, 0, 0);
	assert_int_equal(nlmsg_append(m, &rtm, sizeof(rtm), NLMSG_ALIGNTO), 0);
	assert_int_equal(nla_put(m, RTA_DST, 4, &dst), 0);
	mp = nla_nest_start(m, RTA_MULTIPATH);
	assert_non_null(mp);
	for (unsigned i = 0; i < n; i++) {
		struct rtnexthop *rtnh = nlmsg_reserve(m, sizeof(*rtnh), NLMSG_ALIGNTO);
		uint32_t gw = htonl(0xc6336400u + 1 + i % 250);
		void *start = rtnh;

		assert_non_null(rtnh);
		memset(rtnh, 0, sizeof(*rtnh));
		rtnh->rtnh_ifindex = 2;
		assert_int_equal(nla_put(m, RTA_GATEWAY, (int)i == bad_at ? 3 : 4, &gw), 0);
		rtnh->rtnh_len = (unsigned short)((char *)nlmsg_tail(nlmsg_hdr(m)) - (char *)start);
	}
	nla_nest_end(m, mp);
	return m;
}

static void test_multipath_sizes(void **state)
{
	static struct nr_nexthop nh[NR_ROUTE_MAX_NH];
	struct nr_route r;
	struct nl_msg *m;

	(void)state;
	/* 250: what `ip route add` can make; used to fail the load (cap 64). */
	m = ecmp_route(250, -1);
	assert_int_equal(nr_os_parse_route(nlmsg_hdr(m), &r, nh), 0);
	assert_int_equal(r.nh_count, 250);
	assert_int_equal(r.flags & NR_ROUTE_F_NH_TRUNCATED, 0);
	assert_int_equal(nr_addr_v4(&r.nh[249].gw), 0xc6336400u + 250);
	nlmsg_free(m);

	m = ecmp_route(NR_ROUTE_MAX_NH, -1);
	assert_int_equal(nr_os_parse_route(nlmsg_hdr(m), &r, nh), 0);
	assert_int_equal(r.nh_count, NR_ROUTE_MAX_NH);
	assert_int_equal(r.flags & NR_ROUTE_F_NH_TRUNCATED, 0);
	nlmsg_free(m);

	/* More: the first NR_ROUTE_MAX_NH, flagged. */
	m = ecmp_route(NR_ROUTE_MAX_NH + 44, -1);
	assert_int_equal(nr_os_parse_route(nlmsg_hdr(m), &r, nh), 0);
	assert_int_equal(r.nh_count, NR_ROUTE_MAX_NH);
	assert_int_equal(r.flags & NR_ROUTE_F_NH_TRUNCATED, NR_ROUTE_F_NH_TRUNCATED);
	assert_int_equal(r.nh[0].ifindex, 2);
	nlmsg_free(m);

	/* A malformed gateway is refused, before the cap or after it. */
	m = ecmp_route(10, 5);
	assert_int_equal(nr_os_parse_route(nlmsg_hdr(m), &r, nh), -EBADMSG);
	nlmsg_free(m);
	m = ecmp_route(NR_ROUTE_MAX_NH + 10, NR_ROUTE_MAX_NH + 5);
	assert_int_equal(nr_os_parse_route(nlmsg_hdr(m), &r, nh), -EBADMSG);
	nlmsg_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multipath_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
