/* coro-event-describer.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (CORO_INSIDE) && !defined (CORO_COMPILATION)
# error "Only \"coroscope-analysis.h\" can be included directly."
#endif

#include "coro-trace-index.h"

G_BEGIN_DECLS

/**
 * CoroEventDescribeFlags:
 * @CORO_EVENT_DESCRIBE_DISPLAY: a translated phrase for people (the
 *   details pane, a tooltip): one line, valid UTF-8, durations in units
 * @CORO_EVENT_DESCRIBE_FILE: the stable form files keep: untranslated,
 *   independent of the locale, strings exactly as the trace has them
 * @CORO_EVENT_DESCRIBE_NO_KIND: with %CORO_EVENT_DESCRIBE_FILE, leave out
 *   the kind's name (for a file that has it in a column of its own);
 *   ignored for display, where the kind is part of the phrase
 */
typedef enum
{
  CORO_EVENT_DESCRIBE_DISPLAY = 0,
  CORO_EVENT_DESCRIBE_FILE    = 1 << 0,
  CORO_EVENT_DESCRIBE_NO_KIND = 1 << 1,
} CoroEventDescribeFlags;

char            *coro_event_describe           (CoroTrace              *trace,
                                                CoroTraceIndex         *index,
                                                const CoroEvent        *event,
                                                CoroEventDescribeFlags  flags);
void             coro_event_describe_append    (GString                *string,
                                                CoroTrace              *trace,
                                                CoroTraceIndex         *index,
                                                const CoroEvent        *event,
                                                guint32                 viewer,
                                                CoroEventDescribeFlags  flags);
void             coro_event_describe_duration  (GString                *string,
                                                double                  ns);
const char      *coro_event_describe_reason    (guint                   reason);

/**
 * CoroAxisTicks:
 * @step_ns: the time between two ticks, a 1-2-5 step of whole nanoseconds
 * @major_ns: 0 when every tick reads as its own time ("1500 ms"); else
 *   1000 times the step's unit, and the ticks read as offsets ("+500 µs")
 *   from the last multiple of it, which reads as a time ("245 ms")
 * @unit_ns: the unit of the step's labels: 1, 1000, 10⁶ or 10⁹
 *
 * How a time axis labels its ticks; see coro_event_describe_axis_init().
 */
typedef struct
{
  gint64 step_ns;
  gint64 major_ns;
  gint64 unit_ns;
} CoroAxisTicks;

void             coro_event_describe_axis_init  (CoroAxisTicks          *ticks,
                                                 double                  start_ns,
                                                 double                  end_ns,
                                                 double                  min_step_ns);
gboolean         coro_event_describe_axis_label (GString                *string,
                                                 const CoroAxisTicks    *ticks,
                                                 gint64                  t_ns);
gint64           coro_event_describe_axis_base  (const CoroAxisTicks    *ticks,
                                                 double                  start_ns);
void             coro_event_describe_axis_time  (GString                *string,
                                                 const CoroAxisTicks    *ticks,
                                                 gint64                  t_ns);

G_END_DECLS
