/* coro-timeline-export.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The timeline as an image: the same layers as on screen drawn at another
 * size, without the hover and the scroll bar, into a PNG or an SVG.
 */

#define G_LOG_DOMAIN "coro-timeline"

#include "config.h"

#include <glib/gi18n.h>
#include <cairo-svg.h>

#include "coro-timeline-private.h"

/**
 * coro_timeline_render:
 * @width: the image's width
 * @height: the image's height
 *
 * Draws the timeline at another size with the same code as on screen,
 * the same time range and lanes from the same scroll position, without
 * the hover and the scroll bar: what Export Image and `--render` write.
 *
 * Returns: (transfer full) (nullable): the render node
 */
GskRenderNode *
coro_timeline_render (CoroTimeline *self,
                      int           width,
                      int           height)
{
  g_autoptr(GtkSnapshot) snapshot = NULL;
  CoroTimelineLayout layout;
  CoroTimelineFrame frame;

  g_return_val_if_fail (CORO_IS_TIMELINE (self), NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  if (self->index != NULL)
    {
      /* an image of the whole run as recorded so far */
      coro_session_update_all (self->session);
      self->n_indexed = coro_trace_index_get_n_indexed (self->index);
      self->n_tasks = coro_trace_index_get_n_tasks (self->index);
    }

  self->dark = coro_palette_widget_is_dark (GTK_WIDGET (self));
  _coro_timeline_compute_layout (self, width, height, 0, &layout);
  /* tall enough for every lane (the whole run): from the first lane,
   * wherever the window is scrolled */
  if (height >= coro_timeline_get_whole_height (self, width))
    layout.scroll = 0;
  if (self->fit)
    _coro_timeline_apply_auto_view (self);
  _coro_timeline_get_frame (self, &layout, TRUE, &frame);

  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_color (snapshot,
                             self->dark ? &(GdkRGBA) { 0.14, 0.14, 0.14, 1 } : &(GdkRGBA) { 1, 1, 1, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));

  /* the overview's raster is rebuilt when the width differs from the
   * last one drawn (its layer checks), and kept when it is the same */
  _coro_timeline_snapshot_layers (self, snapshot, &frame);

  return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

/**
 * coro_timeline_get_whole_height:
 * @width: the width it would be drawn at (the legend wraps by it)
 *
 * Returns: the height that shows every lane, from the overview to the
 *   legend: an image of the whole run
 */
int
coro_timeline_get_whole_height (CoroTimeline *self,
                                int           width)
{
  CoroTimelineLayout layout;
  guint n_tasks;

  g_return_val_if_fail (CORO_IS_TIMELINE (self), 0);
  g_return_val_if_fail (width > 0, 0);

  n_tasks = self->index != NULL ? coro_trace_index_get_n_tasks (self->index) : 0;
  /* the layout at height 0 puts the legend's rows above the top */
  _coro_timeline_compute_layout (self, width, 0, 0, &layout);

  return layout.tasks_y + (int) n_tasks * TASK_LANE_HEIGHT - layout.legend_y;
}

typedef struct
{
  GOutputStream *stream;
  GError        *error;
} WriteClosure;

static cairo_status_t
write_cb (void                *closure,
          const unsigned char *data,
          unsigned int         length)
{
  WriteClosure *write = closure;

  if (write->error != NULL)
    return CAIRO_STATUS_WRITE_ERROR;

  if (!g_output_stream_write_all (write->stream, data, length, NULL, NULL, &write->error))
    return CAIRO_STATUS_WRITE_ERROR;

  return CAIRO_STATUS_SUCCESS;
}

/* cairo 1.16's SVG backend attaches a snapshot of each recording surface
 * it draws from to that surface, and the snapshot keeps the SVG document
 * that holds the recording: GSK's cairo nodes then never go (seen with
 * LeakSanitizer). Finishing their surfaces once the SVG is written breaks
 * the cycle; the nodes are ours alone, made for this export. */
static void
finish_cairo_surfaces (GskRenderNode *node)
{
  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_CAIRO_NODE:
      if (gsk_cairo_node_get_surface (node) != NULL)
        cairo_surface_finish (gsk_cairo_node_get_surface (node));
      break;
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        finish_cairo_surfaces (gsk_container_node_get_child (node, i));
      break;
    case GSK_CLIP_NODE:
      finish_cairo_surfaces (gsk_clip_node_get_child (node));
      break;
    case GSK_TRANSFORM_NODE:
      finish_cairo_surfaces (gsk_transform_node_get_child (node));
      break;
    default:
      break;
    }
}

/**
 * coro_timeline_export_image:
 * @file: a `.svg` file gets SVG, anything else PNG
 * @width: the image's width in pixels
 * @height: the image's height in pixels
 *
 * Draws coro_timeline_render()'s node into a cairo surface (not a screen
 * grab) and writes it. The file is replaced only once it is complete: on
 * any failure the previous file stays as it was.
 *
 * Returns: %TRUE when written; %FALSE with @error set
 */
gboolean
coro_timeline_export_image (CoroTimeline  *self,
                            GFile         *file,
                            int            width,
                            int            height,
                            GError       **error)
{
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GCancellable) discard = NULL;
  g_autofree char *basename = NULL;
  WriteClosure write = { NULL, NULL };
  cairo_surface_t *surface;
  cairo_status_t status;
  gboolean svg;
  cairo_t *cr;

  g_return_val_if_fail (CORO_IS_TIMELINE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (width <= 0 || height <= 0 || width > 32768 || height > 32768)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%d×%d is not a size an image can have"), width, height);
      return FALSE;
    }

  basename = g_file_get_basename (file);
  svg = basename != NULL && g_str_has_suffix (basename, ".svg");

  node = coro_timeline_render (self, width, height);

  /* replace: the data goes to a temporary file renamed over the old one
   * on a successful close */
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (stream == NULL)
    return FALSE;
  write.stream = G_OUTPUT_STREAM (stream);

  if (svg)
    surface = cairo_svg_surface_create_for_stream (write_cb, &write, width, height);
  else
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);

  cr = cairo_create (surface);
  if (node != NULL)
    gsk_render_node_draw (node, cr);
  cairo_destroy (cr);

  if (svg)
    cairo_surface_finish (surface);
  else
    cairo_surface_write_to_png_stream (surface, write_cb, &write);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (svg && node != NULL)
    finish_cairo_surfaces (node);

  if (write.error == NULL && status != CAIRO_STATUS_SUCCESS)
    g_set_error (&write.error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", cairo_status_to_string (status));

  if (write.error != NULL)
    {
      /* a cancelled close drops the temporary file */
      discard = g_cancellable_new ();
      g_cancellable_cancel (discard);
      g_output_stream_close (G_OUTPUT_STREAM (stream), discard, NULL);
      g_propagate_error (error, write.error);
      return FALSE;
    }

  return g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
}
