/* coro-timeline-layer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The layer base (see coro-timeline-layer.h for why it is not a GObject)
 * and the text drawing every layer shares.
 */

#define G_LOG_DOMAIN "coro-timeline"

#include "config.h"

#include "coro-timeline-layer.h"

/**
 * coro_timeline_layer_new:
 * @klass: the layer's class, static
 *
 * Returns: (transfer full): a zeroed layer of @klass->instance_size bytes
 */
CoroTimelineLayer *
coro_timeline_layer_new (const CoroTimelineLayerClass *klass)
{
  CoroTimelineLayer *layer;

  g_assert (klass != NULL);
  g_assert (klass->instance_size >= sizeof (CoroTimelineLayer));

  layer = g_malloc0 (klass->instance_size);
  layer->klass = klass;

  return layer;
}

void
coro_timeline_layer_free (CoroTimelineLayer *layer)
{
  if (layer == NULL)
    return;

  if (layer->klass->finalize != NULL)
    layer->klass->finalize (layer);
  g_free (layer);
}

void
coro_timeline_layer_invalidate (CoroTimelineLayer  *layer,
                                CoroTimelineChange  changes)
{
  g_assert (layer != NULL);

  if (layer->klass->invalidate != NULL)
    layer->klass->invalidate (layer, changes);
}

void
coro_timeline_layer_snapshot (CoroTimelineLayer       *layer,
                              GtkSnapshot             *snapshot,
                              const CoroTimelineFrame *frame)
{
  g_assert (layer != NULL);

  if (layer->klass->snapshot != NULL)
    layer->klass->snapshot (layer, snapshot, frame);
}

/**
 * coro_timeline_layer_lookup_item:
 * @item: (out caller-allocates): what is at @x, @y, when found
 *
 * Returns: whether the layer has something at @x, @y
 */
gboolean
coro_timeline_layer_lookup_item (CoroTimelineLayer       *layer,
                                 const CoroTimelineFrame *frame,
                                 double                   x,
                                 double                   y,
                                 CoroTimelineItem        *item)
{
  g_assert (layer != NULL);
  g_assert (item != NULL);

  if (layer->klass->lookup_item != NULL)
    return layer->klass->lookup_item (layer, frame, x, y, item);

  return FALSE;
}

void
coro_timeline_layer_snapshot_motion (CoroTimelineLayer       *layer,
                                     GtkSnapshot             *snapshot,
                                     const CoroTimelineFrame *frame,
                                     double                   x,
                                     double                   y)
{
  g_assert (layer != NULL);

  if (layer->klass->snapshot_motion != NULL)
    layer->klass->snapshot_motion (layer, snapshot, frame, x, y);
}

/* @max_width: px, or -1 for no limit (the layout ellipsizes at the end) */
void
coro_timeline_frame_append_text (const CoroTimelineFrame *frame,
                                 GtkSnapshot             *snapshot,
                                 const char              *text,
                                 double                   x,
                                 double                   y,
                                 int                      max_width,
                                 const GdkRGBA           *color)
{
  pango_layout_set_text (frame->text, text, -1);
  pango_layout_set_width (frame->text, max_width > 0 ? max_width * PANGO_SCALE : -1);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, frame->text, color);
  gtk_snapshot_restore (snapshot);
}

int
coro_timeline_frame_text_height (const CoroTimelineFrame *frame)
{
  int h;

  pango_layout_set_text (frame->text, "Ag", -1);
  pango_layout_get_pixel_size (frame->text, NULL, &h);

  return h;
}
