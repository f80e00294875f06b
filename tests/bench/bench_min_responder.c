/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The benchmark's baseline and its stopwatch (tests/bench/run_respond.sh).
 *
 *   bench_min_responder serve TUN [COUNT]
 *       The least a userspace ICMP echo responder can do on a TUN (no
 *       packet information): read a packet, swap the IPv4 addresses, make
 *       it an echo reply, fix the ICMP checksum, write it back. Attaches
 *       to an existing (persistent) TUN in the caller's namespace; prints
 *       "ready" once attached; ends on SIGTERM/SIGINT or after COUNT
 *       replies, printing "replies N".
 *
 *   bench_min_responder rusage -- CMD [ARGS...]
 *       Run CMD, pass SIGTERM/SIGINT on to it, and when it ends print
 *       "rusage_us USER SYS" (getrusage of the child, microseconds) on
 *       stderr; exit with CMD's status. The CPU each responder spent, the
 *       same way for every one of them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static pid_t child;

static void on_stop(int sig)
{
	if (child > 0)
		kill(child, sig);
	stop = 1;
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop; /* no SA_RESTART: read() returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)(p[len - 1] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static int serve(const char *name, unsigned long long count)
{
	struct ifreq ifr;
	uint8_t buf[65536];
	unsigned long long replies = 0;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		perror("/dev/net/tun");
		return 3;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		perror("TUNSETIFF");
		return 3;
	}
	catch_signals();
	printf("ready\n");
	fflush(stdout);
	while (!stop && (!count || replies < count)) {
		ssize_t n = read(fd, buf, sizeof(buf));
		size_t ihl;
		uint8_t tmp[4];

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("read");
			break;
		}
		if (n < 20 || buf[0] >> 4 != 4 || buf[9] != 1)
			continue;
		ihl = (size_t)(buf[0] & 0xf) * 4;
		if ((size_t)n < ihl + 8 || buf[ihl] != 8)
			continue;
		memcpy(tmp, buf + 12, 4);
		memcpy(buf + 12, buf + 16, 4);
		memcpy(buf + 16, tmp, 4);
		buf[ihl] = 0; /* echo reply */
		buf[ihl + 2] = buf[ihl + 3] = 0;
		{
			uint16_t c = csum(buf + ihl, (size_t)n - ihl);

			buf[ihl + 2] = (uint8_t)(c >> 8);
			buf[ihl + 3] = (uint8_t)c;
		}
		/* Swapping addresses leaves the IPv4 header sum unchanged; no fix needed. */
		if (write(fd, buf, (size_t)n) == n)
			replies++;
	}
	printf("replies %llu\n", replies);
	close(fd);
	return 0;
}

static int rusage_run(char **cmd)
{
	struct rusage ru;
	int status = 0;

	child = fork();
	if (child < 0) {
		perror("fork");
		return 125;
	}
	if (child == 0) {
		execvp(cmd[0], cmd);
		perror(cmd[0]);
		_exit(127);
	}
	catch_signals();
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	getrusage(RUSAGE_CHILDREN, &ru);
	fprintf(stderr, "rusage_us %lld %lld\n",
		(long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
		(long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "serve"))
		return serve(argv[2], argc >= 4 ? strtoull(argv[3], NULL, 10) : 0);
	if (argc >= 4 && !strcmp(argv[1], "rusage") && !strcmp(argv[2], "--"))
		return rusage_run(argv + 3);
	fprintf(stderr, "usage: %s serve TUN [COUNT] | rusage -- CMD [ARGS...]\n", argv[0]);
	return 2;
}
