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

G_END_DECLS
