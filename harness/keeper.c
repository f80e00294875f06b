/* SPDX-License-Identifier: BSD-2-Clause */
/* The lab keeper (see keeper.h). */
#include "keeper.h"
#include "topo/topo_hosts.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

void nr_keeper_sigset(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

int nr_keeper_teardown(struct nr_run *run, struct nr_lab *lab, unsigned timeout_ms, FILE *log)
{
	struct nr_run_teardown_stats st = { 0 };
	struct nr_os_error err = { 0 };
	int r;

	/* TUN/TAP files pin their namespace: closed first, or the wait would
	 * never see it destroyed. */
	nr_lab_free(lab);
	r = nr_run_teardown(run, timeout_ms, &st, &err);
	if (r < 0 && log)
		fprintf(log, "netrig: tearing down run %s: %s\n", nr_run_id(run), err.msg);
	else if (log)
		fprintf(log, "run %s down: %zu namespaces in %.1f ms\n", nr_run_id(run),
			st.ns_deleted, (double)(st.ns_delete_ns + st.wait_ns) / 1e6);
	nr_run_close(run);
	return r;
}

int nr_keeper_serve(struct nr_run *run, struct nr_lab *lab, unsigned timeout_ms, FILE *log)
{
	sigset_t set;
	int sig, r;

	nr_keeper_sigset(&set);
	do
		sig = sigwaitinfo(&set, NULL);
	while (sig < 0 && errno == EINTR);
	r = nr_keeper_teardown(run, lab, timeout_ms, log);
	return r < 0 ? r : sig;
}

int nr_keeper_serve_hosts(struct nr_run *run, struct nr_lab *lab, struct nr_topo_hosts *hosts,
			  unsigned timeout_ms, FILE *log)
{
	sigset_t set;
	int sig, r;

	if (!hosts || nr_topo_hosts_count(hosts) == 0) {
		nr_topo_hosts_free(hosts);
		return nr_keeper_serve(run, lab, timeout_ms, log);
	}
	nr_keeper_sigset(&set);
	sig = nr_topo_hosts_serve(hosts, &set);
	if (sig < 0 && log)
		fprintf(log, "netrig: emulated hosts: %s\n", strerror(-sig));
	if (log)
		nr_topo_hosts_print_counters(hosts, log);
	nr_topo_hosts_free(hosts);
	r = nr_keeper_teardown(run, lab, timeout_ms, log);
	return r < 0 ? r : sig;
}
