#!/usr/bin/python3
"""The anchors for bench-core: the same measurements in Python's asyncio.

Prints `bench: NAME VALUE UNIT` lines (medians of 5 runs):
  asyncio_yield_switch_ns     two tasks ping-ponging with `await asyncio.sleep(0)`
  asyncio_yield_switch_1000_ns  1,000 tasks doing the same
  python_generator_send_ns    gen.send(1) into a running-total generator
  asyncio_spawn_finish_ns     create_task + run to completion of an empty coroutine
  asyncio_rss_per_parked_task_bytes  RSS per task awaiting one future (100,000 tasks)
"""

import asyncio
import gc
import statistics
import time

RUNS = 5


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


async def yielder(n):
    for _ in range(n):
        await asyncio.sleep(0)


def yield_switch_ns(n_tasks, total):
    async def main():
        tasks = [asyncio.create_task(yielder(total // n_tasks)) for _ in range(n_tasks)]
        start = time.perf_counter_ns()
        await asyncio.gather(*tasks)
        return (time.perf_counter_ns() - start) / total
    return asyncio.run(main())


def accumulator():
    total = 0
    while True:
        total += yield total


def generator_send_ns(n):
    gen = accumulator()
    next(gen)
    send = gen.send
    start = time.perf_counter_ns()
    for _ in range(n):
        send(1)
    return (time.perf_counter_ns() - start) / n


async def nothing():
    pass


def spawn_finish_ns(n):
    async def main():
        start = time.perf_counter_ns()
        for i in range(0, n, 64):
            await asyncio.gather(*[asyncio.create_task(nothing()) for _ in range(64)])
        return (time.perf_counter_ns() - start) / n
    return asyncio.run(main())


def rss_per_parked_task(n):
    async def park(gate):
        await gate

    async def main():
        gate = asyncio.get_running_loop().create_future()
        gc.collect()
        before = rss_bytes()
        tasks = [asyncio.create_task(park(gate)) for _ in range(n)]
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        after = rss_bytes()
        gate.set_result(None)
        await asyncio.gather(*tasks)
        return (after - before) / n
    return asyncio.run(main())


def report(name, unit, fn, *args):
    value = statistics.median(fn(*args) for _ in range(RUNS))
    print(f"bench: {name} {value:.1f} {unit}", flush=True)


if __name__ == "__main__":
    print(f"bench: asyncio_rss_per_parked_task_bytes {rss_per_parked_task(100000):.0f} bytes", flush=True)
    report("asyncio_yield_switch_ns", "ns", yield_switch_ns, 2, 200000)
    report("asyncio_yield_switch_1000_ns", "ns", yield_switch_ns, 1000, 200000)
    report("python_generator_send_ns", "ns", generator_send_ns, 2000000)
    report("asyncio_spawn_finish_ns", "ns", spawn_finish_ns, 100000)
