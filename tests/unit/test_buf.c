/* SPDX-License-Identifier: BSD-2-Clause */
/* Read and write cursors: getters fail instead of overrunning. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "netrig/buf.h"

static void test_getters(void **state)
{
	/* 0x01 | 0x0203 | 0x04050607 | 0x08 0x09 */
	static const uint8_t in[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
	struct nr_buf b;
	uint8_t u8, two[2];
	uint16_t u16;
	uint32_t u32;

	(void)state;
	nr_buf_init(&b, in, sizeof(in));
	assert_int_equal(nr_buf_remaining(&b), 9);
	assert_int_equal(nr_buf_get_u8(&b, &u8), 0);
	assert_int_equal(u8, 0x01);
	assert_int_equal(nr_buf_get_be16(&b, &u16), 0);
	assert_int_equal(u16, 0x0203);
	assert_int_equal(nr_buf_get_be32(&b, &u32), 0);
	assert_int_equal(u32, 0x04050607);
	assert_int_equal(nr_buf_offset(&b), 7);
	assert_ptr_equal(nr_buf_cur(&b), in + 7);
	/* Two bytes left: a be32 fails and leaves the cursor and the output alone. */
	u32 = 0xdeadbeef;
	assert_int_equal(nr_buf_get_be32(&b, &u32), -EBADMSG);
	assert_int_equal(u32, 0xdeadbeef);
	assert_int_equal(nr_buf_offset(&b), 7);
	assert_int_equal(nr_buf_get_bytes(&b, two, 3), -EBADMSG);
	assert_int_equal(nr_buf_get_bytes(&b, two, 2), 0);
	assert_int_equal(two[0], 0x08);
	assert_int_equal(two[1], 0x09);
	assert_int_equal(nr_buf_remaining(&b), 0);
	assert_int_equal(nr_buf_get_u8(&b, &u8), -EBADMSG);
	assert_int_equal(nr_buf_get_be16(&b, &u16), -EBADMSG);
	assert_int_equal(nr_buf_skip(&b, 1), -EBADMSG);
	assert_int_equal(nr_buf_skip(&b, 0), 0);
	/* A huge n must not wrap around the bound. */
	nr_buf_init(&b, in, sizeof(in));
	assert_int_equal(nr_buf_skip(&b, SIZE_MAX), -EBADMSG);
	assert_int_equal(nr_buf_get_bytes(&b, two, SIZE_MAX), -EBADMSG);
	assert_int_equal(nr_buf_offset(&b), 0);
}

static void test_sub(void **state)
{
	/* TLV: type 0x05, length 2, value 0xaabb; then one trailing byte 0xcc. */
	static const uint8_t in[] = {0x05, 0x02, 0xaa, 0xbb, 0xcc};
	struct nr_buf b, sub, big;
	uint8_t t, l;
	uint16_t v;

	(void)state;
	nr_buf_init(&b, in, sizeof(in));
	assert_int_equal(nr_buf_get_u8(&b, &t), 0);
	assert_int_equal(nr_buf_get_u8(&b, &l), 0);
	assert_int_equal(nr_buf_sub(&b, l, &sub), 0);
	assert_int_equal(nr_buf_remaining(&sub), 2);
	assert_int_equal(nr_buf_get_be16(&sub, &v), 0);
	assert_int_equal(v, 0xaabb);
	/* The sub-cursor stops at its own end even though b has more. */
	assert_int_equal(nr_buf_get_u8(&sub, &t), -EBADMSG);
	assert_int_equal(nr_buf_remaining(&b), 1);
	/* A sub longer than what is left fails and moves nothing. */
	assert_int_equal(nr_buf_sub(&b, 2, &big), -EBADMSG);
	assert_int_equal(nr_buf_remaining(&b), 1);
	assert_int_equal(nr_buf_sub(&b, 0, &big), 0);
	assert_int_equal(nr_buf_remaining(&big), 0);
}

static void test_wbuf(void **state)
{
	uint8_t out[8];
	struct nr_wbuf w;

	(void)state;
	memset(out, 0xee, sizeof(out));
	/* cap 7 of an 8-byte array: the last byte must stay 0xee. */
	nr_wbuf_init(&w, out, 7);
	assert_int_equal(nr_wbuf_put_u8(&w, 0x01), 0);
	assert_int_equal(nr_wbuf_put_be16(&w, 0x0203), 0);
	assert_int_equal(nr_wbuf_room(&w), 4);
	assert_int_equal(nr_wbuf_put_be32(&w, 0x04050607), 0);
	assert_int_equal(nr_wbuf_len(&w), 7);
	assert_int_equal(nr_wbuf_put_u8(&w, 0x99), -EMSGSIZE);
	assert_int_equal(nr_wbuf_put_be16(&w, 0x9999), -EMSGSIZE);
	assert_int_equal(nr_wbuf_put_be32(&w, 0x99999999), -EMSGSIZE);
	assert_int_equal(nr_wbuf_put_bytes(&w, "x", 1), -EMSGSIZE);
	assert_int_equal(nr_wbuf_put_zero(&w, 1), -EMSGSIZE);
	assert_int_equal(nr_wbuf_put_zero(&w, 0), 0);
	{
		static const uint8_t want[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0xee};

		assert_memory_equal(out, want, sizeof(want));
	}
	/* A partial fit writes nothing. */
	nr_wbuf_init(&w, out, 3);
	assert_int_equal(nr_wbuf_put_u8(&w, 0xaa), 0);
	assert_int_equal(nr_wbuf_put_be32(&w, 0xbbbbbbbb), -EMSGSIZE);
	assert_int_equal(out[1], 0x02);
	assert_int_equal(nr_wbuf_put_zero(&w, 2), 0);
	assert_int_equal(out[1], 0);
	assert_int_equal(out[2], 0);
}

static void test_load_store(void **state)
{
	uint8_t b[4];

	(void)state;
	nr_store_be32(b, 0x8899aabb);
	assert_int_equal(b[0], 0x88);
	assert_int_equal(b[3], 0xbb);
	assert_int_equal(nr_load_be32(b), 0x8899aabb);
	nr_store_be16(b, 0xfffe);
	assert_int_equal(nr_load_be16(b), 0xfffe);
	assert_int_equal(b[1], 0xfe);
}

static void test_reasons(void **state)
{
	enum nr_wire_reason why = NR_WIRE_OK;

	(void)state;
	for (int r = 0; r < NR_WIRE_REASON_COUNT; r++) {
		assert_non_null(nr_wire_reason_str((enum nr_wire_reason)r));
		assert_string_not_equal(nr_wire_reason_str((enum nr_wire_reason)r), "unknown");
	}
	assert_string_equal(nr_wire_reason_str(NR_WIRE_REASON_COUNT), "unknown");
	assert_string_equal(nr_wire_reason_str(NR_WIRE_BAD_CHECKSUM), "bad checksum");
	assert_int_equal(nr_wire_fail(NR_WIRE_TRUNCATED, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_TRUNCATED);
	assert_int_equal(nr_wire_fail(NR_WIRE_NOT_ETHERNET_II, &why), -EPROTONOSUPPORT);
	assert_int_equal(why, NR_WIRE_NOT_ETHERNET_II);
	assert_int_equal(nr_wire_fail(NR_WIRE_BAD_TYPE, NULL), -EPROTONOSUPPORT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_getters),  cmocka_unit_test(test_sub),
		cmocka_unit_test(test_wbuf),     cmocka_unit_test(test_load_store),
		cmocka_unit_test(test_reasons),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
