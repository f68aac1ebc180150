/* coro-overview-layer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The overview strip: the whole trace at one pixel column per slice, how
 * many tasks were in flight and how much of the thread they held, the
 * loop-blocked spans under them, and the view's window over it all. The
 * bars are a raster built once per width (at most every 250 ms while a
 * run is live) and reused by every frame in between.
 */

#define G_LOG_DOMAIN "coro-timeline"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "coro-overview-layer.h"

typedef struct
{
  CoroTimelineLayer  parent_instance;

  GskRenderNode     *overview;
  int                overview_width;
  guint              overview_n_indexed;
  gint64             overview_built_usec;
  gboolean           overview_dark;
} CoroOverviewLayer;

/* cairo's ARGB32 and GDK_MEMORY_DEFAULT: premultiplied, a native-endian
 * 32-bit word per pixel */
static guint32
premultiplied_pixel (const GdkRGBA *color,
                     float          alpha)
{
  float a = color->alpha * alpha;

  return (guint32) lroundf (a * 255) << 24
       | (guint32) lroundf (color->red * a * 255) << 16
       | (guint32) lroundf (color->green * a * 255) << 8
       | (guint32) lroundf (color->blue * a * 255);
}

/* @top over @bottom, both premultiplied */
static guint32
pixel_over (guint32 top,
            guint32 bottom)
{
  guint32 keep = 255 - (top >> 24);
  guint32 result = 0;

  for (int shift = 0; shift < 32; shift += 8)
    result |= (((top >> shift) & 0xff) + (((bottom >> shift) & 0xff) * keep + 127) / 255) << shift;

  return result;
}

static void
build_overview (CoroOverviewLayer       *self,
                const CoroTimelineFrame *frame)
{
  const CoroTimelineLayout *layout = &frame->layout;
  const CoroPalette *palette = frame->palette;
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GBytes) bytes = NULL;
  int columns = MAX (1, (int) layout->time_w);
  int scale = frame->scale_factor;
  int width = columns * scale, height = OVERVIEW_HEIGHT * scale;
  g_autofree double *busy = g_new0 (double, columns);
  g_autofree guint *alive = g_new0 (guint, columns);
  g_autofree gboolean *blocked = g_new0 (gboolean, columns);
  guint32 *pixels = g_new (guint32, (gsize) width * height);
  guint32 in_flight_pixel, busy_pixel, blocked_pixel;
  guint max_alive = 1;
  double first = frame->first_ns, last = frame->last_ns, ns_per_col;
  const CoroIndexBlock *blocks = NULL;
  guint n_blocks = 0;

  g_clear_pointer (&self->overview, gsk_render_node_unref);
  ns_per_col = (last - first) / columns;

  /* per column, the time the thread was held by a task and how many
   * tasks were in flight: from the index's running histogram, whatever
   * the size of the run (a pass over its segments took 10 ms at 1 M
   * events, at every resize and live refresh) */
  if (frame->index != NULL)
    {
      coro_trace_index_sample_activity (frame->index, first, ns_per_col, columns, busy, alive);
      blocks = coro_trace_index_get_blocks (frame->index, &n_blocks);
    }
  for (int c = 0; c < columns; c++)
    max_alive = MAX (max_alive, alive[c]);
  for (guint i = 0; i < n_blocks; i++)
    {
      double x0 = (blocks[i].start_ns - first) / ns_per_col;
      double x1 = MAX (x0 + 2, (blocks[i].end_ns - first) / ns_per_col);

      for (int c = MAX (0, (int) floor (x0)); c < MIN (columns, (int) ceil (x1)); c++)
        blocked[c] = TRUE;
    }

  /* Written straight into pixels, once per width or live refresh: bars
   * one column wide need no rasteriser (cairo took 3 ms here, and as a
   * cairo node its 3,000 rectangles were replayed at every frame). From
   * the bottom: a 4-pixel band marking loop-blocked spans, then the
   * tasks in flight (light) with the thread's busy share over them. */
  in_flight_pixel = premultiplied_pixel (coro_palette_get_color (palette, CORO_PALETTE_AWAIT_IO), 0.8f);
  busy_pixel = premultiplied_pixel (coro_palette_get_color (palette, CORO_PALETTE_OVERVIEW), 1.0f);
  blocked_pixel = premultiplied_pixel (coro_palette_get_color (palette, CORO_PALETTE_BLOCKED), 1.0f);
  for (int c = 0; c < columns; c++)
    {
      double fraction = CLAMP (busy[c] / ns_per_col, 0, 1);
      /* bar tops, in rows from the top; OVERVIEW_HEIGHT - 4: no bar */
      int alive_top = OVERVIEW_HEIGHT - 4, busy_top = OVERVIEW_HEIGHT - 4;

      if (alive[c] > 0)
        alive_top -= MAX (1, (int) round ((double) alive[c] / max_alive * (OVERVIEW_HEIGHT - 8)));
      if (fraction > 0)
        busy_top -= MAX (1, (int) round (fraction * (OVERVIEW_HEIGHT - 8)));

      for (int y = 0; y < height; y++)
        {
          int row = y / scale;
          guint32 pixel = 0;

          if (row >= OVERVIEW_HEIGHT - 4)
            pixel = blocked[c] ? blocked_pixel : 0;
          else
            {
              if (row >= alive_top)
                pixel = in_flight_pixel;
              if (row >= busy_top)
                pixel = pixel_over (busy_pixel, pixel);
            }
          for (int x = c * scale; x < (c + 1) * scale; x++)
            pixels[(gsize) y * width + x] = pixel;
        }
    }

  bytes = g_bytes_new_take (pixels, (gsize) width * height * sizeof (guint32));
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_DEFAULT, bytes, width * sizeof (guint32));
  gtk_snapshot_append_texture (snapshot, texture, &GRAPHENE_RECT_INIT (layout->time_x, 0, columns, OVERVIEW_HEIGHT));

  self->overview = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  self->overview_width = layout->width;
  self->overview_n_indexed = frame->n_indexed;
  self->overview_built_usec = g_get_monotonic_time ();
  self->overview_dark = frame->dark;
}

static void
coro_overview_layer_snapshot (CoroTimelineLayer       *layer,
                              GtkSnapshot             *snapshot,
                              const CoroTimelineFrame *frame)
{
  CoroOverviewLayer *self = (CoroOverviewLayer *) layer;
  const CoroTimelineLayout *layout = &frame->layout;
  const CoroPalette *palette = frame->palette;
  double first = frame->first_ns, last = frame->last_ns, x0, x1;
  gboolean stale;

  stale = self->overview == NULL
       || self->overview_width != layout->width
       || self->overview_dark != frame->dark
       || (self->overview_n_indexed != frame->n_indexed
           && (!frame->live || frame->exporting
               || g_get_monotonic_time () - self->overview_built_usec > 250 * 1000));
  if (stale)
    build_overview (self, frame);

  coro_timeline_frame_append_text (frame, snapshot, _("Overview"), 8, 8, LABEL_WIDTH - 12,
                                   coro_palette_get_color (palette, CORO_PALETTE_TEXT_DIM));
  if (self->overview != NULL)
    gtk_snapshot_append_node (snapshot, self->overview);

  x0 = layout->time_x + (frame->view_start - first) / (last - first) * layout->time_w;
  x1 = layout->time_x + (frame->view_end - first) / (last - first) * layout->time_w;
  x0 = CLAMP (x0, layout->time_x, layout->time_x + layout->time_w);
  x1 = CLAMP (x1, layout->time_x, layout->time_x + layout->time_w);
  if (x1 - x0 < 3)
    x1 = x0 + 3;

  gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_WINDOW),
                             &GRAPHENE_RECT_INIT (x0, 2, x1 - x0, OVERVIEW_HEIGHT - 4));
  gtk_snapshot_append_color (snapshot, coro_palette_get_color (palette, CORO_PALETTE_GRID),
                             &GRAPHENE_RECT_INIT (0, OVERVIEW_HEIGHT - 1, layout->width, 1));
}

static void
coro_overview_layer_invalidate (CoroTimelineLayer  *layer,
                                CoroTimelineChange  changes)
{
  CoroOverviewLayer *self = (CoroOverviewLayer *) layer;

  /* the raster holds both the trace and the colours */
  g_clear_pointer (&self->overview, gsk_render_node_unref);
}

static void
coro_overview_layer_finalize (CoroTimelineLayer *layer)
{
  CoroOverviewLayer *self = (CoroOverviewLayer *) layer;

  g_clear_pointer (&self->overview, gsk_render_node_unref);
}

static const CoroTimelineLayerClass coro_overview_layer_class = {
  .name = "overview",
  .instance_size = sizeof (CoroOverviewLayer),
  .finalize = coro_overview_layer_finalize,
  .invalidate = coro_overview_layer_invalidate,
  .snapshot = coro_overview_layer_snapshot,
};

CoroTimelineLayer *
coro_overview_layer_new (void)
{
  return coro_timeline_layer_new (&coro_overview_layer_class);
}
