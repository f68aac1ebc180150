/* coro-task-list.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The task table: a GtkColumnView over
 *   GListStore (one CoroTaskItem per task)
 *   → GtkFilterListModel (the search entry)
 *   → GtkSortListModel (bound to the view's sorter)
 *   → GtkSingleSelection.
 * A tick callback reads the index at most five times a second: new tasks
 * are appended with one items-changed, changed rows notify their
 * "revision" once, and the sort is redone in place, which keeps the
 * selection and the scroll position.
 */

#define G_LOG_DOMAIN "coro-task-list"

#include "config.h"

#include <glib/gi18n.h>

#include "coro-task-item.h"
#include "coro-task-list.h"

/* The scheduler runs below GTK's redraw, so the list's work is taken from
 * the run: refreshed every 300 ms, re-sorted at most once a second and
 * only when the user sorted, a refresh of the 1,000-task fan-out demo
 * costs 2-16 ms (under Xvfb, cairo renderer). */
#define REFRESH_INTERVAL_USEC (300 * 1000)
#define RESORT_INTERVAL_USEC  (1000 * 1000)

struct _CoroTaskList
{
  GtkWidget           parent_instance;

  CoroTraceIndex     *index;       /* the session's, or one set directly */
  CoroSession        *session;     /* updates the index; never NULL */
  GBinding           *bindings[3]; /* index, live, selected-task, from a window's session */
  gboolean            owns_session;
  GListStore         *items;
  GtkFilterListModel *filter_model;
  GtkSortListModel   *sort_model;
  GtkSingleSelection *selection;
  GtkCustomFilter    *filter;
  char               *search_casefold;

  GtkWidget          *search_entry;
  GtkWidget          *no_matches;  /* over the list when the search hides every row */
  GtkWidget          *scroller;
  GtkWidget          *column_view;
  GtkColumnViewColumn *columns[CORO_TASK_ITEM_N_FIELDS];

  guint               selected_task;
  guint               tick_id;
  guint               n_indexed;
  gint64              last_refresh_usec;
  gint64              last_resort_usec;
  guint               sorted : 1;
  guint               live : 1;
  guint               dirty : 1;
  guint               syncing : 1;

  GSettings          *settings;
};

G_DEFINE_FINAL_TYPE (CoroTaskList, coro_task_list, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_INDEX,
  PROP_SELECTED_TASK,
  PROP_LIVE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SEARCH_STOPPED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* widths in pixels, so the figures line up and the task's name keeps
 * the room that is left; all columns can be resized */
static const struct {
  const char *title;
  int         width;
  gboolean    numeric;
} column_info[CORO_TASK_ITEM_N_FIELDS] = {
  [CORO_TASK_ITEM_LABEL]    = { N_("Task"), 220, FALSE },
  [CORO_TASK_ITEM_STATE]    = { N_("State"), 80, FALSE },
  [CORO_TASK_ITEM_STATUS]   = { N_("HTTP"), 52, TRUE },
  [CORO_TASK_ITEM_BYTES]    = { N_("Bytes"), 76, TRUE },
  [CORO_TASK_ITEM_TOTAL]    = { N_("Total"), 82, TRUE },
  [CORO_TASK_ITEM_RUNNING]  = { N_("Running"), 82, TRUE },
  [CORO_TASK_ITEM_AWAITING] = { N_("Awaiting"), 82, TRUE },
  [CORO_TASK_ITEM_READY]    = { N_("Ready"), 82, TRUE },
  [CORO_TASK_ITEM_SWITCHES] = { N_("Switches"), 72, TRUE },
  [CORO_TASK_ITEM_ERROR]    = { N_("Error"), 200, FALSE },
};

/* Stable names of the columns in the settings (titles are translated) */
static const char * const column_keys[CORO_TASK_ITEM_N_FIELDS] = {
  [CORO_TASK_ITEM_LABEL]    = "task",
  [CORO_TASK_ITEM_STATE]    = "state",
  [CORO_TASK_ITEM_STATUS]   = "http",
  [CORO_TASK_ITEM_BYTES]    = "bytes",
  [CORO_TASK_ITEM_TOTAL]    = "total",
  [CORO_TASK_ITEM_RUNNING]  = "running",
  [CORO_TASK_ITEM_AWAITING] = "awaiting",
  [CORO_TASK_ITEM_READY]    = "ready",
  [CORO_TASK_ITEM_SWITCHES] = "switches",
  [CORO_TASK_ITEM_ERROR]    = "error",
};

static void
cell_update (GtkListItem *list_item)
{
  GtkWidget *cell = gtk_list_item_get_child (list_item);
  CoroTaskItem *item = gtk_list_item_get_item (list_item);
  CoroTaskItemField field = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (cell), "field"));
  g_autofree char *text = NULL;

  if (item == NULL)
    return;

  /* Only what changed: a new CSS class restyles the cell and a tooltip
   * is more work than the text itself. Measured on the fan-out demo, a
   * refresh of 1,000 rows went from 80 ms to a few once unchanged
   * classes and tooltips were left alone. */
  text = coro_task_item_format (item, field);
  if (g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (cell)), text) == 0)
    return;
  gtk_inscription_set_text (GTK_INSCRIPTION (cell), text);

  if (field == CORO_TASK_ITEM_LABEL || field == CORO_TASK_ITEM_ERROR)
    gtk_widget_set_tooltip_text (cell, field == CORO_TASK_ITEM_LABEL ? coro_task_item_get_label (item) : text);

  if (field == CORO_TASK_ITEM_STATE)
    {
      guint state = coro_task_item_get_state (item);
      const char *css_class = state == CORO_TASK_STATE_FAILED ? "error"
                            : state == CORO_TASK_STATE_DONE ? "success"
                            : state == CORO_TASK_STATE_CANCELLED ? "dim-label"
                            : "state";

      if (!gtk_widget_has_css_class (cell, css_class))
        gtk_widget_set_css_classes (cell, (const char *[]) { css_class, NULL });
    }
}

static void
item_revision_cb (CoroTaskItem *item,
                  GParamSpec   *pspec,
                  GtkListItem  *list_item)
{
  cell_update (list_item);
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  CoroTaskItemField field = GPOINTER_TO_UINT (user_data);
  GtkWidget *cell = gtk_inscription_new (NULL);

  gtk_inscription_set_min_chars (GTK_INSCRIPTION (cell), 2);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (cell), 4);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  if (column_info[field].numeric)
    {
      gtk_inscription_set_xalign (GTK_INSCRIPTION (cell), 1.0);
      gtk_widget_add_css_class (cell, "numeric");
    }
  g_object_set_data (G_OBJECT (cell), "field", user_data);
  gtk_list_item_set_child (list_item, cell);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         gpointer                  user_data)
{
  CoroTaskItem *item = gtk_list_item_get_item (list_item);

  cell_update (list_item);
  g_signal_connect_object (item, "notify::revision", G_CALLBACK (item_revision_cb), list_item, 0);
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           gpointer                  user_data)
{
  CoroTaskItem *item = gtk_list_item_get_item (list_item);

  if (item != NULL)
    g_signal_handlers_disconnect_by_func (item, item_revision_cb, list_item);
}

#if !GTK_CHECK_VERSION (4, 10, 0)
/* Set while sort_probe() asks the view's sorter which column it sorts by
 * (GTK 4.8 has no API for it): the column sorters then report their field
 * instead of comparing. Widgets live on the main thread only. */
static int probe_field = -1;
static gboolean probing;
#endif

static int
compare_cb (gconstpointer a,
            gconstpointer b,
            gpointer      user_data)
{
#if !GTK_CHECK_VERSION (4, 10, 0)
  if (G_UNLIKELY (probing))
    {
      probe_field = GPOINTER_TO_INT (user_data);
      return GTK_ORDERING_SMALLER;
    }
#endif
  return coro_task_item_compare ((CoroTaskItem *) a, (CoroTaskItem *) b, GPOINTER_TO_UINT (user_data));
}

static gboolean
filter_cb (gpointer object,
           gpointer user_data)
{
  CoroTaskList *self = user_data;
  CoroTaskItem *item = object;
  g_autofree char *label = NULL;

  if (self->search_casefold == NULL || self->search_casefold[0] == '\0')
    return TRUE;

  label = g_utf8_casefold (coro_task_item_get_label (item) != NULL ? coro_task_item_get_label (item) : "", -1);
  return strstr (label, self->search_casefold) != NULL;
}

static void
view_sorter_changed_cb (CoroTaskList *self,
                        int           change,
                        GtkSorter    *sorter)
{
  /* a click on a header (clicks cycle between ascending and descending,
   * so once sorted the rows stay sorted) */
  if (!self->syncing)
    self->sorted = TRUE;
}

static void
search_changed_cb (CoroTaskList   *self,
                   GtkSearchEntry *entry)
{
  coro_task_list_set_search (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

/* An empty list after a search says why, instead of looking like a run
 * with no tasks */
static void
update_no_matches (CoroTaskList *self)
{
  gboolean searching = self->search_casefold != NULL && self->search_casefold[0] != '\0';
  gboolean none_shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)) == 0;
  gboolean some_hidden = g_list_model_get_n_items (G_LIST_MODEL (self->items)) > 0;

  if (searching && none_shown && some_hidden)
    {
      g_autofree char *text = NULL;

      /* Translators: the search text the user typed */
      text = g_strdup_printf (_("No task matches “%s”"),
                              gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
      gtk_label_set_text (GTK_LABEL (self->no_matches), text);
    }
  gtk_widget_set_visible (self->no_matches, searching && none_shown && some_hidden);
}

static void
filter_items_changed_cb (CoroTaskList *self)
{
  update_no_matches (self);
}

/* Escape in the search entry: the search is over, the keys go back to
 * the views (the timeline's single-key shortcuts) */
static void
stop_search_cb (CoroTaskList   *self,
                GtkSearchEntry *entry)
{
  coro_task_list_set_search (self, NULL);
  g_signal_emit (self, signals[SEARCH_STOPPED], 0);
}

static void
selection_changed_cb (CoroTaskList       *self,
                      GParamSpec         *pspec,
                      GtkSingleSelection *selection)
{
  CoroTaskItem *item = gtk_single_selection_get_selected_item (selection);
  guint task_id;

  if (self->syncing)
    return;

  /* a filter that hides the selected row leaves the selection alone */
  if (item == NULL)
    return;

  task_id = coro_task_item_get_id (item);
  if (task_id == self->selected_task)
    return;

  self->selected_task = task_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_TASK]);
}

static GtkWidget *
find_list_view (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_VIEW (child))
        return child;
    }

  return NULL;
}

static void
scroll_to_position (CoroTaskList *self,
                    guint         position)
{
  GtkWidget *list_view = find_list_view (self->column_view);

  /* GTK 4.8 has no gtk_column_view_scroll_to(); the inner list view's
   * action does the same */
  if (list_view != NULL)
    gtk_widget_activate_action (list_view, "list.scroll-to-item", "u", position);
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *frame_clock,
         gpointer       user_data)
{
  CoroTaskList *self = CORO_TASK_LIST (widget);
  gint64 now = gdk_frame_clock_get_frame_time (frame_clock);

  if (self->index == NULL)
    return G_SOURCE_CONTINUE;

  /* the session read this frame's events before this tick */
  if (coro_trace_index_get_n_indexed (self->index) != self->n_indexed)
    self->dirty = TRUE;

  /* live figures (open spans) move even without new events */
  if (self->live && now - self->last_refresh_usec >= REFRESH_INTERVAL_USEC)
    self->dirty = TRUE;

  if (self->dirty && now - self->last_refresh_usec >= REFRESH_INTERVAL_USEC)
    {
      coro_task_list_refresh (self);
      self->last_refresh_usec = now;
    }

  return G_SOURCE_CONTINUE;
}

/* A tick callback keeps the frame clock running: only while live and
 * shown; otherwise the rows are refreshed when the index is set and when
 * the run ends. */
static void
update_tick (CoroTaskList *self)
{
  gboolean want = (self->live || coro_session_get_indexing (self->session))
                  && self->index != NULL && gtk_widget_get_mapped (GTK_WIDGET (self));

  if (want && self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
  else if (!want && self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
}

/* The session finished reading a trace just opened: every row now */
static void
session_indexing_cb (CoroTaskList *self,
                     GParamSpec   *pspec,
                     CoroSession  *session)
{
  if (!coro_session_get_indexing (session))
    coro_task_list_refresh (self);
  update_tick (self);
}

static void
coro_task_list_map (GtkWidget *widget)
{
  CoroTaskList *self = CORO_TASK_LIST (widget);

  GTK_WIDGET_CLASS (coro_task_list_parent_class)->map (widget);

  coro_session_attach_frame_clock (self->session, gtk_widget_get_frame_clock (widget));
  update_tick (self);
}

static void
coro_task_list_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (coro_task_list_parent_class)->unmap (widget);

  update_tick (CORO_TASK_LIST (widget));
}

static void
coro_task_list_dispose (GObject *object)
{
  CoroTaskList *self = (CoroTaskList *)object;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  for (guint i = 0; i < G_N_ELEMENTS (self->bindings); i++)
    g_clear_pointer (&self->bindings[i], g_binding_unbind);
  if (self->session != NULL && self->owns_session)
    coro_session_attach_frame_clock (self->session, NULL);
  g_clear_object (&self->session);
  g_clear_object (&self->index);
  g_clear_object (&self->selection);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->filter);
  g_clear_object (&self->items);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (coro_task_list_parent_class)->dispose (object);
}

static void
coro_task_list_finalize (GObject *object)
{
  CoroTaskList *self = (CoroTaskList *)object;

  g_clear_pointer (&self->search_casefold, g_free);

  G_OBJECT_CLASS (coro_task_list_parent_class)->finalize (object);
}

static void
coro_task_list_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CoroTaskList *self = CORO_TASK_LIST (object);

  switch (prop_id)
    {
    case PROP_INDEX:
      g_value_set_object (value, self->index);
      break;

    case PROP_SELECTED_TASK:
      g_value_set_uint (value, self->selected_task);
      break;

    case PROP_LIVE:
      g_value_set_boolean (value, self->live);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
coro_task_list_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CoroTaskList *self = CORO_TASK_LIST (object);

  switch (prop_id)
    {
    case PROP_INDEX:
      coro_task_list_set_index (self, g_value_get_object (value));
      break;

    case PROP_SELECTED_TASK:
      coro_task_list_set_selected_task (self, g_value_get_uint (value));
      break;

    case PROP_LIVE:
      coro_task_list_set_live (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
coro_task_list_class_init (CoroTaskListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = coro_task_list_dispose;
  object_class->finalize = coro_task_list_finalize;
  object_class->get_property = coro_task_list_get_property;
  object_class->set_property = coro_task_list_set_property;

  widget_class->map = coro_task_list_map;
  widget_class->unmap = coro_task_list_unmap;

  properties[PROP_INDEX] =
    g_param_spec_object ("index", NULL, NULL,
                         CORO_TYPE_TRACE_INDEX,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SELECTED_TASK] =
    g_param_spec_uint ("selected-task", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_LIVE] =
    g_param_spec_boolean ("live", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CoroTaskList::search-stopped:
   *
   * Escape in the search entry cleared the search: the window gives the
   * keyboard back to the timeline.
   */
  signals[SEARCH_STOPPED] =
    g_signal_new ("search-stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "coro-task-list");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
}

static void
coro_task_list_init (CoroTaskList *self)
{
  GtkSorter *view_sorter;
  GtkWidget *overlay;

  /* shown on its own, the list has a session of its own; a window gives
   * it the window's (coro_task_list_set_session()) */
  self->session = coro_session_new ();
  self->owns_session = TRUE;
  g_signal_connect_object (self->session, "notify::indexing",
                           G_CALLBACK (session_indexing_cb), self, G_CONNECT_SWAPPED);

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);

  self->search_entry = gtk_search_entry_new ();
  g_object_set (self->search_entry,
                "placeholder-text", _("Search tasks by URL or name"),
                "margin-start", 6, "margin-end", 6, "margin-top", 6, "margin-bottom", 6,
                NULL);
  g_signal_connect_object (self->search_entry, "search-changed",
                           G_CALLBACK (search_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_entry, "stop-search",
                           G_CALLBACK (stop_search_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_set_parent (self->search_entry, GTK_WIDGET (self));

  self->items = g_list_store_new (CORO_TYPE_TASK_ITEM);
  self->filter = gtk_custom_filter_new (filter_cb, self, NULL);
  self->filter_model = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->items)),
                                                  g_object_ref (GTK_FILTER (self->filter)));

  self->column_view = gtk_column_view_new (NULL);
  gtk_column_view_set_show_column_separators (GTK_COLUMN_VIEW (self->column_view), TRUE);
  gtk_widget_add_css_class (self->column_view, "data-table");

  for (guint field = 0; field < CORO_TASK_ITEM_N_FIELDS; field++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkColumnViewColumn *column;

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), GUINT_TO_POINTER (field));
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), GUINT_TO_POINTER (field));
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), GUINT_TO_POINTER (field));

      column = gtk_column_view_column_new (g_dgettext (GETTEXT_PACKAGE, column_info[field].title), factory);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_fixed_width (column, column_info[field].width);
      gtk_column_view_column_set_sorter (column,
                                         GTK_SORTER (gtk_custom_sorter_new (compare_cb, GUINT_TO_POINTER (field), NULL)));
      g_object_unref (gtk_column_view_column_get_sorter (column));
      gtk_column_view_append_column (GTK_COLUMN_VIEW (self->column_view), column);
      self->columns[field] = column;
      g_object_unref (column);
    }

  view_sorter = gtk_column_view_get_sorter (GTK_COLUMN_VIEW (self->column_view));
  g_signal_connect_object (view_sorter, "changed", G_CALLBACK (view_sorter_changed_cb), self, G_CONNECT_SWAPPED);
  self->sort_model = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->filter_model)),
                                              g_object_ref (view_sorter));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->sort_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_object (self->selection, "notify::selected",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_column_view_set_model (GTK_COLUMN_VIEW (self->column_view), GTK_SELECTION_MODEL (self->selection));

  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), self->column_view);

  self->no_matches = gtk_label_new (NULL);
  g_object_set (self->no_matches,
                "visible", FALSE, "wrap", TRUE, "justify", GTK_JUSTIFY_CENTER,
                "halign", GTK_ALIGN_CENTER, "valign", GTK_ALIGN_CENTER,
                "margin-start", 12, "margin-end", 12,
                NULL);
  gtk_widget_add_css_class (self->no_matches, "dim-label");
  gtk_widget_add_css_class (self->no_matches, "title-4");
  /* both: rows arriving that the search hides change only the store */
  g_signal_connect_object (self->filter_model, "items-changed",
                           G_CALLBACK (filter_items_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->items, "items-changed",
                           G_CALLBACK (filter_items_changed_cb), self, G_CONNECT_SWAPPED);

  overlay = gtk_overlay_new ();
  gtk_widget_set_vexpand (overlay, TRUE);
  gtk_overlay_set_child (GTK_OVERLAY (overlay), self->scroller);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), self->no_matches);
  gtk_widget_set_parent (overlay, GTK_WIDGET (self));
}

GtkWidget *
coro_task_list_new (void)
{
  return g_object_new (CORO_TYPE_TASK_LIST, NULL);
}

/**
 * coro_task_list_get_index:
 *
 * Returns: (transfer none) (nullable): the index the rows come from
 */
CoroTraceIndex *
coro_task_list_get_index (CoroTaskList *self)
{
  g_return_val_if_fail (CORO_IS_TASK_LIST (self), NULL);

  return self->index;
}

void
coro_task_list_set_index (CoroTaskList   *self,
                          CoroTraceIndex *index)
{
  g_return_if_fail (CORO_IS_TASK_LIST (self));
  g_return_if_fail (index == NULL || CORO_IS_TRACE_INDEX (index));

  if (!g_set_object (&self->index, index))
    return;

  /* shown on its own (tests): our own session reads it */
  if (self->owns_session)
    coro_session_set_index (self->session, index);

  self->syncing = TRUE;
  g_list_store_remove_all (self->items);
  self->syncing = FALSE;
  self->n_indexed = 0;
  self->selected_task = 0;
  coro_task_list_refresh (self);
  update_tick (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INDEX]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_TASK]);
}

guint
coro_task_list_get_selected_task (CoroTaskList *self)
{
  g_return_val_if_fail (CORO_IS_TASK_LIST (self), 0);

  return self->selected_task;
}

/**
 * coro_task_list_set_selected_task:
 * @task_id: a task id, 0 for none
 *
 * Selects the task's row and scrolls to it (when the filter shows it).
 */
void
coro_task_list_set_selected_task (CoroTaskList *self,
                                  guint         task_id)
{
  GListModel *model;
  guint n, position = GTK_INVALID_LIST_POSITION;

  g_return_if_fail (CORO_IS_TASK_LIST (self));

  if (self->selected_task == task_id)
    return;

  self->selected_task = task_id;

  model = G_LIST_MODEL (self->sort_model);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; task_id != 0 && i < n; i++)
    {
      g_autoptr(CoroTaskItem) item = g_list_model_get_item (model, i);

      if (coro_task_item_get_id (item) == task_id)
        {
          position = i;
          break;
        }
    }

  self->syncing = TRUE;
  gtk_single_selection_set_selected (self->selection, position);
  self->syncing = FALSE;
  if (position != GTK_INVALID_LIST_POSITION)
    scroll_to_position (self, position);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_TASK]);
}

gboolean
coro_task_list_get_live (CoroTaskList *self)
{
  g_return_val_if_fail (CORO_IS_TASK_LIST (self), FALSE);

  return self->live;
}

/**
 * coro_task_list_set_live:
 *
 * While live the rows' times grow with the present (open spans); a last
 * refresh follows when it ends.
 */
void
coro_task_list_set_live (CoroTaskList *self,
                         gboolean      live)
{
  g_return_if_fail (CORO_IS_TASK_LIST (self));

  live = !!live;
  if (self->live == live)
    return;

  self->live = live;
  self->dirty = TRUE;
  if (self->owns_session)
    coro_session_set_live (self->session, live);
  if (!live)
    coro_task_list_refresh (self);
  update_tick (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE]);
}

/**
 * coro_task_list_refresh:
 *
 * Brings the rows up to date with the index now (the tick callback does
 * it by itself a few times a second).
 */
void
coro_task_list_refresh (CoroTaskList *self)
{
  g_autoptr(GPtrArray) added = NULL;
  g_autoptr(GPtrArray) changed = NULL;
  CoroTrace *trace;
  guint n_items, n_tasks;
  gint64 now;

  g_return_if_fail (CORO_IS_TASK_LIST (self));

  self->dirty = FALSE;
  if (self->index == NULL)
    return;

  self->n_indexed = coro_trace_index_get_n_indexed (self->index);
  trace = coro_trace_index_get_trace (self->index);
  now = coro_trace_index_get_last_ns (self->index);
  if (self->live && coro_trace_is_live (trace))
    now = MAX (now, coro_trace_now_ns (trace));

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  n_tasks = coro_trace_index_get_n_tasks (self->index);
  changed = g_ptr_array_new ();

  for (guint i = 0; i < n_items && i < n_tasks; i++)
    {
      CoroTaskItem *item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

      if (coro_task_item_update (item, self->index, coro_trace_index_get_task (self->index, i), now))
        g_ptr_array_add (changed, item);
      g_object_unref (item);
    }

  if (n_tasks > n_items)
    {
      added = g_ptr_array_new_full (n_tasks - n_items, g_object_unref);
      for (guint i = n_items; i < n_tasks; i++)
        {
          const CoroIndexTask *task = coro_trace_index_get_task (self->index, i);
          CoroTaskItem *item = coro_task_item_new (task->id, i);

          coro_task_item_update (item, self->index, task, now);
          g_ptr_array_add (added, item);
        }

      /* one items-changed for all the tasks new since the last refresh */
      /* GTK 4.8's list views instantiate up to 200 rows, not just the
       * visible ones: the first items-changed of a big run costs some
       * 300 ms under the cairo renderer, once */
      g_list_store_splice (self->items, n_items, 0, added->pdata, added->len);
    }

  for (guint i = 0; i < changed->len; i++)
    coro_task_item_notify_changed (g_ptr_array_index (changed, i));

  /* re-sort in place by the changed figures: GtkSingleSelection keeps the
   * selected item when it comes back in the same items-changed. Unsorted
   * (spawn order) nothing moves; live, once a second is enough. */
  if (changed->len > 0 && self->sorted
      && (!self->live || g_get_monotonic_time () - self->last_resort_usec >= RESORT_INTERVAL_USEC))
    {
      self->last_resort_usec = g_get_monotonic_time ();
      self->syncing = TRUE;
      gtk_sorter_changed (gtk_column_view_get_sorter (GTK_COLUMN_VIEW (self->column_view)),
                          GTK_SORTER_CHANGE_DIFFERENT);
      self->syncing = FALSE;
    }
}

/**
 * coro_task_list_get_items:
 *
 * Returns: (transfer none): every row (#CoroTaskItem), in spawn order
 */
GListModel *
coro_task_list_get_items (CoroTaskList *self)
{
  g_return_val_if_fail (CORO_IS_TASK_LIST (self), NULL);

  return G_LIST_MODEL (self->items);
}

/**
 * coro_task_list_get_shown:
 *
 * Returns: (transfer none): the rows as shown: filtered and sorted
 */
GListModel *
coro_task_list_get_shown (CoroTaskList *self)
{
  g_return_val_if_fail (CORO_IS_TASK_LIST (self), NULL);

  return G_LIST_MODEL (self->sort_model);
}

void
coro_task_list_set_search (CoroTaskList *self,
                           const char   *text)
{
  g_return_if_fail (CORO_IS_TASK_LIST (self));

  g_clear_pointer (&self->search_casefold, g_free);
  if (text != NULL)
    self->search_casefold = g_utf8_casefold (text, -1);
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), text ? text : "") != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");

  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_no_matches (self);
}

/**
 * coro_task_list_get_search_entry:
 *
 * Returns: (transfer none): the search entry above the rows
 */
GtkWidget *
coro_task_list_get_search_entry (CoroTaskList *self)
{
  g_return_val_if_fail (CORO_IS_TASK_LIST (self), NULL);

  return self->search_entry;
}

/**
 * coro_task_list_get_placeholder:
 *
 * Returns: (nullable): the text shown over the list instead of rows
 *   ("No task matches …"), or %NULL when the rows show
 */
const char *
coro_task_list_get_placeholder (CoroTaskList *self)
{
  g_return_val_if_fail (CORO_IS_TASK_LIST (self), NULL);

  if (!gtk_widget_get_visible (self->no_matches))
    return NULL;

  return gtk_label_get_text (GTK_LABEL (self->no_matches));
}

/**
 * coro_task_list_focus_search:
 *
 * Moves the keyboard focus to the search entry, as Find does.
 *
 * Returns: whether the entry took the focus
 */
gboolean
coro_task_list_focus_search (CoroTaskList *self)
{
  g_return_val_if_fail (CORO_IS_TASK_LIST (self), FALSE);

  return gtk_widget_grab_focus (self->search_entry);
}

/**
 * coro_task_list_sort_by:
 * @field: a #CoroTaskItemField
 *
 * Sorts as a click on the column header does.
 */
void
coro_task_list_sort_by (CoroTaskList *self,
                        guint         field,
                        GtkSortType   order)
{
  g_return_if_fail (CORO_IS_TASK_LIST (self));
  g_return_if_fail (field < CORO_TASK_ITEM_N_FIELDS);

  gtk_column_view_sort_by_column (GTK_COLUMN_VIEW (self->column_view), self->columns[field], order);
}

/**
 * coro_task_list_get_selection:
 *
 * Returns: (transfer none): the view's selection model
 */
GtkSingleSelection *
coro_task_list_get_selection (CoroTaskList *self)
{
  g_return_val_if_fail (CORO_IS_TASK_LIST (self), NULL);

  return self->selection;
}

static void
save_column_widths (CoroTaskList *self)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{si}"));
  for (guint i = 0; i < CORO_TASK_ITEM_N_FIELDS; i++)
    g_variant_builder_add (&builder, "{si}", column_keys[i],
                           gtk_column_view_column_get_fixed_width (self->columns[i]));
  g_settings_set_value (self->settings, "task-list-column-widths", g_variant_builder_end (&builder));
}

static void
column_width_changed_cb (CoroTaskList *self)
{
  save_column_widths (self);
}

/**
 * coro_task_list_get_sort:
 * @order: (out) (optional): the direction
 *
 * Returns: the #CoroTaskItemField the rows are sorted by first, or -1
 *   when the user has not sorted
 */
int
coro_task_list_get_sort (CoroTaskList *self,
                         GtkSortType  *order)
{
  GtkSorter *view_sorter;
  int field = -1;
  GtkSortType sort_order = GTK_SORT_ASCENDING;

  g_return_val_if_fail (CORO_IS_TASK_LIST (self), -1);

  view_sorter = gtk_column_view_get_sorter (GTK_COLUMN_VIEW (self->column_view));

#if GTK_CHECK_VERSION (4, 10, 0)
  {
    GtkColumnViewColumn *column = gtk_column_view_sorter_get_primary_sort_column (GTK_COLUMN_VIEW_SORTER (view_sorter));

    for (guint i = 0; i < CORO_TASK_ITEM_N_FIELDS; i++)
      if (self->columns[i] == column)
        field = i;
    sort_order = gtk_column_view_sorter_get_primary_sort_order (GTK_COLUMN_VIEW_SORTER (view_sorter));
  }
#else
  {
    GtkOrdering ordering;

    /* GtkColumnViewSorter compares with its columns' sorters in sort
     * order, stops at the first that is not EQUAL and inverts it for a
     * descending column. While probing, every column sorter answers
     * SMALLER and notes its field: the first one asked is the primary
     * column, and an inverted answer means descending. The items are
     * never looked at, so any two distinct non-NULL pointers do
     * (gtk_sorter_compare() answers EQUAL for one item against itself
     * without asking anyone). */
    probing = TRUE;
    probe_field = -1;
    ordering = gtk_sorter_compare (view_sorter, self, self->column_view);
    probing = FALSE;

    field = probe_field;
    sort_order = ordering == GTK_ORDERING_LARGER ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING;
  }
#endif

  if (order != NULL)
    *order = sort_order;
  return field;
}

static void
sorter_changed_cb (CoroTaskList *self)
{
  GtkSortType order;
  int field = coro_task_list_get_sort (self, &order);

  g_settings_set_string (self->settings, "task-list-sort-column", field >= 0 ? column_keys[field] : "");
  g_settings_set_boolean (self->settings, "task-list-sort-descending", order == GTK_SORT_DESCENDING);
}

/**
 * coro_task_list_bind_settings:
 * @settings: the app's settings (schema io.github.coroscope.Coroscope)
 *
 * Restores the column widths and the sort from @settings and keeps them
 * saved there.
 */
void
coro_task_list_bind_settings (CoroTaskList *self,
                              GSettings    *settings)
{
  g_autoptr(GVariant) widths = NULL;
  g_autofree char *sort_key = NULL;

  g_return_if_fail (CORO_IS_TASK_LIST (self));
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (self->settings == NULL);

  self->settings = g_object_ref (settings);

  widths = g_settings_get_value (settings, "task-list-column-widths");
  for (guint i = 0; i < CORO_TASK_ITEM_N_FIELDS; i++)
    {
      int width;

      if (g_variant_lookup (widths, column_keys[i], "i", &width) && width > 0)
        gtk_column_view_column_set_fixed_width (self->columns[i], width);
      g_signal_connect_object (self->columns[i], "notify::fixed-width",
                               G_CALLBACK (column_width_changed_cb), self, G_CONNECT_SWAPPED);
    }

  sort_key = g_settings_get_string (settings, "task-list-sort-column");
  for (guint i = 0; i < CORO_TASK_ITEM_N_FIELDS; i++)
    if (g_str_equal (sort_key, column_keys[i]))
      coro_task_list_sort_by (self, i, g_settings_get_boolean (settings, "task-list-sort-descending")
                                        ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);

  g_signal_connect_object (gtk_column_view_get_sorter (GTK_COLUMN_VIEW (self->column_view)), "changed",
                           G_CALLBACK (sorter_changed_cb), self, G_CONNECT_SWAPPED);
}

/**
 * coro_task_list_set_session:
 * @session: the window's session
 *
 * Shows @session: its index and live state, and its selected task (both
 * ways). The session updates the index; the list only reads it.
 */
void
coro_task_list_set_session (CoroTaskList *self,
                            CoroSession  *session)
{
  g_return_if_fail (CORO_IS_TASK_LIST (self));
  g_return_if_fail (CORO_IS_SESSION (session));

  if (self->session == session)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (self->bindings); i++)
    g_clear_pointer (&self->bindings[i], g_binding_unbind);
  g_signal_handlers_disconnect_by_data (self->session, self);
  if (self->owns_session)
    coro_session_attach_frame_clock (self->session, NULL);

  g_set_object (&self->session, session);
  self->owns_session = FALSE;
  g_signal_connect_object (session, "notify::indexing",
                           G_CALLBACK (session_indexing_cb), self, G_CONNECT_SWAPPED);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    coro_session_attach_frame_clock (session, gtk_widget_get_frame_clock (GTK_WIDGET (self)));

  self->bindings[0] = g_object_bind_property (session, "index", self, "index", G_BINDING_SYNC_CREATE);
  self->bindings[1] = g_object_bind_property (session, "live", self, "live", G_BINDING_SYNC_CREATE);
  self->bindings[2] = g_object_bind_property (session, "selected-task", self, "selected-task",
                                              G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
}
