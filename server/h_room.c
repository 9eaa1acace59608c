/* Finding a room, and when it is free.
 *
 *   GET /api/v1/rooms?venue=&min_capacity=&feature=&free_from=&free_to=
 *   GET /api/v1/rooms/<id>/availability?from=&to=
 *   GET /api/v1/venues/<id>/availability?from=&to=    every room of the venue
 *
 * What is busy and free is the core's (avail.h): free is what a request could have,
 * apart from the rules about length and notice: inside one opening of the venue, no
 * closure of the room or venue, and no approved booking within the room's buffers. Times
 * without an offset are read in the room's venue zone; times come out in that zone's
 * offset. */
#include "server.h"

#include <stdlib.h>
#include <string.h>

#define AVAIL_DEFAULT_DAYS 7

struct room_listing {
	struct txn *t;
	struct places ps;
	json_t *items;
};

/* A room as read: its record, with its venue's name beside the venue's id. */
static bool room_search_one(const struct room *rm, void *arg)
{
	struct room_listing *l = arg;
	json_t *o = room_to_json(rm);
	const char *venue = places_get(&l->ps, l->t, rm->id)->venue.name;

	json_object_set_new(o, "venue_name", venue != NULL ? json_string(venue) : json_null());
	json_array_append_new(l->items, o);
	return true;
}

enum herr h_room_list(struct request *r)
{
	static const char *const known[] = {"venue",     "min_capacity", "feature",
	                                    "free_from", "free_to",      NULL};
	struct avail_search s = {0};
	const char *feature = request_query(r, "feature");
	int64_t from, to;
	bool has_cap, has_from, has_to;
	struct txn t;
	struct room_listing l = {.t = &t};
	enum herr ret;

	if ((ret = request_query_known(r, known)) != H_OK ||
	    (ret = request_query_id(r, "venue", &s.venue_id)) != H_OK ||
	    (ret = request_query_uint(r, "min_capacity", 0, UINT32_MAX, &s.min_capacity,
	                              &has_cap)) != H_OK)
		return ret;
	if (feature != NULL) {
		/* One name, or several separated by commas: rooms with all of them. */
		char *copy = xstrdup(feature), *save = NULL;

		for (char *tok = strtok_r(copy, ",", &save); tok != NULL;
		     tok = strtok_r(NULL, ",", &save)) {
			uint32_t bit;

			if (feature_parse(tok, &bit) != 0) {
				char shown[64];

				text_quote(shown, sizeof(shown), tok, 40);
				ret = herror_set(&r->err, H_EINVAL,
				                 "query parameter feature: unknown feature \"%s\"",
				                 shown);
				break;
			}
			s.features |= bit;
		}
		if (ret == H_OK && s.features == 0)
			ret = herror_set(&r->err, H_EINVAL, "query parameter feature is empty");
		free(copy);
		if (ret != H_OK)
			return ret;
	}
	/* Checked once here, read again in each room's zone. */
	if ((ret = request_query_time(r, "free_from", TZ_DEFAULT, &from, &has_from)) != H_OK ||
	    (ret = request_query_time(r, "free_to", TZ_DEFAULT, &to, &has_to)) != H_OK)
		return ret;
	if (has_from != has_to)
		return herror_set(&r->err, H_EINVAL,
		                  "query parameters free_from and free_to go together");
	if (has_from && to <= from)
		return herror_set(&r->err, H_EINVAL,
		                  "query parameter free_to must be after free_from");
	if (has_from && to - from > (int64_t)AVAIL_MAX_DAYS * 86400)
		return herror_set(
		    &r->err, H_EINVAL,
		    "query parameter free_to: at most %d days after free_from, please",
		    AVAIL_MAX_DAYS);
	if (has_from) {
		s.free_from = request_query(r, "free_from");
		s.free_to = request_query(r, "free_to");
	}
	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	l.items = json_array();
	ret = avail_search(&t, &s, room_search_one, &l);
	places_free(&l.ps);
	db_read_end(&t);
	if (ret == H_OK)
		r->reply = l.items;
	else
		json_decref(l.items);
	return ret;
}

/* Availability: the core's busy and free intervals (avail.h), with the approved bookings
 * among the busy ones shown as the caller may see them, and the pending requests the
 * caller may see (view.h: the venue's managers all, a group its own) apart. */

struct avail_shown {
	struct txn *t;
	const struct viewer *v;
	struct places *ps;
	json_t *items;
};

static void avail_show(struct avail_shown *s, uint64_t booking_id)
{
	struct booking b;
	json_t *o = booking_get(s->t, booking_id, &b) == H_OK
	                ? view_booking_json(s->t, s->v, s->ps, &b)
	                : NULL;

	booking_free(&b);
	if (o != NULL)
		json_array_append_new(s->items, o);
}

static json_t *avail_bookings_json(struct avail_shown *s, const struct avail *av)
{
	s->items = json_array();
	for (size_t i = 0; i < av->n_busy; i++)
		if (av->busy[i].why == AVAIL_BOOKING) /* buffers, closures and hours: by free */
			avail_show(s, av->busy[i].id);
	return s->items;
}

static bool avail_pending_one(const struct block *b, void *arg)
{
	avail_show(arg, b->booking_id);
	return true;
}

static json_t *avail_pending_json(struct avail_shown *s, uint64_t room_id, int64_t from, int64_t to)
{
	s->items = json_array();
	booking_blocks(s->t, room_id, BOOKING_PENDING, from, to, 0, avail_pending_one, s);
	return s->items;
}

static json_t *avail_free_json(const struct avail *av, const char *zone)
{
	json_t *spans = json_array();

	for (size_t i = 0; i < av->n_free; i++) {
		json_t *o = json_object();

		reply_time(o, "start", av->free[i].start, zone);
		reply_time(o, "end", av->free[i].end, zone);
		json_array_append_new(spans, o);
	}
	return spans;
}

/* {"room_id", "room_name", "busy", "free", "pending"} for room pe over [from, to), into
 * *out; one room of a venue's week, or the whole of a room's. */
static enum herr avail_room_json(struct txn *t, const struct viewer *v, struct places *ps,
                                 const struct place *pe, int64_t from, int64_t to, json_t **out)
{
	struct avail_shown s = {t, v, ps, NULL};
	struct avail av = {0};
	enum herr ret = avail_room(t, &pe->room, &pe->venue, from, to, &av);
	json_t *busy, *pending;

	*out = NULL;
	if (ret == H_OK) {
		busy = avail_bookings_json(&s, &av);
		pending = avail_pending_json(&s, pe->room.id, from, to);
		if ((ret = t->ret) == H_OK)
			*out = json_pack("{s:I, s:s?, s:o, s:o, s:o}", "room_id",
			                 (json_int_t)pe->room.id, "room_name", pe->room.name,
			                 "busy", busy, "free", avail_free_json(&av, pe->venue.tz),
			                 "pending", pending);
		else {
			json_decref(busy);
			json_decref(pending);
		}
	}
	avail_release(&av);
	return ret;
}

/* The window asked for ("from" and "to"), read in zone: by default a week from today's
 * local midnight; at most AVAIL_MAX_DAYS long. */
static enum herr avail_window(struct request *r, const char *zone, int64_t *from, int64_t *to)
{
	bool has_from, has_to;
	enum herr ret;

	if ((ret = request_query_time(r, "from", zone, from, &has_from)) != H_OK ||
	    (ret = request_query_time(r, "to", zone, to, &has_to)) != H_OK)
		return ret;
	if (!has_from) {
		/* Today, from local midnight. */
		struct localtm lt;

		tz_to_local(zone, r->now, &lt);
		lt.hour = lt.min = lt.sec = 0;
		*from = tz_at_or_after(zone, &lt);
	}
	if (!has_to) {
		struct localtm lt;
		int y, m, d;

		tz_to_local(zone, *from, &lt);
		civil_from_days(days_from_civil(lt.year, lt.month, lt.day) + AVAIL_DEFAULT_DAYS, &y,
		                &m, &d);
		lt.year = y;
		lt.month = m;
		lt.day = d;
		*to = tz_at_or_after(zone, &lt);
	}
	if (*to <= *from)
		return herror_set(&r->err, H_EINVAL, "query parameter to must be after from");
	if (*to - *from > (int64_t)AVAIL_MAX_DAYS * 86400)
		return herror_set(&r->err, H_EINVAL,
		                  "query parameter to: at most %d days after from, please",
		                  AVAIL_MAX_DAYS);
	return H_OK;
}

enum herr h_room_availability(struct request *r)
{
	static const char *const known[] = {"from", "to", NULL};
	struct places ps = {0};
	struct place place;
	struct viewer v;
	struct txn t;
	int64_t from, to;
	enum herr ret;

	if ((ret = request_query_known(r, known)) != H_OK)
		return ret;
	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	request_viewer(r, &t, &v);
	if ((ret = place_load(&t, r->ids[0], &place)) == H_OK &&
	    (ret = avail_window(r, place.venue.tz, &from, &to)) == H_OK &&
	    (ret = avail_room_json(&t, &v, &ps, &place, from, to, &r->reply)) == H_OK) {
		reply_time(r->reply, "from", from, place.venue.tz);
		reply_time(r->reply, "to", to, place.venue.tz);
	}
	place_free(&place);
	places_free(&ps);
	viewer_free(&v);
	db_read_end(&t);
	return ret;
}

/* A venue's rooms over one window, each as h_room_availability shows a room. */
struct venue_week {
	struct txn *t;
	const struct viewer *v;
	struct places *ps;
	const struct venue *venue;
	int64_t from, to;
	json_t *rooms;
};

static bool venue_week_room(const struct room *rm, void *arg)
{
	struct venue_week *w = arg;
	struct place pe = {.room = *rm, .venue = *w->venue}; /* borrowed: not freed */
	json_t *o;

	if (avail_room_json(w->t, w->v, w->ps, &pe, w->from, w->to, &o) != H_OK)
		return false;
	json_array_append_new(w->rooms, o);
	return true;
}

enum herr h_venue_availability(struct request *r)
{
	static const char *const known[] = {"from", "to", NULL};
	struct places ps = {0};
	struct venue venue;
	struct viewer v;
	struct txn t;
	struct venue_week w = {.t = &t, .v = &v, .ps = &ps, .venue = &venue};
	enum herr ret;

	if ((ret = request_query_known(r, known)) != H_OK)
		return ret;
	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	request_viewer(r, &t, &v);
	/* Initialises venue, whatever the answer. */
	if ((ret = venue_get(&t, r->ids[0], &venue)) == H_ENOTFOUND)
		ret = record_not_found(&t, "venue", r->ids[0]);
	if (ret == H_OK && (ret = avail_window(r, venue.tz, &w.from, &w.to)) == H_OK) {
		w.rooms = json_array();
		ret = room_each(&t, venue.id, venue_week_room, &w);
		if (ret == H_OK && (ret = t.ret) == H_OK) {
			r->reply = json_pack("{s:I, s:s?, s:o}", "venue_id", (json_int_t)venue.id,
			                     "venue_name", venue.name, "rooms", w.rooms);
			reply_time(r->reply, "from", w.from, venue.tz);
			reply_time(r->reply, "to", w.to, venue.tz);
		} else
			json_decref(w.rooms);
	}
	venue_free(&venue);
	places_free(&ps);
	viewer_free(&v);
	db_read_end(&t);
	return ret;
}
