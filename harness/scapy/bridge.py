# netrig's bridge to Scapy 2.5.0: tables and route answers as one JSON object.
import json, logging, sys
class Cap(logging.Handler):
    def __init__(self):
        logging.Handler.__init__(self)
        self.msgs = []
    def emit(self, rec):
        try:
            self.msgs.append(rec.getMessage())
        except Exception:
            self.msgs.append(str(rec.msg))
cap = Cap()
lg = logging.getLogger("scapy")
try:
    import scapy
    from scapy.config import conf
    conf.auto_crop_tables = False
    conf.warning_threshold = 0
    import scapy.all
    from scapy.all import conf
except Exception as e:
    sys.stderr.write("cannot import scapy: %s\n" % (e,))
    sys.exit(3)
lg.handlers = [cap]
lg.propagate = False
conf.auto_crop_tables = False
conf.warning_threshold = 0
out = {"version": str(getattr(scapy, "VERSION", "")),
       "conf_iface": str(getattr(conf.iface, "name", conf.iface)),
       "routes4": [list(r) for r in conf.route.routes],
       "routes6": [[r[0], r[1], r[2], str(r[3]), list(r[4]), r[5]] for r in conf.route6.routes],
       "if_inet6": [list(x) for x in scapy.arch.in6_getifaddr()],
       "repr4": repr(conf.route), "repr6": repr(conf.route6), "answers": []}
for line in sys.stdin:
    d = line.rstrip("\n")
    del cap.msgs[:]
    try:
        if ":" in d:
            t = conf.route6.route(d)
        else:
            t = conf.route.route(d)
        out["answers"].append({"r": [str(t[0]), str(t[1]), str(t[2])],
                               "w": any(m.startswith("No route found") for m in cap.msgs)})
    except Exception as e:
        out["answers"].append({"e": "%s: %s" % (type(e).__name__, e)})
sys.stdout.write(json.dumps(out))
sys.stdout.write("\n")
