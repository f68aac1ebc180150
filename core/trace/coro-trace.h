/* coro-trace.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (CORO_INSIDE) && !defined (CORO_COMPILATION)
# error "Only \"coroscope-trace.h\" can be included directly."
#endif

#include <gio/gio.h>

#include "coro-event.h"

G_BEGIN_DECLS

#define CORO_TYPE_TRACE (coro_trace_get_type())

G_DECLARE_FINAL_TYPE (CoroTrace, coro_trace, CORO, TRACE, GObject)

CoroTrace       *coro_trace_new                (void);
CoroTrace       *coro_trace_new_for_import     (void);
gboolean         coro_trace_is_live            (CoroTrace         *self);
guint            coro_trace_get_n_events       (CoroTrace         *self);
const CoroEvent *coro_trace_get_event          (CoroTrace         *self,
                                                guint              index);
gint64           coro_trace_event_time_ns      (CoroTrace         *self,
                                                const CoroEvent   *event);
gint64           coro_trace_now_ns             (CoroTrace         *self);
gint64           coro_trace_get_start_wall_us  (CoroTrace         *self);
void             coro_trace_set_start_wall_us  (CoroTrace         *self,
                                                gint64             wall_us);
guint32          coro_trace_intern             (CoroTrace         *self,
                                                const char        *string);
guint32          coro_trace_lookup_string      (CoroTrace         *self,
                                                const char        *string);
const char      *coro_trace_get_string         (CoroTrace         *self,
                                                guint32            string_id);
void             coro_trace_append             (CoroTrace         *self,
                                                CoroEventKind      kind,
                                                guint32            task,
                                                guint32            other,
                                                guint16            reason,
                                                guint8             flags,
                                                guint64            arg);
void             coro_trace_append_at          (CoroTrace         *self,
                                                gint64             time_ns,
                                                guint32            thread_id,
                                                CoroEventKind      kind,
                                                guint32            task,
                                                guint32            other,
                                                guint16            reason,
                                                guint8             flags,
                                                guint64            arg);
void             coro_trace_set_attribute_string (CoroTrace       *self,
                                                guint32            task,
                                                const char        *key,
                                                const char        *value);
void             coro_trace_set_attribute_int  (CoroTrace         *self,
                                                guint32            task,
                                                const char        *key,
                                                gint64             value);
void             coro_trace_set_attribute_int_id (CoroTrace       *self,
                                                guint32            task,
                                                guint32            key_id,
                                                gint64             value);
void             coro_trace_set_metadata       (CoroTrace         *self,
                                                const char        *key,
                                                const char        *value);
const char      *coro_trace_get_metadata       (CoroTrace         *self,
                                                const char        *key);
GStrv            coro_trace_dup_metadata_keys  (CoroTrace         *self);
const char      *coro_trace_get_clock_name     (CoroTrace         *self);
gsize            coro_trace_get_memory_bytes   (CoroTrace         *self);

G_END_DECLS
