/* SPDX-License-Identifier: BSD-2-Clause */
/* Text tables and the JSON Lines writer: golden strings, byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "output/jsonl.h"
#include "output/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

/* Print t into a string the test frees. */
static char *render(const struct nr_texttable *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(nr_texttable_print(t, f), 0);
	fclose(f);
	return buf;
}

static void test_table_aligns_without_trailing_spaces(void **state)
{
	static const char *const hdr[] = { "Network", "Iface", "Metric" };
	static const char *const r1[] = { "198.51.100.0", "eth0", "0" };
	static const char *const r2[] = { "0.0.0.0", "veth-long", "100" };
	struct nr_texttable *t = nr_texttable_new(3, hdr);
	char *out;

	(void)state;
	assert_non_null(t);
	assert_int_equal(nr_texttable_add(t, r1), 0);
	assert_int_equal(nr_texttable_add(t, r2), 0);
	assert_int_equal(nr_texttable_rows(t), 2);
	out = render(t);
	/* Columns: widest cell + two spaces; the last column is not padded. */
	assert_string_equal(out, "Network       Iface      Metric\n"
				 "198.51.100.0  eth0       0\n"
				 "0.0.0.0       veth-long  100\n");
	free(out);
	nr_texttable_free(t);
}

static void test_table_list_cells_explode(void **state)
{
	static const char *const hdr[] = { "Name", "IPv4", "IPv6", "MTU" };
	static const char *const r1[] = { "vA", "198.51.100.1\n198.51.100.50", "2001:db8:1::1", "1500" };
	static const char *const r2[] = { "lo", NULL, "::1\nfe80::1\n2001:db8::1", "" };
	struct nr_texttable *t = nr_texttable_new(4, hdr);
	char *out;

	(void)state;
	assert_non_null(t);
	assert_int_equal(nr_texttable_add(t, r1), 0);
	assert_int_equal(nr_texttable_add(t, r2), 0);
	out = render(t);
	/* Continuation lines keep other cells blank and still end without spaces. */
	assert_string_equal(out, "Name  IPv4           IPv6           MTU\n"
				 "vA    198.51.100.1   2001:db8:1::1  1500\n"
				 "      198.51.100.50\n"
				 "lo                   ::1\n"
				 "                     fe80::1\n"
				 "                     2001:db8::1\n");
	for (char *p = out; (p = strchr(p, '\n')); p++)
		assert_true(p == out || p[-1] != ' ');
	free(out);
	nr_texttable_free(t);
}

static void test_table_utf8_width(void **state)
{
	static const char *const hdr[] = { "A", "B" };
	static const char *const r1[] = { "\xc3\xa9t\xc3\xa9", "x" }; /* "été": 3 columns, 5 bytes */
	struct nr_texttable *t = nr_texttable_new(2, hdr);
	char *out;

	(void)state;
	assert_int_equal(nr_texttable_add(t, r1), 0);
	out = render(t);
	assert_string_equal(out, "A    B\n\xc3\xa9t\xc3\xa9  x\n");
	free(out);
	nr_texttable_free(t);
}

static void test_table_rejects_zero_columns(void **state)
{
	(void)state;
	assert_null(nr_texttable_new(0, NULL));
}

static void test_escape(void **state)
{
	char out[6 * 32];
	size_t n;

	(void)state;
	/* quote, backslash, the short escapes, a bare control byte, DEL passes. */
	n = nr_json_escape(out, "a\"b\\c\n\t\r\b\f\x01\x1f\x7f", 13);
	out[n] = '\0';
	assert_string_equal(out, "a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f\x7f");
	/* Valid UTF-8 passes: é (c3 a9), € (e2 82 ac), U+1F600 (f0 9f 98 80). */
	n = nr_json_escape(out, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9);
	out[n] = '\0';
	assert_string_equal(out, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	/* Invalid: lone continuation, overlong c0 af, surrogate ed a0 80, truncated e2 82, f5. */
	n = nr_json_escape(out, "\x80|\xc0\xaf|\xed\xa0\x80|\xf5|\xe2\x82", 13);
	out[n] = '\0';
	assert_string_equal(out, "\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\\ufffd|\\ufffd\\ufffd");
	/* An embedded NUL is data, not the end. */
	n = nr_json_escape(out, "a\0b", 3);
	assert_int_equal(n, 8);
	assert_memory_equal(out, "a\\u0000b", 8);
}

static void test_fmt_ipv4(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(nr_fmt_ipv4(buf, 0xc6336407u), 12);
	assert_string_equal(buf, "198.51.100.7");
	nr_fmt_ipv4(buf, 0);
	assert_string_equal(buf, "0.0.0.0");
	nr_fmt_ipv4(buf, 0xffffffffu);
	assert_string_equal(buf, "255.255.255.255");
	nr_fmt_ipv4(buf, 0x0a00640au);
	assert_string_equal(buf, "10.0.100.10");
}

static void test_jsonl_objects(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct nr_jsonl w;
	struct nr_addr a4, a6;
	const char *arr[] = { "eth0", "198.51.100.1", "it's" };

	(void)state;
	assert_int_equal(nr_addr_parse("198.51.100.7", AF_INET, &a4), 0);
	assert_int_equal(nr_addr_parse("2001:db8:0:0:0:0:0:1", AF_INET6, &a6), 0);
	/* A tiny buffer forces drains mid-line and growth for a long value. */
	assert_int_equal(nr_jsonl_init(&w, f, 16), 0);
	nr_jsonl_begin(&w);
	nr_jsonl_addr(&w, "dst", &a4);
	nr_jsonl_str(&w, "dev", "e\"th\\0");
	nr_jsonl_uint(&w, "metric", 4294967295u);
	nr_jsonl_bool(&w, "ok", false);
	nr_jsonl_end(&w);
	nr_jsonl_begin(&w);
	nr_jsonl_addr(&w, "dst", &a6);
	nr_jsonl_str_array(&w, "scapy", arr, 3);
	nr_jsonl_end(&w);
	nr_jsonl_begin(&w);
	nr_jsonl_end(&w);
	assert_int_equal(nr_jsonl_done(&w), 0);
	fclose(f);
	assert_string_equal(buf, "{\"dst\":\"198.51.100.7\",\"dev\":\"e\\\"th\\\\0\","
				 "\"metric\":4294967295,\"ok\":false}\n"
				 "{\"dst\":\"2001:db8::1\",\"scapy\":[\"eth0\",\"198.51.100.1\",\"it's\"]}\n"
				 "{}\n");
	free(buf);
}

static void test_jsonl_reports_write_error(void **state)
{
	FILE *f = fopen("/dev/full", "w");
	struct nr_jsonl w;

	(void)state;
	if (!f)
		skip();
	assert_int_equal(nr_jsonl_init(&w, f, 0), 0);
	nr_jsonl_begin(&w);
	nr_jsonl_str(&w, "k", "v");
	nr_jsonl_end(&w);
	assert_int_equal(nr_jsonl_done(&w), -EIO);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_aligns_without_trailing_spaces),
		cmocka_unit_test(test_table_list_cells_explode),
		cmocka_unit_test(test_table_utf8_width),
		cmocka_unit_test(test_table_rejects_zero_columns),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_fmt_ipv4),
		cmocka_unit_test(test_jsonl_objects),
		cmocka_unit_test(test_jsonl_reports_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
