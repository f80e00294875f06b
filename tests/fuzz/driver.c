/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A stand-in for libFuzzer so every fuzz target also runs in the default
 * test run without clang: replay each file of the corpus directories, then
 * -runs=N inputs made by a seeded generator (random bytes and mutations of
 * the corpus). Deterministic: the seed is fixed unless -seed=N is given.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT 4096
#define FUZZ_MAX_CORPUS 1024

static uint8_t *corpus[FUZZ_MAX_CORPUS];
static size_t corpus_len[FUZZ_MAX_CORPUS];
static size_t ncorpus;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/*
 * A corpus path that cannot be read is an error (exit 2), not an empty
 * corpus: a misspelt or missing directory must not pass as "no crash".
 * An existing empty directory is fine.
 */
static void fail_path(const char *path, const char *what)
{
	fprintf(stderr, "fuzz driver: %s: %s: %s\n", path, what, strerror(errno));
	exit(2);
}

static void load_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f)
		fail_path(path, "cannot open corpus file");
	buf = malloc(FUZZ_MAX_INPUT);
	if (!buf) {
		fclose(f);
		fail_path(path, "out of memory");
	}
	n = fread(buf, 1, FUZZ_MAX_INPUT, f);
	if (ferror(f))
		fail_path(path, "cannot read corpus file");
	fclose(f);
	/* Run it from an exact-size copy so ASan sees reads past the end. */
	{
		uint8_t *exact = malloc(n ? n : 1);

		if (!exact)
			fail_path(path, "out of memory");
		memcpy(exact, buf, n);
		LLVMFuzzerTestOneInput(exact, n);
		free(exact);
	}
	if (ncorpus < FUZZ_MAX_CORPUS) {
		corpus[ncorpus] = buf;
		corpus_len[ncorpus++] = n;
	} else {
		free(buf);
	}
}

static void load_path(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d) {
		if (errno != ENOTDIR)
			fail_path(path, "cannot open corpus directory");
		load_file(path);
		return;
	}
	while ((e = readdir(d))) {
		char p[4096];

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		load_file(p);
	}
	closedir(d);
}

static size_t make_input(uint8_t *buf)
{
	size_t n;

	if (ncorpus && rng() % 4 != 0) {
		size_t i = (size_t)(rng() % ncorpus);
		unsigned flips = 1 + (unsigned)(rng() % 8);

		n = corpus_len[i];
		memcpy(buf, corpus[i], n);
		if (rng() % 4 == 0 && n)
			n = (size_t)(rng() % n); /* truncate */
		for (unsigned k = 0; k < flips && n; k++)
			buf[rng() % n] = (uint8_t)rng();
		return n;
	}
	n = (size_t)(rng() % 256);
	for (size_t k = 0; k < n; k++)
		buf[k] = (uint8_t)rng();
	return n;
}

int main(int argc, char **argv)
{
	unsigned long runs = 1000;
	uint8_t *buf = malloc(FUZZ_MAX_INPUT);

	if (!buf)
		return 1;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "-runs=", 6) == 0)
			runs = strtoul(argv[i] + 6, NULL, 10);
		else if (strncmp(argv[i], "-seed=", 6) == 0)
			rng_state = strtoull(argv[i] + 6, NULL, 10) | 1;
		else if (argv[i][0] != '-')
			load_path(argv[i]);
	}
	for (unsigned long r = 0; r < runs; r++) {
		size_t n = make_input(buf);
		uint8_t *exact = malloc(n ? n : 1);

		if (!exact)
			break;
		memcpy(exact, buf, n);
		LLVMFuzzerTestOneInput(exact, n);
		free(exact);
	}
	printf("fuzz driver: %zu corpus files, %lu generated inputs, no crash\n", ncorpus, runs);
	for (size_t i = 0; i < ncorpus; i++)
		free(corpus[i]);
	free(buf);
	return 0;
}
