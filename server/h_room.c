/* Finding a room, and when it is free.
 *
 *   GET /api/v1/rooms?venue=&min_capacity=&feature=&free_from=&free_to=
 *   GET /api/v1/rooms/<id>/availability?from=&to=
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

static bool room_search_one(const struct room *rm, void *arg)
{
	json_array_append_new(arg, room_to_json(rm));
	return true;
}

enum herr h_room_list(struct request *r)
{
	static const char *const known[] = {"venue",     "min_capacity", "feature",
	                                    "free_from", "free_to",      NULL};
	struct avail_search s = {0};
	const char *feature = request_query(r, "feature");
	json_t *items;
	int64_t from, to;
	bool has_cap, has_from, has_to;
	struct txn t;
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
	items = json_array();
	ret = avail_search(&t, &s, room_search_one, items);
	db_read_end(&t);
	if (ret == H_OK)
		r->reply = items;
	else
		json_decref(items);
	return ret;
}

/* Availability: the core's busy and free intervals (avail.h), with the approved bookings
 * among the busy ones shown as the caller may see them. */

static json_t *avail_bookings_json(struct txn *t, const struct viewer *v, const struct place *pe,
                                   const struct avail *av)
{
	json_t *busy = json_array();

	for (size_t i = 0; i < av->n_busy; i++) {
		struct booking b;
		json_t *o;

		if (av->busy[i].why != AVAIL_BOOKING)
			continue; /* buffers, closures and hours are shown by what is free */
		o = booking_get(t, av->busy[i].id, &b) == H_OK ? view_booking_json(v, &b, pe)
		                                               : NULL;
		booking_free(&b);
		if (o != NULL)
			json_array_append_new(busy, o);
	}
	return busy;
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

/* The reply for room rm over [from, to). */
static enum herr avail_reply(struct request *r, struct txn *t, const struct viewer *v,
                             const struct place *pe, int64_t from, int64_t to)
{
	struct avail av = {0};
	enum herr ret = avail_room(t, &pe->room, &pe->venue, from, to, &av);

	if (ret == H_OK) {
		json_t *busy = avail_bookings_json(t, v, pe, &av);

		if ((ret = t->ret) == H_OK) {
			r->reply =
			    json_pack("{s:I, s:o, s:o}", "room_id", (json_int_t)pe->room.id, "busy",
			              busy, "free", avail_free_json(&av, pe->venue.tz));
			reply_time(r->reply, "from", from, pe->venue.tz);
			reply_time(r->reply, "to", to, pe->venue.tz);
		} else {
			json_decref(busy);
		}
	}
	avail_release(&av);
	return ret;
}

enum herr h_room_availability(struct request *r)
{
	static const char *const known[] = {"from", "to", NULL};
	struct place place;
	const struct place *pe = &place;
	struct viewer v;
	struct txn t;
	int64_t from, to;
	bool has_from, has_to;
	enum herr ret;

	if ((ret = request_query_known(r, known)) != H_OK)
		return ret;
	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	request_viewer(r, &t, &v);
	if ((ret = place_load(&t, r->ids[0], &place)) != H_OK)
		goto out;
	if ((ret = request_query_time(r, "from", pe->venue.tz, &from, &has_from)) != H_OK ||
	    (ret = request_query_time(r, "to", pe->venue.tz, &to, &has_to)) != H_OK)
		goto out;
	if (!has_from) {
		/* Today, from local midnight. */
		struct localtm lt;

		tz_to_local(pe->venue.tz, r->now, &lt);
		lt.hour = lt.min = lt.sec = 0;
		from = tz_at_or_after(pe->venue.tz, &lt);
	}
	if (!has_to) {
		struct localtm lt;
		int y, m, d;

		tz_to_local(pe->venue.tz, from, &lt);
		civil_from_days(days_from_civil(lt.year, lt.month, lt.day) + AVAIL_DEFAULT_DAYS, &y,
		                &m, &d);
		lt.year = y;
		lt.month = m;
		lt.day = d;
		to = tz_at_or_after(pe->venue.tz, &lt);
	}
	if (to <= from) {
		ret = herror_set(&r->err, H_EINVAL, "query parameter to must be after from");
		goto out;
	}
	if (to - from > (int64_t)AVAIL_MAX_DAYS * 86400) {
		ret = herror_set(&r->err, H_EINVAL,
		                 "query parameter to: at most %d days after from, please",
		                 AVAIL_MAX_DAYS);
		goto out;
	}
	ret = avail_reply(r, &t, &v, pe, from, to);
out:
	place_free(&place);
	viewer_free(&v);
	db_read_end(&t);
	return ret;
}
