/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * For run_topo.sh: time another tool's teardown of namespaces PREFIX0..
 * PREFIX{N-1} until their devices are gone, with the same detector netrig
 * uses (netns/run.c: RTM_DELNSID, then a barrier namespace).
 *   bench_topo_wait PREFIX N -- CMD [ARGS...]
 * Opens the namespaces first (so their names can go), runs CMD, then waits;
 * prints the milliseconds from CMD's start until the devices are gone.
 */
#include "netrig/run.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	struct nr_os_error err = { 0 };
	size_t n;
	int *fds, st;
	double t0;
	pid_t pid;

	if (argc < 5 || strcmp(argv[3], "--")) {
		fprintf(stderr, "usage: bench_topo_wait PREFIX N -- CMD [ARGS...]\n");
		return 2;
	}
	n = strtoul(argv[2], NULL, 10);
	fds = calloc(n ? n : 1, sizeof(*fds));
	if (!fds)
		return 1;
	for (size_t i = 0; i < n; i++) {
		char path[256];

		snprintf(path, sizeof(path), "/run/netns/%s%zu", argv[1], i);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			perror(path);
			return 1;
		}
	}
	t0 = now_ms();
	pid = fork();
	if (pid == 0) {
		execvp(argv[4], argv + 4);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "bench_topo_wait: %s failed\n", argv[4]);
		return 1;
	}
	if (nr_run_wait_fds(fds, n, 60000, &err) < 0) {
		fprintf(stderr, "bench_topo_wait: %s\n", err.msg);
		return 1;
	}
	printf("%.1f\n", now_ms() - t0);
	free(fds);
	return 0;
}
