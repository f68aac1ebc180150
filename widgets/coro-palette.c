/* coro-palette.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The timeline's colours, in one place so a new state or await reason
 * gets its colour here (STYLE.md, "Where does X go"). Two tables, light
 * and dark: the dark one keeps the same hues, lifted so they hold their
 * contrast against a dark background.
 */

#define G_LOG_DOMAIN "coro-palette"

#include "config.h"

#include <glib/gi18n.h>

#include "coro-palette.h"
#include "coroscope-runtime.h"
#include "coroscope-trace.h"

struct _CoroPalette
{
  GdkRGBA colors[CORO_PALETTE_N_ROLES];
  GdkRGBA tasks[8];
};

#define RGB(r, g, b) { (r) / 255.f, (g) / 255.f, (b) / 255.f, 1.f }
#define RGBA(r, g, b, a) { (r) / 255.f, (g) / 255.f, (b) / 255.f, (a) }

static const CoroPalette light_palette = {
  .colors = {
    [CORO_PALETTE_RUNNING]     = RGB (0x00, 0x72, 0xb2),  /* Okabe–Ito blue */
    [CORO_PALETTE_READY]       = RGB (0xe6, 0x9f, 0x00),  /* orange */
    [CORO_PALETTE_AWAIT_IO]    = RGB (0x9c, 0xd2, 0xf0),  /* sky blue, lightened */
    [CORO_PALETTE_AWAIT_TIMER] = RGB (0xf0, 0xe4, 0x42),  /* yellow */
    [CORO_PALETTE_AWAIT_TASK]  = RGB (0xe3, 0xb3, 0xcf),  /* reddish purple, lightened */
    [CORO_PALETTE_AWAIT_SLOT]  = RGB (0xd4, 0xd4, 0xd4),  /* grey */
    [CORO_PALETTE_DONE]        = RGB (0x00, 0x9e, 0x73),  /* bluish green */
    [CORO_PALETTE_FAILED]      = RGB (0xd5, 0x5e, 0x00),  /* vermillion */
    [CORO_PALETTE_CANCELLED]   = RGB (0x60, 0x60, 0x60),
    [CORO_PALETTE_BLOCKED]     = RGBA (0xd5, 0x00, 0x00, 0.85),
    [CORO_PALETTE_SELECTION]   = RGBA (0x1c, 0x71, 0xd8, 0.18),
    [CORO_PALETTE_GRID]        = RGBA (0x00, 0x00, 0x00, 0.10),
    [CORO_PALETTE_LANE_ALT]    = RGBA (0x00, 0x00, 0x00, 0.035),
    [CORO_PALETTE_TEXT]        = RGBA (0x00, 0x00, 0x00, 0.85),
    [CORO_PALETTE_TEXT_DIM]    = RGBA (0x00, 0x00, 0x00, 0.55),
    [CORO_PALETTE_SWITCH]      = RGBA (0x20, 0x20, 0x20, 0.55),
    [CORO_PALETTE_WAKE]        = RGBA (0xcc, 0x79, 0xa7, 0.95),
    [CORO_PALETTE_OVERVIEW]    = RGBA (0x00, 0x72, 0xb2, 0.65),
    [CORO_PALETTE_WINDOW]      = RGBA (0x1c, 0x71, 0xd8, 0.22),
  },
  /* Who holds the thread: eight cool, deep hues (navy to violet, teal)
   * that no state uses, so a stretch of the thread lane is never read as
   * "failed" or "ready"; each task lane's label carries its chip */
  .tasks = {
    RGB (0x23, 0x3f, 0x8f), RGB (0x00, 0x70, 0x7a), RGB (0x7a, 0x3e, 0x9d), RGB (0x3f, 0x6f, 0x9f),
    RGB (0x4b, 0x3c, 0x9e), RGB (0x1b, 0x8a, 0xa6), RGB (0x8e, 0x45, 0x85), RGB (0x5a, 0x67, 0xc7),
  },
};

static const CoroPalette dark_palette = {
  .colors = {
    [CORO_PALETTE_RUNNING]     = RGB (0x3d, 0x9b, 0xe0),
    [CORO_PALETTE_READY]       = RGB (0xf0, 0xb0, 0x20),
    [CORO_PALETTE_AWAIT_IO]    = RGB (0x3a, 0x6e, 0x8c),
    [CORO_PALETTE_AWAIT_TIMER] = RGB (0x9a, 0x90, 0x2a),
    [CORO_PALETTE_AWAIT_TASK]  = RGB (0x8a, 0x55, 0x75),
    [CORO_PALETTE_AWAIT_SLOT]  = RGB (0x50, 0x50, 0x50),
    [CORO_PALETTE_DONE]        = RGB (0x2e, 0xc2, 0x95),
    [CORO_PALETTE_FAILED]      = RGB (0xff, 0x7a, 0x2a),
    [CORO_PALETTE_CANCELLED]   = RGB (0xa0, 0xa0, 0xa0),
    [CORO_PALETTE_BLOCKED]     = RGBA (0xff, 0x40, 0x40, 0.85),
    [CORO_PALETTE_SELECTION]   = RGBA (0x78, 0xae, 0xed, 0.22),
    [CORO_PALETTE_GRID]        = RGBA (0xff, 0xff, 0xff, 0.10),
    [CORO_PALETTE_LANE_ALT]    = RGBA (0xff, 0xff, 0xff, 0.035),
    [CORO_PALETTE_TEXT]        = RGBA (0xff, 0xff, 0xff, 0.90),
    [CORO_PALETTE_TEXT_DIM]    = RGBA (0xff, 0xff, 0xff, 0.55),
    [CORO_PALETTE_SWITCH]      = RGBA (0xe0, 0xe0, 0xe0, 0.55),
    [CORO_PALETTE_WAKE]        = RGBA (0xe8, 0x9c, 0xc8, 0.95),
    [CORO_PALETTE_OVERVIEW]    = RGBA (0x3d, 0x9b, 0xe0, 0.70),
    [CORO_PALETTE_WINDOW]      = RGBA (0x78, 0xae, 0xed, 0.25),
  },
  .tasks = {
    RGB (0x5b, 0x7f, 0xd6), RGB (0x2f, 0xb0, 0xba), RGB (0xb0, 0x7c, 0xd6), RGB (0x7a, 0xa3, 0xd4),
    RGB (0x8a, 0x7b, 0xe0), RGB (0x4f, 0xc3, 0xe0), RGB (0xc7, 0x7d, 0xbf), RGB (0x8f, 0x9b, 0xf0),
  },
};

/**
 * coro_palette_get:
 * @dark: whether the background is dark
 *
 * Returns: (transfer none): the static palette
 */
const CoroPalette *
coro_palette_get (gboolean dark)
{
  return dark ? &dark_palette : &light_palette;
}

const GdkRGBA *
coro_palette_get_color (const CoroPalette *palette,
                        CoroPaletteRole    role)
{
  g_return_val_if_fail (palette != NULL, NULL);
  g_return_val_if_fail (role < CORO_PALETTE_N_ROLES, NULL);

  return &palette->colors[role];
}

/**
 * coro_palette_role_for_state:
 * @state: a #CoroTaskState
 * @reason: the #CoroAwaitReason of an awaiting span
 *
 * Returns: the role that colours a span of @state
 */
CoroPaletteRole
coro_palette_role_for_state (guint state,
                             guint reason)
{
  switch (state)
    {
    case CORO_TASK_STATE_RUNNING:
      return CORO_PALETTE_RUNNING;
    case CORO_TASK_STATE_READY:
      return CORO_PALETTE_READY;
    case CORO_TASK_STATE_DONE:
      return CORO_PALETTE_DONE;
    case CORO_TASK_STATE_FAILED:
      return CORO_PALETTE_FAILED;
    case CORO_TASK_STATE_CANCELLED:
      return CORO_PALETTE_CANCELLED;
    case CORO_TASK_STATE_AWAITING:
    default:
      break;
    }

  switch (reason)
    {
    case CORO_AWAIT_SLEEP:
      return CORO_PALETTE_AWAIT_TIMER;
    case CORO_AWAIT_SLOT:
      return CORO_PALETTE_AWAIT_SLOT;
    case CORO_AWAIT_FUTURE:
    case CORO_AWAIT_TASK:
    case CORO_AWAIT_GATHER:
    case CORO_AWAIT_ANY:
    case CORO_AWAIT_LOCK:
    case CORO_AWAIT_SEMAPHORE:
      return CORO_PALETTE_AWAIT_TASK;
    case CORO_AWAIT_IO:
    case CORO_AWAIT_HTTP_SEND:
    case CORO_AWAIT_HTTP_READ:
    default:
      return CORO_PALETTE_AWAIT_IO;
    }
}

/**
 * coro_palette_get_task_color:
 *
 * The thread lane colours each stretch by the task holding the thread;
 * neighbours in spawn order get different colours.
 *
 * Returns: (transfer none): the colour of @task_id
 */
const GdkRGBA *
coro_palette_get_task_color (const CoroPalette *palette,
                             guint32            task_id)
{
  g_return_val_if_fail (palette != NULL, NULL);

  return &palette->tasks[task_id % G_N_ELEMENTS (palette->tasks)];
}

/**
 * coro_palette_get_n_task_colors:
 *
 * Returns: how many task colours there are: task ids modulo this pick
 *   one (the holder classes the thread lane asks the index for)
 */
guint
coro_palette_get_n_task_colors (const CoroPalette *palette)
{
  g_return_val_if_fail (palette != NULL, 1);

  return G_N_ELEMENTS (palette->tasks);
}

/**
 * coro_palette_state_get_label:
 * @state: a #CoroTaskState
 *
 * Returns: (transfer none): the state's name as the UI shows it, translated
 */
const char *
coro_palette_state_get_label (guint state)
{
  switch (state)
    {
    case CORO_TASK_STATE_READY:
      return _("Ready");
    case CORO_TASK_STATE_RUNNING:
      return _("Running");
    case CORO_TASK_STATE_AWAITING:
      return _("Awaiting");
    case CORO_TASK_STATE_DONE:
      return _("Done");
    case CORO_TASK_STATE_FAILED:
      return _("Failed");
    case CORO_TASK_STATE_CANCELLED:
      return _("Cancelled");
    default:
      return "?";
    }
}

/**
 * coro_palette_role_get_label:
 *
 * Returns: (transfer none) (nullable): the legend's text for @role, %NULL
 *   for roles that are not in the legend
 */
const char *
coro_palette_role_get_label (CoroPaletteRole role)
{
  switch (role)
    {
    case CORO_PALETTE_RUNNING:
      return _("Running");
    case CORO_PALETTE_READY:
      return _("Ready");
    case CORO_PALETTE_AWAIT_IO:
      return _("Awaiting I/O");
    case CORO_PALETTE_AWAIT_TIMER:
      return _("Sleeping");
    case CORO_PALETTE_AWAIT_TASK:
      return _("Awaiting a task");
    case CORO_PALETTE_AWAIT_SLOT:
      return _("Awaiting a slot");
    case CORO_PALETTE_DONE:
      return _("Done");
    case CORO_PALETTE_FAILED:
      return _("Failed");
    case CORO_PALETTE_CANCELLED:
      return _("Cancelled");
    case CORO_PALETTE_BLOCKED:
      return _("Loop blocked");
    case CORO_PALETTE_SELECTION:
    case CORO_PALETTE_GRID:
    case CORO_PALETTE_LANE_ALT:
    case CORO_PALETTE_TEXT:
    case CORO_PALETTE_TEXT_DIM:
    case CORO_PALETTE_SWITCH:
    case CORO_PALETTE_WAKE:
    case CORO_PALETTE_OVERVIEW:
    case CORO_PALETTE_WINDOW:
    case CORO_PALETTE_N_ROLES:
    default:
      return NULL;
    }
}

/**
 * coro_palette_widget_is_dark:
 *
 * Decides by the style's foreground colour rather than by the
 * gtk-application-prefer-dark-theme setting alone: a dark theme (or a
 * high-contrast one) may be chosen without the setting.
 *
 * Returns: whether @widget draws light text on a dark background
 */
gboolean
coro_palette_widget_is_dark (GtkWidget *widget)
{
  GtkStyleContext *context;
  GdkRGBA fg;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);

  /* not in a window (drawing an image from the command line): the style
   * has no theme to inherit, only the setting says */
  if (gtk_widget_get_root (widget) == NULL)
    {
      gboolean prefer_dark = FALSE;
      g_autofree char *theme = NULL;

      g_object_get (gtk_widget_get_settings (widget),
                    "gtk-application-prefer-dark-theme", &prefer_dark,
                    "gtk-theme-name", &theme,
                    NULL);
      return prefer_dark || (theme != NULL && g_str_has_suffix (theme, "-dark"));
    }

  context = gtk_widget_get_style_context (widget);
  gtk_style_context_get_color (context, &fg);

  return 0.2126 * fg.red + 0.7152 * fg.green + 0.0722 * fg.blue > 0.5;
}
