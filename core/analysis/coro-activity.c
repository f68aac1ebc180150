/* coro-activity.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A streaming histogram of a run: per bin, how long tasks held a thread
 * and how many tasks started and ended. The index feeds it as it reads
 * events; the timeline's overview resamples it to its width.
 *
 * Busy time is also kept by holder class (the task id modulo a class
 * count), so a zoomed-out thread lane can show who held the thread in
 * each pixel column without a pass over the switches in view. The count
 * is the caller's (the timeline's palette size; the core knows no
 * palette): each count asked for gets its own plane of bins, created
 * empty by coro_activity_ensure_classes() for the index to replay the
 * closed spans into once, and kept up to date by every later
 * coro_activity_add_busy(). Why not one plane per possible count up to
 * a maximum: the planes for 1..8 are 36 floats per bin (2.3 MiB) and 36
 * additions per span, to serve the one count a window asks for; why not
 * by task id modulo a multiple of every count: lcm (1..8) is 840.
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

typedef struct
{
  guint  n_classes;
  guint  last_sampled;
  float *held_ns;      /* CORO_ACTIVITY_BINS × n_classes, bin after bin */
} Plane;

struct _CoroActivity
{
  gint64   origin_ns;  /* the left edge of bin 0: the run's first event */
  guint    shift;      /* a bin is 2^shift ns wide */
  guint    n_used;     /* bins from n_used on were never written: their
                        * pages are left untouched (a page fault costs
                        * ~19 µs on this VM, and the arrays are 192 pages) */
  gint64   busy_ns[CORO_ACTIVITY_BINS];
  guint32  started[CORO_ACTIVITY_BINS];
  guint32  ended[CORO_ACTIVITY_BINS];

  /* the same time by holder class, one plane per class count asked for;
   * floats, for half the room: they only pick a colour */
  Plane    planes[CORO_ACTIVITY_MAX_PLANES];
  guint    n_planes;
  guint    stamp;      /* counts samplings, to replace the least recent */
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
  for (guint p = 0; p < self->n_planes; p++)
    g_free (self->planes[p].held_ns);
  g_free (self);
}

static Plane *
find_plane (CoroActivity *self,
            guint         n_classes)
{
  for (guint p = 0; p < self->n_planes; p++)
    if (self->planes[p].n_classes == n_classes)
      return &self->planes[p];

  return NULL;
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
      if (b < self->n_used)
        {
          self->busy_ns[i] += self->busy_ns[b];
          self->started[i] += self->started[b];
          self->ended[i] += self->ended[b];
        }
    }
  for (guint p = 0; p < self->n_planes; p++)
    {
      guint n = self->planes[p].n_classes;
      float *held = self->planes[p].held_ns;

      for (guint i = 0; i < merged; i++)
        for (guint k = 0; k < n; k++)
          held[i * n + k] = held[2 * i * n + k] + (2 * i + 1 < self->n_used ? held[(2 * i + 1) * n + k] : 0);
      memset (&held[merged * n], 0, (self->n_used - merged) * n * sizeof held[0]);
    }
  memset (&self->busy_ns[merged], 0, (self->n_used - merged) * sizeof self->busy_ns[0]);
  memset (&self->started[merged], 0, (self->n_used - merged) * sizeof self->started[0]);
  memset (&self->ended[merged], 0, (self->n_used - merged) * sizeof self->ended[0]);
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

/* Adds [start_ns, end_ns) held by @task to the busy time (if @busy) and
 * to the planes from @planes on (all of them, or the one). */
static void
add_span (CoroActivity *self,
          gint64        start_ns,
          gint64        end_ns,
          guint32       task,
          gboolean      busy,
          Plane        *planes,
          guint         n_planes)
{
  guint first_bin, last_bin;

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

      if (busy)
        self->busy_ns[b] += overlap;
      for (guint p = 0; p < n_planes; p++)
        planes[p].held_ns[b * planes[p].n_classes + task % planes[p].n_classes] += overlap;
    }
}

/* A thread was held by task @task over [start_ns, end_ns). */
void
coro_activity_add_busy (CoroActivity *self,
                        gint64        start_ns,
                        gint64        end_ns,
                        guint32       task)
{
  g_return_if_fail (self != NULL);

  add_span (self, start_ns, end_ns, task, TRUE, self->planes, self->n_planes);
}

/**
 * coro_activity_ensure_classes:
 * @n_classes: 1 to %CORO_ACTIVITY_MAX_CLASSES
 *
 * Makes sure busy time is kept by @n_classes holder classes from now on,
 * creating the plane (in place of the one sampled least recently, when
 * there are %CORO_ACTIVITY_MAX_PLANES).
 *
 * Returns: %TRUE when the plane was just created: it is empty, and the
 *   caller adds the spans closed so far with coro_activity_add_held()
 */
gboolean
coro_activity_ensure_classes (CoroActivity *self,
                              guint         n_classes)
{
  Plane *plane;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (n_classes >= 1 && n_classes <= CORO_ACTIVITY_MAX_CLASSES, FALSE);

  if (find_plane (self, n_classes) != NULL)
    return FALSE;

  if (self->n_planes < CORO_ACTIVITY_MAX_PLANES)
    {
      plane = &self->planes[self->n_planes++];
    }
  else
    {
      plane = &self->planes[0];
      for (guint p = 1; p < self->n_planes; p++)
        if (self->planes[p].last_sampled < plane->last_sampled)
          plane = &self->planes[p];
      g_free (plane->held_ns);
    }

  plane->n_classes = n_classes;
  plane->last_sampled = self->stamp;
  /* zeroed pages the kernel hands out on first touch: only the bins in
   * use cost memory */
  plane->held_ns = g_new0 (float, (gsize) CORO_ACTIVITY_BINS * n_classes);

  return TRUE;
}

/* A closed span, into the @n_classes plane only: the replay that fills a
 * new plane. */
void
coro_activity_add_held (CoroActivity *self,
                        guint         n_classes,
                        gint64        start_ns,
                        gint64        end_ns,
                        guint32       task)
{
  Plane *plane;

  g_return_if_fail (self != NULL);
  plane = find_plane (self, n_classes);
  g_return_if_fail (plane != NULL);

  add_span (self, start_ns, end_ns, task, FALSE, plane, 1);
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
 * @n_classes: the class count of @held_ns; a plane
 *   coro_activity_ensure_classes() made
 * @held_ns: (out caller-allocates) (nullable): @n_columns × @n_classes
 *   figures, column after column: the same time by holder class
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
                      guint         n_classes,
                      double       *held_ns,
                      guint        *n_alive)
{
  const float *plane = NULL;
  double bin_ns;
  gint64 started = 0, ended_before = 0;
  int started_upto = -1, ended_upto = -1;

  g_return_if_fail (self != NULL);
  g_return_if_fail (ns_per_column > 0);

  if (held_ns != NULL)
    {
      Plane *found = find_plane (self, n_classes);

      g_return_if_fail (found != NULL);
      found->last_sampled = ++self->stamp;
      plane = found->held_ns;
    }

  bin_ns = (double) ((gint64) 1 << self->shift);

  for (guint c = 0; c < n_columns; c++)
    {
      /* the column in bin units */
      double u0 = (from_ns + c * ns_per_column - self->origin_ns) / bin_ns;
      double u1 = (from_ns + (c + 1) * ns_per_column - self->origin_ns) / bin_ns;
      double *held = held_ns != NULL ? &held_ns[c * n_classes] : NULL;
      int first_bin, last_bin;
      double busy = 0;

      if (held != NULL)
        memset (held, 0, n_classes * sizeof (double));
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

      /* one pass for each figure asked for: the class count is known only
       * here, and an inner loop of its own is what the compiler unrolls */
      if (busy_ns != NULL)
        {
          for (int b = first_bin; b <= last_bin; b++)
            {
              double overlap = MIN (u1, b + 1.0) - MAX (u0, (double) b);

              if (overlap > 0)
                busy += self->busy_ns[b] * overlap;
            }
          busy_ns[c] = busy;
        }
      if (held != NULL)
        {
          for (int b = first_bin; b <= last_bin; b++)
            {
              double overlap = MIN (u1, b + 1.0) - MAX (u0, (double) b);
              const float *row = &plane[(gsize) b * n_classes];

              if (overlap <= 0)
                continue;
              for (guint k = 0; k < n_classes; k++)
                held[k] += row[k] * overlap;
            }
        }

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
