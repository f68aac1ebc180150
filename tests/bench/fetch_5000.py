#!/usr/bin/python3
"""The fetch benchmark: 5,000 URLs, 20 ms latency, 2 KiB bodies, 300 at once.

Runs, against one delay server of our own in a separate process:
  coroscope --headless (tracing on, as always)   fetch_5000_s, fetch_5000_peak_rss_mib
  Python's aiohttp with one shared session        aiohttp_5000_s, aiohttp_5000_peak_rss_mib
  curl --parallel --parallel-max 300              curl_5000_s, curl_5000_peak_rss_mib
and prints the ideal time, ceil(N / C) × latency, and the ratios.

  fetch_5000.py COROSCOPE DELAY_SERVER
"""

import math
import os
import re
import subprocess
import sys
import tempfile
import time

N = 5000
CONCURRENCY = 300
LATENCY_MS = 20
BODY = 2048

AIOHTTP_CLIENT = r'''
import asyncio, sys, aiohttp
async def main(urls, c):
    sem = asyncio.Semaphore(c)
    connector = aiohttp.TCPConnector(limit=c)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def one(url):
            async with sem:
                async with session.get(url) as r:
                    await r.read()
                    return r.status
        statuses = await asyncio.gather(*(one(u) for u in urls))
    bad = sum(1 for s in statuses if s != 200)
    sys.exit(1 if bad else 0)
urls = open(sys.argv[1]).read().split()
asyncio.run(main(urls, int(sys.argv[2])))
'''


def timed(cmd):
    """Wall time and peak RSS (MiB) of cmd, from GNU time -v."""
    start = time.monotonic()
    proc = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    elapsed = time.monotonic() - start
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    rss = int(match.group(1)) / 1024 if match else float("nan")
    if proc.returncode != 0:
        print(f"# {cmd[0]} exited {proc.returncode}: {proc.stderr[-400:]}", file=sys.stderr)
        raise SystemExit(1)
    return elapsed, rss


def main():
    coroscope, delay_server = sys.argv[1], sys.argv[2]
    server = subprocess.Popen([delay_server, str(LATENCY_MS), str(BODY)], stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        with tempfile.TemporaryDirectory() as tmp:
            urls = [f"http://127.0.0.1:{port}/item/{i}" for i in range(N)]
            url_file = os.path.join(tmp, "urls.txt")
            with open(url_file, "w") as f:
                f.write("\n".join(urls) + "\n")
            curl_config = os.path.join(tmp, "curl.cfg")
            with open(curl_config, "w") as f:
                for u in urls:
                    f.write(f'url = "{u}"\noutput = "/dev/null"\n')
            client = os.path.join(tmp, "aiohttp_client.py")
            with open(client, "w") as f:
                f.write(AIOHTTP_CLIENT)

            ideal = math.ceil(N / CONCURRENCY) * LATENCY_MS / 1000
            ours, ours_rss = timed([coroscope, "--headless", "--concurrency", str(CONCURRENCY),
                                    "--timeout", "30", url_file])
            aio, aio_rss = timed(["/usr/bin/python3", client, url_file, str(CONCURRENCY)])
            curl, curl_rss = timed(["curl", "--silent", "--fail", "--parallel", "--parallel-max",
                                    str(CONCURRENCY), "--config", curl_config])

            print(f"bench: fetch_5000_s {ours:.3f} s")
            print(f"bench: fetch_5000_ideal_s {ideal:.3f} s")
            print(f"bench: fetch_5000_peak_rss_mib {ours_rss:.1f} mib")
            print(f"bench: aiohttp_5000_s {aio:.3f} s")
            print(f"bench: aiohttp_5000_peak_rss_mib {aio_rss:.1f} mib")
            print(f"bench: curl_5000_s {curl:.3f} s")
            print(f"bench: curl_5000_peak_rss_mib {curl_rss:.1f} mib")
            print(f"bench: fetch_5000_vs_ideal_ratio {ours / ideal:.2f} x")
            print(f"bench: fetch_5000_vs_curl_ratio {ours / curl:.2f} x")
            print(f"bench: fetch_5000_vs_aiohttp_ratio {ours / aio:.2f} x")
    finally:
        server.kill()
        server.wait()


if __name__ == "__main__":
    main()
