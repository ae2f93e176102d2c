"""A bounded load test against a server on this machine: N threads for D seconds over a few pages.

    python oimsite/devtools/loadtest.py --base http://127.0.0.1:8000 --sessionid KEY --clients 50 --seconds 60 \
        / /returns/ /admin/returns/returnee/

Only loopback addresses are accepted (the load must stay on this machine). Prints throughput, error
count and latency percentiles. Standard library only.
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import socket
import statistics
import threading
import time
from urllib.parse import urlsplit


def loopback_only(base: str) -> tuple[str, int]:
    parts = urlsplit(base)
    host = parts.hostname or ""
    address = ipaddress.ip_address(socket.gethostbyname(host))
    if not address.is_loopback:
        raise SystemExit(f"Refusing {host}: the load test only targets loopback addresses (127.0.0.0/8).")
    return host, parts.port or 80


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--sessionid", required=True, help="A logged-in session key (cookie sessionid).")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    host, port = loopback_only(args.base)
    if not (1 <= args.clients <= 200 and 0 < args.seconds <= 300):
        raise SystemExit("Bounded: 1-200 clients, at most 300 seconds.")
    deadline = time.monotonic() + args.seconds
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()

    def client(index: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        n = index
        while time.monotonic() < deadline:
            path = args.paths[n % len(args.paths)]
            n += 1
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": f"sessionid={args.sessionid}"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                key = f"HTTP {response.status}"
            except (OSError, http.client.HTTPException) as exc:
                ok, key = False, type(exc).__name__
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors[key] = errors.get(key, 0) + 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    print(f"requests: {len(latencies)}  errors: {sum(errors.values())} {errors or ''}")
    print(f"throughput: {len(latencies) / wall:.1f} req/s over {wall:.1f} s with {args.clients} clients")
    print(f"latency ms: p50 {q[49] * 1000:.0f}  p90 {q[89] * 1000:.0f}  p99 {q[98] * 1000:.0f}  "
          f"max {latencies[-1] * 1000:.0f}")


if __name__ == "__main__":
    main()
