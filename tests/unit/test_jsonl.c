/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The batch pipeline's own address codecs against glibc's, which they
 * replace on the hot path: nr_fmt_ipv6 must write what inet_ntop writes,
 * nr_fast_pton must accept exactly what inet_pton accepts, with the same
 * bytes; nr_json_escape's runs of plain bytes against RFC 8259's rule per
 * byte. Fixed cases for each rule of the format, then a bounded number
 * of random addresses, random mutations of address text, random strings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/jsonl.h"

/* xorshift64: the same sequence on every run. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void check_fmt6(const uint8_t b[16])
{
	char mine[64], glibc[INET6_ADDRSTRLEN];
	size_t n = nr_fmt_ipv6(mine, b);

	assert_non_null(inet_ntop(AF_INET6, b, glibc, sizeof(glibc)));
	assert_string_equal(mine, glibc);
	assert_int_equal(n, strlen(glibc));
}

static void fmt6_text(const char *text, const char *want)
{
	uint8_t b[16];
	char out[64];

	assert_int_equal(inet_pton(AF_INET6, text, b), 1);
	nr_fmt_ipv6(out, b);
	assert_string_equal(out, want);
	check_fmt6(b);
}

static void test_fmt6_rules(void **state)
{
	(void)state;
	fmt6_text("::", "::");
	fmt6_text("::1", "::1");
	fmt6_text("1::", "1::");
	/* A lone zero field is not compressed. */
	fmt6_text("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");
	/* The longest run wins; the first of two equal runs. */
	fmt6_text("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");
	fmt6_text("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
	/* Lower case, no leading zeros. */
	fmt6_text("2001:0DB8:00AB:000c::0fff", "2001:db8:ab:c::fff");
	/* Dotted quad for v4-mapped and the 6-zero-field (compatible) form. */
	fmt6_text("::ffff:198.51.100.7", "::ffff:198.51.100.7");
	fmt6_text("::198.51.100.7", "::198.51.100.7");
	/* ...but not for ::1:ffff:..., nor for 7 zero fields (::2). */
	fmt6_text("::1:ffff:c633:6407", "::1:ffff:c633:6407");
	fmt6_text("::2", "::2");
	fmt6_text("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

static void test_fmt6_random(void **state)
{
	(void)state;
	for (int i = 0; i < 200000; i++) {
		uint8_t b[16];
		uint64_t z = rnd();

		for (int k = 0; k < 16; k++)
			b[k] = (uint8_t)rnd();
		/* Zero fields in random places, so runs of every length and
		 * position occur; now and then the mapped prefix. */
		for (int f = 0; f < 8; f++)
			if (z >> f & 1)
				b[2 * f] = b[2 * f + 1] = 0;
		if ((z >> 8 & 7) == 0) {
			memset(b, 0, 10);
			b[10] = b[11] = (z >> 11 & 1) ? 0xff : 0;
		}
		if ((z >> 12 & 3) == 0)
			b[2 * (z >> 14 & 7)] = 0; /* short fields: 0x00xy */
		check_fmt6(b);
	}
}

static void check_pton(const char *s)
{
	struct nr_addr a;
	uint8_t want[16] = {0};
	int fam = strchr(s, ':') ? AF_INET6 : AF_INET;
	int ok = inet_pton(fam, s, want) == 1;
	int r = nr_fast_pton(s, &a);

	if (!ok) {
		if (r != -EINVAL)
			fail_msg("'%s': inet_pton refuses, nr_fast_pton gives %d", s, r);
		return;
	}
	if (r != 0)
		fail_msg("'%s': inet_pton accepts, nr_fast_pton gives %d", s, r);
	assert_int_equal(a.family, fam);
	assert_memory_equal(a.bytes, want, fam == AF_INET ? 4 : 16);
}

static void test_pton_cases(void **state)
{
	static const char *const cases[] = {
		/* accepted */
		"198.51.100.7", "0.0.0.0", "255.255.255.255", "1.2.3.4", "::", "::1", "1::",
		"2001:db8::1", "2001:DB8::A:b", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
		"1:2:3::6:7:8", "::ffff:198.51.100.7", "::198.51.100.7", "2001:db8:0:0:1:0:0:1",
		"0000:0000:0000:0000:0000:0000:0000:0001",
		/* refused */
		"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.04", "1..2.3", ".1.2.3",
		"1.2.3.4.", "1.2.3.-4", "1.2.3.4 ", " 1.2.3.4", "1.2.3.0x4", "1111.2.3.4", ":", ":::",
		"1:::2", "1::2::3", ":1::2", "1::2:", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::",
		"::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7", "12345::", "g::1", "2001:db8::1%eth0",
		"::ffff:1.2.3", "::ffff:256.1.1.1", "1.2.3.4::", "2001:db8::1/64", "-1.2.3.4",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_pton(cases[i]);
	/* And the refusals really are refusals (the checks above can fail). */
	{
		struct nr_addr a;

		assert_int_equal(nr_fast_pton("1::2::3", &a), -EINVAL);
		assert_int_equal(nr_fast_pton("01.2.3.4", &a), -EINVAL);
		assert_int_equal(nr_fast_pton("2001:db8::7", &a), 0);
		assert_int_equal(a.family, AF_INET6);
		assert_int_equal(a.bytes[15], 7);
		assert_int_equal(a.bytes[1], 0x01);
	}
}

/* Random addresses printed, then mangled a character at a time. */
static void test_pton_random(void **state)
{
	static const char alphabet[] = "0123456789abcdefABCDEF:.x ";

	(void)state;
	for (int i = 0; i < 200000; i++) {
		char s[64];
		uint8_t b[16];
		uint64_t z = rnd();
		size_t n;

		for (int k = 0; k < 16; k++)
			b[k] = (uint8_t)rnd();
		for (int f = 0; f < 8; f++)
			if (z >> f & 1)
				b[2 * f] = b[2 * f + 1] = 0;
		if (z >> 8 & 1)
			inet_ntop(AF_INET6, b, s, sizeof(s));
		else
			inet_ntop(AF_INET, b, s, sizeof(s));
		check_pton(s);
		n = strlen(s);
		/* Zero to three edits: replace, delete or insert a character. */
		for (unsigned e = 0; e < (z >> 9 & 3) && n > 0 && n < sizeof(s) - 2; e++) {
			size_t at = (size_t)(rnd() % n);
			char c = alphabet[rnd() % (sizeof(alphabet) - 1)];

			switch (rnd() % 3) {
			case 0:
				s[at] = c;
				break;
			case 1:
				memmove(s + at, s + at + 1, n - at);
				n--;
				break;
			default:
				memmove(s + at + 1, s + at, n - at + 1);
				s[at] = c;
				n++;
				break;
			}
		}
		check_pton(s);
	}
}

/* RFC 8259 escape of one ASCII byte, as the writer must give it. */
static size_t ref_escape_ascii(char *dst, unsigned char c)
{
	switch (c) {
	case '"':
		return (size_t)sprintf(dst, "\\\"");
	case '\\':
		return (size_t)sprintf(dst, "\\\\");
	case '\b':
		return (size_t)sprintf(dst, "\\b");
	case '\f':
		return (size_t)sprintf(dst, "\\f");
	case '\n':
		return (size_t)sprintf(dst, "\\n");
	case '\r':
		return (size_t)sprintf(dst, "\\r");
	case '\t':
		return (size_t)sprintf(dst, "\\t");
	default:
		if (c < 0x20)
			return (size_t)sprintf(dst, "\\u%04x", c);
		dst[0] = (char)c;
		dst[1] = '\0';
		return 1;
	}
}

/* Every ASCII byte alone, then random strings of ASCII (quotes,
 * backslashes and control bytes among them) and a valid two-byte UTF-8
 * sequence, which is kept as it is. */
static void test_escape(void **state)
{
	char out[6 * 64 + 1], want[6 * 64 + 1];

	(void)state;
	for (unsigned c = 0; c < 0x80; c++) {
		char in = (char)c;
		size_t n = nr_json_escape(out, &in, 1);

		out[n] = '\0';
		ref_escape_ascii(want, (unsigned char)c);
		assert_string_equal(out, want);
	}
	assert_int_equal(nr_json_escape(out, "a\"b", 3), 4);
	assert_memory_equal(out, "a\\\"b", 4);
	for (int i = 0; i < 100000; i++) {
		char in[64];
		size_t len = (size_t)(rnd() % 40), w = 0, n;

		for (size_t k = 0; k < len; k++) {
			uint64_t x = rnd();

			if ((x & 15) == 0 && k + 1 < len) {
				in[k] = (char)0xc3; /* U+00E9 */
				in[k + 1] = (char)0xa9;
				memcpy(want + w, in + k, 2);
				w += 2;
				k++;
				continue;
			}
			in[k] = (char)((x >> 8) % 0x80);
			w += ref_escape_ascii(want + w, (unsigned char)in[k]);
		}
		n = nr_json_escape(out, in, len);
		assert_int_equal(n, w);
		assert_memory_equal(out, want, w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt6_rules),
		cmocka_unit_test(test_fmt6_random),
		cmocka_unit_test(test_pton_cases),
		cmocka_unit_test(test_pton_random),
		cmocka_unit_test(test_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
