/* coro-clock-private.h: the trace's clock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * clock_gettime() costs ~25 ns here, the whole per-event budget of the
 * trace, so events are stamped from the CPU's invariant cycle counter
 * (x86_64 rdtsc, aarch64 cntvct_el0) and converted to nanoseconds only
 * when read, with a ratio calibrated once against CLOCK_MONOTONIC. Where
 * there is no such counter (or CORO_CLOCK=monotonic is set) the raw value
 * is CLOCK_MONOTONIC in ns and the conversion is the identity.
 */

#pragma once

#include <glib.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
# include <x86intrin.h>
#endif

G_BEGIN_DECLS

typedef enum
{
  CORO_CLOCK_MONOTONIC,
  CORO_CLOCK_CYCLES,
} CoroClockKind;

typedef struct
{
  CoroClockKind kind;
  guint64       raw_ref;       /* a raw reading ... */
  gint64        ns_ref;        /* ... and CLOCK_MONOTONIC at the same moment */
  double        ns_per_tick;
} CoroClock;

extern CoroClock _coro_clock;
extern __thread guint32 _coro_cached_thread_id;

void         _coro_clock_init         (void);
gint64       _coro_clock_monotonic_ns (void);
const char  *_coro_clock_get_name     (void);
guint32      _coro_thread_id_slow     (void);

static inline guint64
_coro_clock_raw (void)
{
#if defined(__x86_64__)
  if (G_LIKELY (_coro_clock.kind == CORO_CLOCK_CYCLES))
    return __rdtsc ();
#elif defined(__aarch64__)
  if (G_LIKELY (_coro_clock.kind == CORO_CLOCK_CYCLES))
    {
      guint64 v;
      __asm__ __volatile__ ("mrs %0, cntvct_el0" : "=r" (v));
      return v;
    }
#endif
  return (guint64) _coro_clock_monotonic_ns ();
}

static inline gint64
_coro_clock_raw_to_ns (guint64 raw)
{
  if (_coro_clock.kind == CORO_CLOCK_MONOTONIC)
    return (gint64) raw;
  return _coro_clock.ns_ref + (gint64) ((double) (gint64) (raw - _coro_clock.raw_ref) * _coro_clock.ns_per_tick);
}

static inline guint32
_coro_thread_id (void)
{
  if (G_LIKELY (_coro_cached_thread_id != 0))
    return _coro_cached_thread_id;
  return _coro_thread_id_slow ();
}

G_END_DECLS
