/* coro-clock.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/syscall.h>

#include "coro-clock-private.h"

CoroClock _coro_clock = { CORO_CLOCK_MONOTONIC, 0, 0, 1.0 };
__thread guint32 _coro_cached_thread_id;

gint64
_coro_clock_monotonic_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

guint32
_coro_thread_id_slow (void)
{
  _coro_cached_thread_id = (guint32) syscall (SYS_gettid);
  return _coro_cached_thread_id;
}

#if defined(__x86_64__) || defined(__aarch64__)
static guint64
read_cycles (void)
{
#if defined(__x86_64__)
  return __rdtsc ();
#else
  guint64 v;
  __asm__ __volatile__ ("isb; mrs %0, cntvct_el0" : "=r" (v));
  return v;
#endif
}

/* A (cycles, ns) pair read as close together as we can: the reading with
 * the narrowest cycles window around clock_gettime() of a few tries. */
static void
read_pair (guint64 *cycles,
           gint64  *ns)
{
  guint64 best_window = G_MAXUINT64;

  for (guint i = 0; i < 16; i++)
    {
      guint64 before = read_cycles ();
      gint64 mono = _coro_clock_monotonic_ns ();
      guint64 after = read_cycles ();

      if (after - before < best_window)
        {
          best_window = after - before;
          *cycles = before + (after - before) / 2;
          *ns = mono;
        }
    }
}

static gboolean
cpu_has_invariant_counter (void)
{
#if defined(__x86_64__)
  /* Linux exposes CPUID 0x80000007 EDX bit 8 as "constant_tsc nonstop_tsc" */
  g_autofree char *cpuinfo = NULL;

  if (!g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
    return FALSE;
  return strstr (cpuinfo, " constant_tsc") != NULL && strstr (cpuinfo, " nonstop_tsc") != NULL;
#else
  return TRUE; /* the ARMv8 generic timer is architecturally constant-rate */
#endif
}
#endif

/* Calibrated over 5 ms: with ~30 ns of read jitter at each end the ratio
 * is good to about 1e-5, i.e. ~10 µs over a 1 s run — far below a pixel
 * of the timeline. */
#define CALIBRATION_NS (5 * G_GINT64_CONSTANT (1000000))

void
_coro_clock_init (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
#if defined(__x86_64__) || defined(__aarch64__)
      const char *forced = g_getenv ("CORO_CLOCK");

      if (g_strcmp0 (forced, "monotonic") != 0 && cpu_has_invariant_counter ())
        {
          guint64 c0 = 0, c1 = 0;
          gint64 n0 = 0, n1 = 0;

          read_pair (&c0, &n0);
          do
            read_pair (&c1, &n1);
          while (n1 - n0 < CALIBRATION_NS);

          if (c1 > c0)
            {
              _coro_clock.raw_ref = c0;
              _coro_clock.ns_ref = n0;
              _coro_clock.ns_per_tick = (double) (n1 - n0) / (double) (c1 - c0);
              _coro_clock.kind = CORO_CLOCK_CYCLES;
            }
        }
#endif
      g_once_init_leave (&initialized, 1);
    }
}

const char *
_coro_clock_get_name (void)
{
  return _coro_clock.kind == CORO_CLOCK_CYCLES ? "cycles" : "monotonic";
}
