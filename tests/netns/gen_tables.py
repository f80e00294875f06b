#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Random routing tables in a private namespace, for differential tests.

    gen_tables.py SEED NS PEER_NS        print an `ip -batch` script for NS
                                         (and one for PEER_NS after a line
                                         "#peer") on stdout

The host namespace NS gets four veth links whose other ends live in PEER_NS
(both namespaces are the caller's), and on them:

  peer ns                      NS (the host under test)
  +-------+   veth    +----------------------------------------------+
  | pv0   |-----------| v0  198.51.100.x/2x (+secondaries) 2001:db8:0::/64 |
  | pv1   |-----------| v1  203.0.113.x/2x                2001:db8:1::/64 |
  | pv2   |-----------| v2  192.0.2.x/2x                  2001:db8:2::/64 |
  | pv3   |-----------| v3  (IPv6 only, deprecated + nodad addresses)    |
  +-------+           +----------------------------------------------+

and then random routes of every type (unicast via a gateway or a device,
local, broadcast, multicast, blackhole, unreachable, prohibit, throw) with
random metrics, prefsrc, ECMP, spread over main, local and tables 100-103,
and random policy rules (from, to, fwmark, iif lo, tos, not, suppress_
prefixlength, blackhole/unreachable/prohibit actions; now and then with
ipproto, sport/dport or uidrange too).

Every address used lies in 198.51.100.0/24, 203.0.113.0/24, 192.0.2.0/24 or
2001:db8::/32. The same SEED always gives the same script.
"""
import ipaddress
import random
import sys

V4_POOLS = [ipaddress.ip_network(n) for n in ("198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24")]
TABLES = ["main", "100", "101", "102", "103"]


def rand_subnet(rng, pool, lo, hi):
    plen = rng.randint(lo, hi)
    subs = list(pool.subnets(new_prefix=plen))
    return rng.choice(subs)


def rand_v6_prefix(rng):
    plen = rng.choice([32, 40, 48, 56, 60, 64, 64, 64, 72, 96, 112, 120, 127, 128])
    base = int(ipaddress.IPv6Address("2001:db8::"))
    # Random bits below the /32, masked to plen.
    rnd = rng.getrandbits(96)
    addr = base | rnd
    net = ipaddress.IPv6Network((addr, plen), strict=False)
    return net


def rand_v4_prefix(rng):
    pool = rng.choice(V4_POOLS)
    plen = rng.choice([24, 25, 26, 27, 28, 28, 29, 30, 31, 32, 32])
    host = rng.getrandbits(32 - 24)
    addr = int(pool.network_address) | host
    return ipaddress.IPv4Network((addr, plen), strict=False)


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    seed = int(sys.argv[1])
    rng = random.Random(seed)
    l4rng = random.Random(seed * 7919 + 1)
    host, peer = [], []

    links = ["v0", "v1", "v2", "v3"]
    # Connected IPv4 subnets: one per pool on v0..v2, /24../28.
    v4_subnets = {}
    local4 = []
    for i, dev in enumerate(links[:3]):
        sub = rand_subnet(rng, V4_POOLS[i], 24, 28)
        hosts = list(sub.hosts())
        mine = hosts[0]
        v4_subnets[dev] = (sub, hosts)
        host.append(f"addr add {mine}/{sub.prefixlen} dev {dev}")
        local4.append((dev, mine, sub))
        peer.append(f"addr add {hosts[-1]}/{sub.prefixlen} dev p{dev}")
        # Secondaries (same subnet) and sometimes a labelled alias.
        for k in range(rng.randint(0, 2)):
            a = hosts[1 + k]
            label = f" label {dev}:{k}" if rng.random() < 0.5 else ""
            host.append(f"addr add {a}/{sub.prefixlen} dev {dev}{label}")
            local4.append((dev, a, sub))
    # A second, separate subnet on v0 sometimes (another primary).
    if rng.random() < 0.5:
        used = {str(s) for s, _ in v4_subnets.values()}
        extra = None
        # Bounded: when the three links took whole /24s there is no room.
        for _ in range(64):
            cand = rand_subnet(rng, V4_POOLS[rng.randrange(3)], 27, 29)
            if all(not cand.overlaps(ipaddress.ip_network(u)) for u in used):
                extra = cand
                break
        if extra is not None:
            eh = list(extra.hosts())
            host.append(f"addr add {eh[0]}/{extra.prefixlen} dev v0")
            local4.append(("v0", eh[0], extra))
            v4_subnets["v0x"] = (extra, eh)

    # IPv6: a /64 per link, plus extra flavours.
    local6 = []
    v6_gw = {}
    for i, dev in enumerate(links):
        sub = ipaddress.IPv6Network(f"2001:db8:{i}::/64")
        mine = sub.network_address + rng.randint(1, 0xffff)
        theirs = sub.network_address + 0x1_0000 + rng.randint(1, 0xffff)
        host.append(f"addr add {mine}/64 dev {dev} nodad")
        peer.append(f"addr add {theirs}/64 dev p{dev} nodad")
        local6.append((dev, mine))
        v6_gw[dev] = [theirs]
        if rng.random() < 0.5:
            dep = sub.network_address + 0x2_0000 + rng.randint(1, 0xffff)
            host.append(f"addr add {dep}/64 dev {dev} nodad preferred_lft 0")
        if rng.random() < 0.3:
            other = ipaddress.IPv6Network(f"2001:db8:{i}:{rng.randint(1, 0xffff):x}::/{rng.choice([48, 56, 64, 80])}", strict=False)
            a = other.network_address + rng.randint(1, 0xffff)
            host.append(f"addr add {a}/{other.prefixlen} dev {dev} nodad")
            local6.append((dev, a))

    def v4_gateway(dev=None):
        devs = [d for d in v4_subnets if d != "v0x"]
        dev = dev or rng.choice(devs)
        sub, hosts = v4_subnets[dev]
        return dev, hosts[-1 - rng.randrange(min(3, len(hosts) - 3))]

    # The kernel's own connected routes (main, metric 0 / 256) must not be
    # added again: `ip route add` would fail with "File exists".
    seen = {(str(sub), "main", 0) for sub, _ in v4_subnets.values()}
    host_routes = []
    # IPv4 routes.
    for _ in range(rng.randint(25, 45)):
        pfx = rand_v4_prefix(rng) if rng.random() < 0.9 else ipaddress.ip_network("0.0.0.0/0")
        table = rng.choice(TABLES)
        metric = rng.choice([0, 0, 10, 100, 200, 1024])
        key = (str(pfx), table, metric)
        if key in seen:
            continue
        seen.add(key)
        kind = rng.choices(
            ["via", "dev", "ecmp", "blackhole", "unreachable", "prohibit", "throw", "local", "broadcast", "multicast"],
            weights=[30, 10, 6, 5, 5, 5, 6, 3, 2, 2])[0]
        tbl = f" table {table}"
        m = f" metric {metric}" if metric else ""
        if kind == "via":
            dev, gw = v4_gateway()
            src = ""
            if rng.random() < 0.3:
                src = f" src {rng.choice(local4)[1]}"
            host.append(f"route add {pfx} via {gw} dev {dev}{src}{tbl}{m}")
        elif kind == "dev":
            dev = rng.choice(links[:3])
            host_routes.append(f"route add {pfx} dev {dev}{tbl}{m}")
        elif kind == "ecmp":
            d1, g1 = v4_gateway("v0")
            d2, g2 = v4_gateway(rng.choice(["v1", "v2"]))
            w = rng.randint(1, 4)
            host.append(f"route add {pfx}{tbl}{m} nexthop via {g1} dev {d1} weight {w} nexthop via {g2} dev {d2}")
        elif kind in ("local", "broadcast"):
            dev = rng.choice(links[:3])
            host_routes.append(f"route add {kind} {pfx} dev {dev} table {rng.choice(['local', table])}{m}")
        elif kind == "multicast":
            # A multicast-type route for a 224/4 group prefix.
            grp = ipaddress.IPv4Network((int(ipaddress.IPv4Address("232.0.0.0")) | rng.getrandbits(16) << 8, 24), strict=False)
            host_routes.append(f"route add multicast {grp} dev {rng.choice(links[:3])}{tbl}{m}")
        else:
            host_routes.append(f"route add {kind} {pfx}{tbl}{m}")
    # A default route in main, usually.
    if rng.random() < 0.85:
        dev, gw = v4_gateway()
        metric = rng.choice([0, 50, 100])
        if ("0.0.0.0/0", "main", metric) in seen:
            metric = 7
        host.append(f"route add default via {gw} dev {dev} metric {metric}")

    host.extend(host_routes)

    # IPv6 routes (gateway routes first, as for IPv4).
    seen6 = {(str(ipaddress.ip_network(f"{a}/64", strict=False)), "main", 256) for _, a in local6}
    host_routes = []
    for _ in range(rng.randint(20, 40)):
        pfx = rand_v6_prefix(rng) if rng.random() < 0.92 else ipaddress.ip_network("::/0")
        table = rng.choice(TABLES)
        metric = rng.choice([1024, 1024, 1, 100, 256, 2048])
        key = (str(pfx), table, metric)
        if key in seen6:
            continue
        seen6.add(key)
        kind = rng.choices(["via", "viall", "dev", "ecmp", "blackhole", "unreachable", "prohibit", "throw", "local"],
                           weights=[25, 8, 8, 5, 5, 5, 5, 5, 2])[0]
        tbl = f" table {table}"
        m = f" metric {metric}"
        if kind == "via":
            dev = rng.choice(links)
            src = f" src {rng.choice(local6)[1]}" if rng.random() < 0.2 else ""
            host.append(f"-6 route add {pfx} via {v6_gw[dev][0]} dev {dev}{src}{tbl}{m}")
        elif kind == "viall":
            dev = rng.choice(links)
            host.append(f"-6 route add {pfx} via fe80::{rng.randint(1, 0xffff):x} dev {dev}{tbl}{m}")
        elif kind == "dev":
            host_routes.append(f"-6 route add {pfx} dev {rng.choice(links)}{tbl}{m}")
        elif kind == "ecmp":
            d1, d2 = rng.sample(links, 2)
            host.append(f"-6 route add {pfx}{tbl}{m} nexthop via {v6_gw[d1][0]} dev {d1} nexthop via {v6_gw[d2][0]} dev {d2}")
        elif kind == "local":
            host_routes.append(f"-6 route add local {pfx} dev {rng.choice(links)} table {rng.choice(['local', table])}{m}")
        else:
            host_routes.append(f"-6 route add {kind} {pfx}{tbl}{m}")
    if rng.random() < 0.85:
        dev = rng.choice(links)
        metric = rng.choice([512, 1024, 4096])
        if ("::/0", "main", metric) in seen6:
            metric = 7
        host.append(f"-6 route add default via {v6_gw[dev][0]} dev {dev} metric {metric}")

    host.extend(host_routes)

    # Policy rules, both families.
    def rand_rule(fam):
        sel = []
        r = rng.random()
        pfx = (rand_v4_prefix(rng) if fam == 4 else rand_v6_prefix(rng))
        if r < 0.35:
            sel.append(f"to {pfx}")
        elif r < 0.55:
            loc = rng.choice(local4)[1] if fam == 4 else rng.choice(local6)[1]
            sel.append(f"from {loc}/{rng.choice([32, 24] if fam == 4 else [128, 64])}" if False else f"from {loc}")
        elif r < 0.7:
            sel.append(f"fwmark {rng.randint(1, 8)}" + (f"/0x{rng.choice([0xf, 0xff]):x}" if rng.random() < 0.3 else ""))
        elif r < 0.8:
            sel.append("iif lo")
        elif r < 0.85 and fam == 4:
            sel.append(f"tos 0x{rng.choice([0x10, 0x08]):02x}")
        else:
            sel.append(f"to {pfx}")
        # Rarely, a selector plain probes meet only in part: they ask IPv4
        # as UDP and IPv6 as protocol 0, ports 0, uid 0. Drawn from their
        # own generator so older seeds keep their tables otherwise.
        if l4rng.random() < 0.12:
            sel.append(l4rng.choice(["ipproto tcp", "ipproto udp", "dport 80-90",
                                     "sport 1000", "uidrange 0-0", "uidrange 1000-2000"]))
        if rng.random() < 0.1:
            sel.insert(0, "not")
        prio = rng.randint(1, 32000)
        act = rng.choices(["lookup", "unreachable", "prohibit", "blackhole"], weights=[85, 5, 5, 5])[0]
        if act == "lookup":
            t = rng.choice(TABLES[1:] + ["main"])
            supp = f" suppress_prefixlength {rng.choice([0, 8, 24, 48, 64])}" if rng.random() < 0.15 else ""
            action = f"lookup {t}{supp}"
        else:
            action = act
        fam_opt = "" if fam == 4 else "-6 "
        return f"{fam_opt}rule add {' '.join(sel)} priority {prio} {action}"

    for fam in (4, 6):
        for _ in range(rng.randint(3, 8)):
            host.append(rand_rule(fam))

    print("\n".join(host))
    print("#peer")
    print("\n".join(peer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
