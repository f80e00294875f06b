#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""A chain of N namespaces joined by veth, in the forms the lifecycle test
and the topology benchmark need.

    n0:eth1 --- eth0:n1:eth1 --- eth0:n2:eth1 --- ... --- eth0:n{N-1}

Link i joins n{i}:eth1 and n{i+1}:eth0 (not "l"/"r": `ip link set l`
reads "l" as the keyword "link"). IPv6: 2001:db8:<i>::1/64 on n{i}:eth1,
::2 on n{i+1}:eth0 (nodad), default route to the right (the last node: to the
left). With --v4 (at most 193 nodes: 192 /30s in the three documentation
/24s) also IPv4 /30s, forwarding and TTL/hop-limit 255 everywhere, and
routes back to n0's first subnets, so n0 can ping n{N-1} through kernel
forwarding.

usage: chain.py yaml|sh|batch|pyroute2-up|pyroute2-down N PREFIX [--v4]
  yaml      a netrig topology (namespaces are named by netrig)
  sh        one `ip` command per line (namespaces PREFIX0..)
  batch     `NS<TAB>command` lines for `ip -n NS -batch -` (namespace
            creation under NS "-")
  pyroute2-up / pyroute2-down   do it with pyroute2, print elapsed ms
"""
import sys
import time

V4_BASES = ["198.51.100", "203.0.113", "192.0.2"]


def v4(i, host):
    """The /30 of link i: host 1 on the left node's eth1, 2 on the right's eth0."""
    base = V4_BASES[i // 64]
    return f"{base}.{(i % 64) * 4 + host}"


def v6(i, host):
    return f"2001:db8:{i:x}::{host}"


def plan(n, with_v4):
    """Per node: addresses (dev, addr/len), routes (ip route args), sysctls."""
    nodes = []
    for k in range(n):
        addrs, routes, sysctls = [], [], []
        if k < n - 1:  # right end of link k
            addrs.append(("eth1", v6(k, 1) + "/64"))
            if with_v4:
                addrs.append(("eth1", v4(k, 1) + "/30"))
        if k > 0:  # left end of link k-1
            addrs.append(("eth0", v6(k - 1, 2) + "/64"))
            if with_v4:
                addrs.append(("eth0", v4(k - 1, 2) + "/30"))
        if k < n - 1:
            routes.append(f"default via {v6(k, 2)}")
        else:
            routes.append(f"default via {v6(k - 1, 1)}")
        if with_v4:
            if k < n - 1:
                routes.append(f"default via {v4(k, 2)}")
            if k > 1:
                # n0's own subnets, back towards the left.
                routes.append(f"{V4_BASES[0]}.0/30 via {v4(k - 1, 1)}")
                routes.append(f"{v6(0, 0)}/64 via {v6(k - 1, 1)}")
            if k == n - 1 and k <= 1:
                routes.append(f"default via {v4(k - 1, 1)}")
            sysctls = [("net.ipv4.ip_forward", "1"),
                       ("net.ipv6.conf.all.forwarding", "1"),
                       ("net.ipv4.ip_default_ttl", "255"),
                       ("net.ipv6.conf.default.hop_limit", "255"),
                       ("net.ipv6.conf.all.hop_limit", "255")]
        nodes.append((addrs, routes, sysctls))
    return nodes


def yaml(n, with_v4):
    p = plan(n, with_v4)
    out = [f"name: chain{n}", "nodes:"]
    for k, (_, _, sysctls) in enumerate(p):
        if sysctls:
            out.append(f"  n{k}:")
            out.append("    sysctl:")
            out += [f"      {key}: {val}" for key, val in sysctls]
        else:
            out.append(f"  n{k}: {{}}")
    out.append("links:")
    out += [f"  - {{ kind: veth, ends: [n{i}:eth1, n{i + 1}:eth0] }}" for i in range(n - 1)]
    out.append("addresses:")
    for k, (addrs, _, _) in enumerate(p):
        for dev in ("eth1", "eth0"):
            a = [x for d, x in addrs if d == dev]
            if a:
                out.append(f"  n{k}:{dev}: [{', '.join(a)}]")
    out.append("routes:")
    for k, (_, routes, _) in enumerate(p):
        out.append(f"  n{k}:")
        out += [f"    - {r}" for r in routes]
    return "\n".join(out) + "\n"


def commands(n, prefix):
    """(namespace or None, ip arguments) in order; IPv6 only (benchmark)."""
    p = plan(n, False)
    cmds = [(None, f"netns add {prefix}{k}") for k in range(n)]
    for i in range(n - 1):
        cmds.append((f"{prefix}{i}",
                     f"link add eth1 type veth peer name eth0 netns {prefix}{i + 1}"))
    # Links up everywhere first: a gateway behind a veth whose peer is
    # still down is refused.
    for k, (addrs, _, _) in enumerate(p):
        ns = f"{prefix}{k}"
        cmds.append((ns, "link set lo up"))
        for dev in ("eth1", "eth0"):
            if any(d == dev for d, _ in addrs):
                cmds.append((ns, f"link set {dev} up"))
    for k, (addrs, routes, _) in enumerate(p):
        ns = f"{prefix}{k}"
        for dev, a in addrs:
            cmds.append((ns, f"addr add {a} dev {dev} nodad"))
        for r in routes:
            # "default" alone leaves the family to iproute2's guess.
            cmds.append((ns, "route add ::/0 " + r[len("default "):]))
    return cmds


def pyroute2_up(n, prefix):
    from pyroute2 import NetNS, netns

    p = plan(n, False)
    t0 = time.monotonic()
    for k in range(n):
        netns.create(f"{prefix}{k}")
    handles = [NetNS(f"{prefix}{k}") for k in range(n)]
    try:
        for i in range(n - 1):
            handles[i].link("add", ifname="eth1", kind="veth",
                            peer={"ifname": "eth0", "net_ns_fd": f"{prefix}{i + 1}"})
        for k, (addrs, _, _) in enumerate(p):
            h = handles[k]
            for dev in ["lo"] + sorted({d for d, _ in addrs}):
                idx = h.link_lookup(ifname=dev)[0]
                h.link("set", index=idx, state="up")
        for k, (addrs, routes, _) in enumerate(p):
            h = handles[k]
            for dev, a in addrs:
                idx = h.link_lookup(ifname=dev)[0]
                addr, plen = a.split("/")
                h.addr("add", index=idx, address=addr, prefixlen=int(plen),
                       flags=0x02)  # IFA_F_NODAD
            for r in routes:
                h.route("add", dst="::/0", gateway=r.split()[-1], family=10)
    finally:
        for h in handles:
            h.close()
    return (time.monotonic() - t0) * 1e3


def pyroute2_down(n, prefix):
    from pyroute2 import netns

    t0 = time.monotonic()
    for k in range(n):
        netns.remove(f"{prefix}{k}")
    return (time.monotonic() - t0) * 1e3


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    mode, n, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with_v4 = "--v4" in sys.argv[4:]
    if with_v4 and n > 193:
        sys.exit("chain.py: --v4 fits at most 193 nodes (192 /30s)")
    if mode == "yaml":
        sys.stdout.write(yaml(n, with_v4))
    elif mode == "sh":
        for ns, c in commands(n, prefix):
            print(f"ip {c}" if ns is None else f"ip -n {ns} {c}")
    elif mode == "batch":
        for ns, c in commands(n, prefix):
            print(f"{ns or '-'}\t{c}")
    elif mode == "pyroute2-up":
        print(f"{pyroute2_up(n, prefix):.1f}")
    elif mode == "pyroute2-down":
        print(f"{pyroute2_down(n, prefix):.1f}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
