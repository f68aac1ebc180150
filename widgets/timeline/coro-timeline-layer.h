/* coro-timeline-layer.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A layer of the timeline: one thing it draws (the ruler, a kind of lane,
 * the arrows…), as Sysprof's SysprofChartLayer is one series of a chart,
 * with its vfuncs: snapshot, lookup_item and snapshot_motion.
 *
 * Unlike Sysprof's, a layer is a plain struct with a class vtable, not a
 * GObject, let alone a GtkWidget:
 *
 *  - As child widgets, each layer would be snapshotted by GTK on its own
 *    and its nodes kept in its own render node, while the timeline keeps
 *    every static layer in one cached node (reused while the view, the
 *    selection and the trace stay as they are) with the hover on top, and
 *    draws the same layers into an image for export. Children would also
 *    bring an allocation, picking and CSS nodes that nothing here uses:
 *    every layer draws in the one coordinate space of the widget.
 *  - Layers are internal and fixed: the container makes them once and
 *    nothing outside widgets/timeline/ sees them. They have no properties,
 *    no signals and no list models, which is where STYLE.md draws the
 *    line for a GObject.
 *  - A frame calls each vfunc once per layer, through a const class: no
 *    type checks, no allocation, and a layer's state (the overview's
 *    raster, the thread lane's column buffer, the legend's measured
 *    labels) is plain fields of its own struct.
 *
 * A layer reads only the CoroTimelineFrame it is given; the container
 * owns the layers and frees them with the widget.
 */

#pragma once

#include "coro-timeline-private.h"

G_BEGIN_DECLS

typedef enum
{
  CORO_TIMELINE_CHANGE_DATA  = 1 << 0,   /* another trace, or a live one ended: drop what was drawn from it */
  CORO_TIMELINE_CHANGE_STYLE = 1 << 1,   /* the font or the colours */
} CoroTimelineChange;

typedef struct
{
  const char *name;
  gsize       instance_size;

  /* frees what the layer holds, not the layer */
  void      (*finalize)        (CoroTimelineLayer       *layer);
  void      (*invalidate)      (CoroTimelineLayer       *layer,
                                CoroTimelineChange       changes);
  /* the static part, cached by the container between frames */
  void      (*snapshot)        (CoroTimelineLayer       *layer,
                                GtkSnapshot             *snapshot,
                                const CoroTimelineFrame *frame);
  /* what is at @x, @y; FALSE when the point is not this layer's */
  gboolean  (*lookup_item)     (CoroTimelineLayer       *layer,
                                const CoroTimelineFrame *frame,
                                double                   x,
                                double                   y,
                                CoroTimelineItem        *item);
  /* the hover, drawn over the cached part while the pointer is inside */
  void      (*snapshot_motion) (CoroTimelineLayer       *layer,
                                GtkSnapshot             *snapshot,
                                const CoroTimelineFrame *frame,
                                double                   x,
                                double                   y);
} CoroTimelineLayerClass;

struct _CoroTimelineLayer
{
  const CoroTimelineLayerClass *klass;
};

CoroTimelineLayer *coro_timeline_layer_new             (const CoroTimelineLayerClass *klass);
void               coro_timeline_layer_free            (CoroTimelineLayer            *layer);
void               coro_timeline_layer_invalidate      (CoroTimelineLayer            *layer,
                                                        CoroTimelineChange            changes);
void               coro_timeline_layer_snapshot        (CoroTimelineLayer            *layer,
                                                        GtkSnapshot                  *snapshot,
                                                        const CoroTimelineFrame      *frame);
gboolean           coro_timeline_layer_lookup_item     (CoroTimelineLayer            *layer,
                                                        const CoroTimelineFrame      *frame,
                                                        double                        x,
                                                        double                        y,
                                                        CoroTimelineItem             *item);
void               coro_timeline_layer_snapshot_motion (CoroTimelineLayer            *layer,
                                                        GtkSnapshot                  *snapshot,
                                                        const CoroTimelineFrame      *frame,
                                                        double                        x,
                                                        double                        y);

void               coro_timeline_frame_append_text     (const CoroTimelineFrame      *frame,
                                                        GtkSnapshot                  *snapshot,
                                                        const char                   *text,
                                                        double                        x,
                                                        double                        y,
                                                        int                           max_width,
                                                        const GdkRGBA                *color);
int                coro_timeline_frame_text_height     (const CoroTimelineFrame      *frame);

G_END_DECLS
