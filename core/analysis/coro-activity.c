/* coro-activity.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A streaming histogram of a run: per bin, how long tasks held a thread
 * and how many tasks started and ended. The index feeds it as it reads
 * events; the timeline's overview resamples it to its width.
 *
 * Busy time is also kept by holder class (the task id modulo
 * CORO_ACTIVITY_CLASSES, as the timeline colours tasks), so a zoomed-out
 * thread lane can show who held the thread in each pixel column without
 * a pass over the switches in view.
 *
 * Why not derive the overview from the segments at draw time: a pass
 * over the thread lane of a million-event run is 320,000 segments (10 MB)
 * and the tasks another pass, 10 ms on this machine, paid again at every
 * resize and every live refresh. Kept here, the figures cost a few
 * additions per event, and a resample reads 768 KiB at most, whatever the
 * size of the run (80 µs for the overview of a million events).
 *
 * Bins start 8.192 µs wide; when an event falls past the last bin, pairs
 * of bins are merged and the width doubles, so a run of any length fits
 * in CORO_ACTIVITY_BINS bins at the finest resolution that fits (but for
 * runs under 134 ms). Not finer to start with: the first merge reads and
 * writes every bin, and at 1 µs it came within the first live frame.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "coro-activity-private.h"

#define FIRST_SHIFT 13  /* 2^13 ns = 8.192 µs: 16,384 bins cover 134 ms */

struct _CoroActivity
{
  gint64   origin_ns;  /* the left edge of bin 0: the run's first event */
  guint    shift;      /* a bin is 2^shift ns wide */
  guint    n_used;     /* bins from n_used on were never written: their
                        * pages are left untouched (a page fault costs
                        * ~19 µs on this VM, and the arrays are 192 pages) */
  gint64   busy_ns[CORO_ACTIVITY_BINS];
  /* the same time by holder class (task id modulo the class count);
   * floats, for half the room: they only pick a colour */
  float    held_ns[CORO_ACTIVITY_BINS][CORO_ACTIVITY_CLASSES];
  guint32  started[CORO_ACTIVITY_BINS];
  guint32  ended[CORO_ACTIVITY_BINS];
};

CoroActivity *
coro_activity_new (gint64 origin_ns)
{
  CoroActivity *self = g_new0 (CoroActivity, 1);

  self->origin_ns = origin_ns;
  self->shift = FIRST_SHIFT;

  return self;
}

void
coro_activity_free (CoroActivity *self)
{
  g_free (self);
}

/* Halves the resolution: bin i takes bins 2i and 2i + 1. */
static void
coarsen (CoroActivity *self)
{
  guint merged = (self->n_used + 1) / 2;

  for (guint i = 0; i < merged; i++)
    {
      guint a = 2 * i, b = 2 * i + 1;

      self->busy_ns[i] = self->busy_ns[a];
      self->started[i] = self->started[a];
      self->ended[i] = self->ended[a];
      for (guint k = 0; k < CORO_ACTIVITY_CLASSES; k++)
        self->held_ns[i][k] = self->held_ns[a][k];
      if (b < self->n_used)
        {
          self->busy_ns[i] += self->busy_ns[b];
          self->started[i] += self->started[b];
          self->ended[i] += self->ended[b];
          for (guint k = 0; k < CORO_ACTIVITY_CLASSES; k++)
            self->held_ns[i][k] += self->held_ns[b][k];
        }
    }
  memset (&self->busy_ns[merged], 0, (self->n_used - merged) * sizeof self->busy_ns[0]);
  memset (&self->started[merged], 0, (self->n_used - merged) * sizeof self->started[0]);
  memset (&self->ended[merged], 0, (self->n_used - merged) * sizeof self->ended[0]);
  memset (&self->held_ns[merged], 0, (self->n_used - merged) * sizeof self->held_ns[0]);
  self->n_used = merged;
  self->shift++;
}

/* The bin of @time_ns, coarsening until there is one, for writing.
 * Times before the origin (the index never sends any) go to bin 0. */
static guint
bin_for (CoroActivity *self,
         gint64        time_ns)
{
  guint bin;

  if (time_ns <= self->origin_ns)
    {
      self->n_used = MAX (self->n_used, 1);
      return 0;
    }

  while (((guint64) (time_ns - self->origin_ns) >> self->shift) >= CORO_ACTIVITY_BINS)
    coarsen (self);

  bin = (guint) ((guint64) (time_ns - self->origin_ns) >> self->shift);
  self->n_used = MAX (self->n_used, bin + 1);

  return bin;
}

/* A thread was held by task @task over [start_ns, end_ns). */
void
coro_activity_add_busy (CoroActivity *self,
                        gint64        start_ns,
                        gint64        end_ns,
                        guint32       task)
{
  guint class = task % CORO_ACTIVITY_CLASSES;
  guint first_bin, last_bin;

  g_return_if_fail (self != NULL);

  if (end_ns <= start_ns)
    return;

  /* the end first: it is what may coarsen the bins */
  last_bin = bin_for (self, end_ns - 1);
  first_bin = bin_for (self, start_ns);
  start_ns = MAX (start_ns, self->origin_ns);

  for (guint b = first_bin; b <= last_bin; b++)
    {
      gint64 bin_start = self->origin_ns + ((gint64) b << self->shift);
      gint64 bin_end = bin_start + ((gint64) 1 << self->shift);

      gint64 overlap = MIN (end_ns, bin_end) - MAX (start_ns, bin_start);

      self->busy_ns[b] += overlap;
      self->held_ns[b][class] += overlap;
    }
}

void
coro_activity_add_started (CoroActivity *self,
                           gint64        time_ns)
{
  g_return_if_fail (self != NULL);

  self->started[bin_for (self, time_ns)]++;
}

void
coro_activity_add_ended (CoroActivity *self,
                         gint64        time_ns)
{
  g_return_if_fail (self != NULL);

  self->ended[bin_for (self, time_ns)]++;
}

/* The current width of a bin: how far from exact a sampled column's
 * figures may be at either edge. */
gint64
coro_activity_get_bin_ns (CoroActivity *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return (gint64) 1 << self->shift;
}

/**
 * coro_activity_sample:
 * @from_ns: the left edge of the first column
 * @ns_per_column: the columns' width
 * @n_columns: how many
 * @busy_ns: (out caller-allocates) (array length=n_columns) (nullable):
 *   time tasks held a thread within each column, summed over threads; a
 *   bin cut by a column edge is shared in proportion (time is taken as
 *   spread evenly within a bin)
 * @held_ns: (out caller-allocates) (nullable): @n_columns ×
 *   %CORO_ACTIVITY_CLASSES figures, column after column: the same time
 *   by holder class
 * @n_alive: (out caller-allocates) (array length=n_columns) (nullable):
 *   tasks alive at some time within each column; a task that started or
 *   ended in a bin cut by the column's edges counts as alive in it
 *
 * Resamples the bins to @n_columns columns, filling the arrays given,
 * in one sweep: O(bins + columns).
 */
void
coro_activity_sample (CoroActivity *self,
                      double        from_ns,
                      double        ns_per_column,
                      guint         n_columns,
                      double       *busy_ns,
                      double       *held_ns,
                      guint        *n_alive)
{
  double bin_ns;
  gint64 started = 0, ended_before = 0;
  int started_upto = -1, ended_upto = -1;

  g_return_if_fail (self != NULL);
  g_return_if_fail (ns_per_column > 0);

  bin_ns = (double) ((gint64) 1 << self->shift);

  for (guint c = 0; c < n_columns; c++)
    {
      /* the column in bin units */
      double u0 = (from_ns + c * ns_per_column - self->origin_ns) / bin_ns;
      double u1 = (from_ns + (c + 1) * ns_per_column - self->origin_ns) / bin_ns;
      double *held = held_ns != NULL ? &held_ns[c * CORO_ACTIVITY_CLASSES] : NULL;
      int first_bin, last_bin;
      double busy = 0;

      if (held != NULL)
        memset (held, 0, CORO_ACTIVITY_CLASSES * sizeof (double));
      if (u1 <= 0 || u0 >= CORO_ACTIVITY_BINS)
        {
          if (busy_ns != NULL)
            busy_ns[c] = 0;
          if (n_alive != NULL)
            n_alive[c] = 0;
          continue;
        }
      /* clamped as doubles: far outside the run, an int would overflow;
       * bins never written are zero, and not read */
      first_bin = (int) MAX (0.0, floor (u0));
      last_bin = (int) MIN ((double) self->n_used - 1, ceil (u1) - 1);

      for (int b = first_bin; b <= last_bin; b++)
        {
          double overlap = MIN (u1, b + 1.0) - MAX (u0, (double) b);

          if (overlap <= 0)
            continue;
          busy += self->busy_ns[b] * overlap;
          for (guint k = 0; held != NULL && k < CORO_ACTIVITY_CLASSES; k++)
            held[k] += self->held_ns[b][k] * overlap;
        }
      if (busy_ns != NULL)
        busy_ns[c] = busy;

      /* started up to the column's last bin, minus ended before its
       * first: both edges only move right, so the sums run on */
      while (started_upto < last_bin)
        started += self->started[++started_upto];
      while (ended_upto + 1 < MIN (first_bin, (int) self->n_used))
        ended_before += self->ended[++ended_upto];
      if (n_alive != NULL)
        n_alive[c] = (guint) MAX (0, started - ended_before);
    }
}
