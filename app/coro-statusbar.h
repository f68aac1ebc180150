/* coro-statusbar.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "coroscope-analysis.h"
#include "coroscope-http.h"

G_BEGIN_DECLS

typedef struct _CoroStatusbar CoroStatusbar;

CoroStatusbar   *coro_statusbar_new             (GtkLabel        *state,
                                                 GtkInscription  *elapsed,
                                                 GtkInscription  *tasks,
                                                 GtkInscription  *switches,
                                                 GtkInscription  *bytes,
                                                 GtkInscription  *thread);
void             coro_statusbar_free            (CoroStatusbar   *self);
void             coro_statusbar_restart_rate    (CoroStatusbar   *self);
void             coro_statusbar_update          (CoroStatusbar   *self,
                                                 CoroTraceIndex  *index,
                                                 CoroRun         *run,
                                                 GPtrArray       *urls,
                                                 gboolean         paused);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoroStatusbar, coro_statusbar_free)

G_END_DECLS
