/* A room's busy and free time (avail.c): the buffers around approved bookings, closures
 * of the room and of its venue (and not of others), opening hours in the venue's zone
 * across the Europe/London clock changes of 2026 and 2027, the window's limits, and
 * avail_room_free agreeing with avail_room and with the rules a request is checked by. */
#include "t.h"

#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>

#define HOUR 3600

/* Room and venue read, and avail_room run, in one read transaction. */
static enum herr avail_read(struct fx *f, uint64_t room_id, int64_t from, int64_t to,
                            struct avail *out)
{
	struct room r;
	struct venue v;
	struct txn t;
	enum herr ret;

	memset(out, 0, sizeof(*out));
	if ((ret = db_read_begin(f->db, &t, &f->err)) != H_OK)
		return ret;
	room_init(&r);
	ret = room_get(&t, room_id, &r);
	if (ret == H_OK && (ret = venue_get(&t, r.venue_id, &v)) == H_OK) {
		ret = avail_room(&t, &r, &v, from, to, out);
		venue_free(&v);
	}
	room_free(&r);
	db_read_end(&t);
	return ret;
}

static bool free_read(struct fx *f, uint64_t room_id, int64_t start, int64_t end)
{
	struct room r;
	struct venue v;
	struct txn t;
	bool open = false;

	if (db_read_begin(f->db, &t, &f->err) != H_OK)
		return false;
	room_init(&r);
	if (room_get(&t, room_id, &r) == H_OK && venue_get(&t, r.venue_id, &v) == H_OK) {
		open = avail_room_free(&t, &r, &v, start, end);
		venue_free(&v);
	}
	room_free(&r);
	db_read_end(&t);
	return open;
}

static const char *why_name(enum avail_why w)
{
	switch (w) {
	case AVAIL_BOOKING:
		return "booking";
	case AVAIL_BUFFER:
		return "buffer";
	case AVAIL_ROOM_CLOSED:
		return "room-closed";
	case AVAIL_VENUE_CLOSED:
		return "venue-closed";
	case AVAIL_HOURS:
		return "hours";
	}
	return "?";
}

/* The busy list as text, "why id start-end;" with times as seconds from base, so that a
 * failure shows the whole list. */
static void busy_text(const struct avail *a, int64_t base, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < a->n_busy && n < size; i++)
		n += (size_t)snprintf(out + n, size - n, "%s %llu %lld-%lld;",
		                      why_name(a->busy[i].why), (unsigned long long)a->busy[i].id,
		                      (long long)(a->busy[i].start - base),
		                      (long long)(a->busy[i].end - base));
}

static void free_text(const struct avail *a, int64_t base, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < a->n_free && n < size; i++)
		n += (size_t)snprintf(out + n, size - n, "%lld-%lld;",
		                      (long long)(a->free[i].start - base),
		                      (long long)(a->free[i].end - base));
}

#define T_BUSY(a, base, want)                                                                      \
	do {                                                                                       \
		char t_buf_[2048];                                                                 \
		busy_text(a, base, t_buf_, sizeof(t_buf_));                                        \
		T_EQ_STR(t_buf_, want);                                                            \
	} while (0)

#define T_FREE(a, base, want)                                                                      \
	do {                                                                                       \
		char t_buf_[2048];                                                                 \
		free_text(a, base, t_buf_, sizeof(t_buf_));                                        \
		T_EQ_STR(t_buf_, want);                                                            \
	} while (0)

/* "%lld-%lld;" of hours (and minutes) from base, for expectations. */
#define HM(h, m) ((long long)((h)*HOUR + (m)*60))

TEST(avail_buffers)
{
	struct fx f;
	struct avail a;
	uint64_t v, r, other, g, b1, b2, c, pending;
	const int64_t day = fx_at("2026-03-10T00:00"); /* a Tuesday, GMT */
	char want[512];

	T_ASSERT(fx_open(&f));
	v = fx_venue(&f, "Centre", NULL, "mon-sun 08:00-23:00");
	/* 10 minutes to set up and 20 to clear away: 30 minutes each side of a booking. */
	r = fx_room(&f, v, "{\"setup_minutes\": 10, \"cleanup_minutes\": 20}");
	other = fx_room(&f, v, "{\"name\": \"Kitchen\"}");
	g = fx_group(&f, "Choir", 0);
	T_ASSERT(v && r && other && g);
	T_EQ_ERR(fx_book(&f, r, g, day + 10 * HOUR, day + 12 * HOUR, &b1), H_OK, &f.err);
	T_EQ_ERR(fx_book(&f, r, g, day + 15 * HOUR, day + 16 * HOUR, &b2), H_OK, &f.err);
	/* A pending request blocks nothing, and another room's booking is not this one's. */
	T_EQ_ERR(fx_request(&f, ACTOR_CONSOLE, r, g, day + 19 * HOUR, day + 20 * HOUR, false,
	                    &pending, NULL),
	         H_OK, &f.err);
	T_EQ_ERR(fx_book(&f, other, g, day + 13 * HOUR, day + 14 * HOUR, NULL), H_OK, &f.err);
	/* A closure added later, starting with the second booking: the booking comes first. */
	T_EQ_ERR(fx_closure(&f, CLOSURE_ROOM, r, day + 15 * HOUR, day + 15 * HOUR + 1800, &c), H_OK,
	         &f.err);

	T_EQ_ERR(avail_read(&f, r, day, day + 24 * HOUR, &a), H_OK, &f.err);
	snprintf(want, sizeof(want),
	         "hours 0 %lld-%lld;buffer %llu %lld-%lld;booking %llu %lld-%lld;"
	         "buffer %llu %lld-%lld;buffer %llu %lld-%lld;booking %llu %lld-%lld;"
	         "room-closed %llu %lld-%lld;buffer %llu %lld-%lld;hours 0 %lld-%lld;",
	         HM(0, 0), HM(8, 0), (unsigned long long)b1, HM(9, 30), HM(10, 0),
	         (unsigned long long)b1, HM(10, 0), HM(12, 0), (unsigned long long)b1, HM(12, 0),
	         HM(12, 30), (unsigned long long)b2, HM(14, 30), HM(15, 0), (unsigned long long)b2,
	         HM(15, 0), HM(16, 0), (unsigned long long)c, HM(15, 0), HM(15, 30),
	         (unsigned long long)b2, HM(16, 0), HM(16, 30), HM(23, 0), HM(24, 0));
	T_BUSY(&a, day, want);
	snprintf(want, sizeof(want), "%lld-%lld;%lld-%lld;%lld-%lld;", HM(8, 0), HM(9, 30),
	         HM(12, 30), HM(14, 30), HM(16, 30), HM(23, 0));
	T_FREE(&a, day, want);
	T_EQ_INT(a.from, day);
	T_EQ_INT(a.to, day + 24 * HOUR);
	avail_release(&a);

	/* A window that only the buffers reach into: no booking, the buffer clipped. */
	T_EQ_ERR(avail_read(&f, r, day + 12 * HOUR + 600, day + 14 * HOUR, &a), H_OK, &f.err);
	snprintf(want, sizeof(want), "buffer %llu %lld-%lld;", (unsigned long long)b1, HM(12, 10),
	         HM(12, 30));
	T_BUSY(&a, day, want);
	snprintf(want, sizeof(want), "%lld-%lld;", HM(12, 30), HM(14, 0));
	T_FREE(&a, day, want);
	avail_release(&a);

	/* The free test says the same, to the second. */
	T_CHECK(free_read(&f, r, day + 12 * HOUR + 1800, day + 14 * HOUR + 1800));
	T_CHECK(!free_read(&f, r, day + 12 * HOUR + 1799, day + 13 * HOUR));
	T_CHECK(!free_read(&f, r, day + 13 * HOUR, day + 14 * HOUR + 1801));
	T_CHECK(free_read(&f, r, day + 8 * HOUR, day + 9 * HOUR + 1800));
	T_CHECK(!free_read(&f, r, day + 8 * HOUR, day + 9 * HOUR + 1801));
	T_CHECK(free_read(&f, r, day + 19 * HOUR, day + 20 * HOUR)); /* only pending there */
	T_CHECK(free_read(&f, other, day + 10 * HOUR, day + 12 * HOUR));
	T_CHECK(!free_read(&f, other, day + 13 * HOUR + 1800, day + 15 * HOUR));
	fx_close(&f);
}

TEST(avail_closures)
{
	struct fx f;
	struct avail a;
	uint64_t v, v2, r, r2, rv2, cv, cr, cr2, cv2, cprev;
	const int64_t day = fx_at("2026-03-10T00:00");
	char want[512];

	T_ASSERT(fx_open(&f));
	v = fx_venue(&f, "Centre", NULL, "mon-sun 00:00-24:00");
	v2 = fx_venue(&f, "Library", NULL, "mon-sun 00:00-24:00");
	r = fx_room(&f, v, NULL);
	r2 = fx_room(&f, v, "{\"name\": \"Kitchen\"}");
	rv2 = fx_room(&f, v2, "{\"name\": \"Study\"}");
	T_ASSERT(v && v2 && r && r2 && rv2);
	T_EQ_ERR(fx_closure(&f, CLOSURE_VENUE, v, day + 9 * HOUR, day + 11 * HOUR, &cv), H_OK,
	         &f.err);
	T_EQ_ERR(fx_closure(&f, CLOSURE_ROOM, r, day + 10 * HOUR, day + 13 * HOUR, &cr), H_OK,
	         &f.err);
	/* Another room's closure and another venue's do not shut this room. */
	T_EQ_ERR(fx_closure(&f, CLOSURE_ROOM, r2, day + 14 * HOUR, day + 15 * HOUR, &cr2), H_OK,
	         &f.err);
	T_EQ_ERR(fx_closure(&f, CLOSURE_VENUE, v2, day + 16 * HOUR, day + 17 * HOUR, &cv2), H_OK,
	         &f.err);
	/* One from the day before into this one, clipped to the window. */
	T_EQ_ERR(fx_closure(&f, CLOSURE_ROOM, r, day - 5 * HOUR, day + 2 * HOUR, &cprev), H_OK,
	         &f.err);

	T_EQ_ERR(avail_read(&f, r, day, day + 24 * HOUR, &a), H_OK, &f.err);
	snprintf(want, sizeof(want),
	         "room-closed %llu %lld-%lld;venue-closed %llu %lld-%lld;room-closed %llu "
	         "%lld-%lld;",
	         (unsigned long long)cprev, HM(0, 0), HM(2, 0), (unsigned long long)cv, HM(9, 0),
	         HM(11, 0), (unsigned long long)cr, HM(10, 0), HM(13, 0));
	T_BUSY(&a, day, want);
	snprintf(want, sizeof(want), "%lld-%lld;%lld-%lld;", HM(2, 0), HM(9, 0), HM(13, 0),
	         HM(24, 0));
	T_FREE(&a, day, want);
	avail_release(&a);

	/* The kitchen has the venue's closure and its own. */
	T_EQ_ERR(avail_read(&f, r2, day, day + 24 * HOUR, &a), H_OK, &f.err);
	snprintf(want, sizeof(want), "venue-closed %llu %lld-%lld;room-closed %llu %lld-%lld;",
	         (unsigned long long)cv, HM(9, 0), HM(11, 0), (unsigned long long)cr2, HM(14, 0),
	         HM(15, 0));
	T_BUSY(&a, day, want);
	avail_release(&a);

	T_CHECK(!free_read(&f, r, day + 8 * HOUR, day + 9 * HOUR + 1));
	T_CHECK(free_read(&f, r, day + 8 * HOUR, day + 9 * HOUR));
	T_CHECK(free_read(&f, r, day + 13 * HOUR, day + 18 * HOUR));
	T_CHECK(!free_read(&f, r2, day + 14 * HOUR + 1800, day + 14 * HOUR + 1860));
	T_CHECK(!free_read(&f, rv2, day + 16 * HOUR, day + 18 * HOUR));
	T_CHECK(free_read(&f, rv2, day + 9 * HOUR, day + 15 * HOUR));
	fx_close(&f);
}

/* Closures that apply to a room (closure_each_over) against the listing for the room
 * and for its venue (closure_each_page): the same rule. */
static bool collect_span(const struct closure_span *c, void *arg)
{
	uint64_t *ids = arg;

	ids[++ids[0]] = c->id;
	return ids[0] < 15;
}

static bool collect_closure(const struct closure *c, void *arg)
{
	uint64_t *ids = arg;

	ids[++ids[0]] = c->id;
	return ids[0] < 15;
}

static bool has_id(const uint64_t *ids, uint64_t id)
{
	for (uint64_t i = 1; i <= ids[0]; i++)
		if (ids[i] == id)
			return true;
	return false;
}

TEST(avail_closures_that_apply)
{
	struct fx f;
	uint64_t v, v2, r, r2, cv, cr, cr2, cv2;
	uint64_t over[16] = {0}, room_list[16] = {0}, venue_list[16] = {0}, none[16] = {0};
	const int64_t day = fx_at("2026-03-10T00:00");
	struct txn t;

	T_ASSERT(fx_open(&f));
	v = fx_venue(&f, "Centre", NULL, NULL);
	v2 = fx_venue(&f, "Library", NULL, NULL);
	r = fx_room(&f, v, NULL);
	r2 = fx_room(&f, v, "{\"name\": \"Kitchen\"}");
	T_ASSERT(v && v2 && r && r2);
	T_EQ_ERR(fx_closure(&f, CLOSURE_ROOM, r, day + 10 * HOUR, day + 11 * HOUR, &cr), H_OK,
	         &f.err);
	T_EQ_ERR(fx_closure(&f, CLOSURE_VENUE, v, day + 9 * HOUR, day + 12 * HOUR, &cv), H_OK,
	         &f.err);
	T_EQ_ERR(fx_closure(&f, CLOSURE_ROOM, r2, day + 9 * HOUR, day + 12 * HOUR, &cr2), H_OK,
	         &f.err);
	T_EQ_ERR(fx_closure(&f, CLOSURE_VENUE, v2, day + 9 * HOUR, day + 12 * HOUR, &cv2), H_OK,
	         &f.err);
	T_ASSERT(db_read_begin(f.db, &t, &f.err) == H_OK);
	T_EQ_ERR(closure_each_over(&t, r, v, day, day + 24 * HOUR, collect_span, over), H_OK,
	         &f.err);
	T_EQ_ERR(closure_each_page(&t, 0, r, NULL, collect_closure, room_list), H_OK, &f.err);
	T_EQ_ERR(closure_each_page(&t, v, 0, NULL, collect_closure, venue_list), H_OK, &f.err);
	/* For the room: its own and its venue's, the room's first, each in start order. */
	T_EQ_INT(over[0], 2);
	T_EQ_INT(over[1], cr);
	T_EQ_INT(over[2], cv);
	/* Listed for the room: the same two, by start. */
	T_EQ_INT(room_list[0], 2);
	T_EQ_INT(room_list[1], cv);
	T_EQ_INT(room_list[2], cr);
	/* Listed for the venue: its own and both rooms', not the other venue's. */
	T_EQ_INT(venue_list[0], 3);
	T_CHECK(has_id(venue_list, cv) && has_id(venue_list, cr) && has_id(venue_list, cr2));
	T_CHECK(!has_id(venue_list, cv2));
	/* Outside the window, nothing; touching it is not overlapping. */
	memset(over, 0, sizeof(over));
	T_EQ_ERR(closure_each_over(&t, r, v, day + 12 * HOUR, day + 24 * HOUR, collect_span, over),
	         H_OK, &f.err);
	T_EQ_INT(over[0], 0);
	T_EQ_INT(closure_find(&t, r, v, day + 11 * HOUR, day + 13 * HOUR), cv);
	T_EQ_INT(closure_find(&t, r, v, day + 12 * HOUR, day + 13 * HOUR), 0);
	/* A venue or a room that does not exist is refused, not listed as empty. */
	T_EQ_ERR(closure_each_page(&t, 999, 0, NULL, collect_closure, none), H_ENOTFOUND, &f.err);
	T_HAS_STR(f.err.msg, "no venue 999");
	db_read_end(&t);
	T_ASSERT(db_read_begin(f.db, &t, &f.err) == H_OK);
	T_EQ_ERR(closure_each_page(&t, 0, 999, NULL, collect_closure, none), H_ENOTFOUND, &f.err);
	T_HAS_STR(f.err.msg, "no room 999");
	T_EQ_INT(none[0], 0);
	db_read_end(&t);
	fx_close(&f);
}

TEST(avail_opening_hours)
{
	struct fx f;
	struct avail a;
	uint64_t v, r;
	const int64_t mon = fx_at("2026-03-09T00:00"); /* GMT all week */
	char want[512];

	T_ASSERT(fx_open(&f));
	v = fx_venue(&f, "Library", NULL,
	             "mon-fri 09:00-17:00; sat 10:00-12:00,13:00-16:00; sun closed");
	r = fx_room(&f, v, NULL);
	T_ASSERT(v && r);
	T_EQ_ERR(avail_read(&f, r, mon, mon + 7 * 24 * HOUR, &a), H_OK, &f.err);
	snprintf(want, sizeof(want),
	         "%lld-%lld;%lld-%lld;%lld-%lld;%lld-%lld;%lld-%lld;%lld-%lld;%lld-%lld;", HM(9, 0),
	         HM(17, 0), HM(24 + 9, 0), HM(24 + 17, 0), HM(48 + 9, 0), HM(48 + 17, 0),
	         HM(72 + 9, 0), HM(72 + 17, 0), HM(96 + 9, 0), HM(96 + 17, 0), HM(120 + 10, 0),
	         HM(120 + 12, 0), HM(120 + 13, 0), HM(120 + 16, 0));
	T_FREE(&a, mon, want);
	/* Every busy entry is the hours, and with the free ones they tile the window. */
	{
		int64_t total = 0;

		for (size_t i = 0; i < a.n_busy; i++) {
			T_CHECK(a.busy[i].why == AVAIL_HOURS && a.busy[i].id == 0);
			total += a.busy[i].end - a.busy[i].start;
		}
		for (size_t i = 0; i < a.n_free; i++)
			total += a.free[i].end - a.free[i].start;
		T_EQ_INT(total, 7 * 24 * HOUR);
		T_EQ_INT(a.n_busy, 8); /* before each of the 7 openings, and after the last */
	}
	avail_release(&a);
	T_CHECK(free_read(&f, r, mon + 9 * HOUR, mon + 17 * HOUR));
	T_CHECK(!free_read(&f, r, mon + 9 * HOUR - 60, mon + 10 * HOUR));
	T_CHECK(!free_read(&f, r, mon + 16 * HOUR, mon + 24 * HOUR + 10 * HOUR));
	T_CHECK(!free_read(&f, r, mon + 120 * HOUR + 11 * HOUR, mon + 120 * HOUR + 14 * HOUR));
	T_CHECK(free_read(&f, r, mon + 120 * HOUR + 13 * HOUR, mon + 120 * HOUR + 14 * HOUR));
	T_CHECK(!free_read(&f, r, mon + 144 * HOUR + 10 * HOUR, mon + 144 * HOUR + 11 * HOUR));
	fx_close(&f);
}

/* One local day from midnight to midnight in London: its length, its busy and free time
 * with opening hours 09:00-17:00. utc_open is 09:00 local as UTC seconds. */
static void check_change_day(struct fx *f, uint64_t room, const char *date, int64_t hours_long,
                             const char *utc_open)
{
	char midnight[32], next[32];
	struct avail a;
	int64_t from, to, open = fx_at(utc_open);
	int y, m, d;

	snprintf(midnight, sizeof(midnight), "%sT00:00", date);
	T_ASSERT(sscanf(date, "%d-%d-%d", &y, &m, &d) == 3);
	civil_from_days(days_from_civil(y, m, d) + 1, &y, &m, &d);
	snprintf(next, sizeof(next), "%04d-%02d-%02dT00:00", y, m, d);
	from = fx_at(midnight);
	to = fx_at(next);
	T_EQ_INT(to - from, hours_long * HOUR);
	T_EQ_ERR(avail_read(f, room, from, to, &a), H_OK, &f->err);
	T_EQ_INT(a.n_free, 1);
	if (a.n_free == 1) {
		T_EQ_INT(a.free[0].start, open);
		T_EQ_INT(a.free[0].end - a.free[0].start, 8 * HOUR);
	}
	/* Closed from midnight to 09:00 (8, 9 or 10 hours by the clock's change), and from
	 * 17:00 to midnight (7 hours: no change happens in the evening). */
	T_EQ_INT(a.n_busy, 2);
	if (a.n_busy == 2) {
		T_CHECK(a.busy[0].why == AVAIL_HOURS && a.busy[1].why == AVAIL_HOURS);
		T_EQ_INT(a.busy[0].start, from);
		T_EQ_INT(a.busy[0].end - a.busy[0].start, (hours_long - 24 + 9) * HOUR);
		T_EQ_INT(a.busy[1].end - a.busy[1].start, 7 * HOUR);
		T_EQ_INT(a.busy[1].end, to);
	}
	avail_release(&a);
	T_CHECK(free_read(f, room, open, open + 8 * HOUR));
	T_CHECK(!free_read(f, room, open - 60, open + HOUR));
	T_CHECK(!free_read(f, room, open + 8 * HOUR - 60, open + 8 * HOUR + 60));
}

TEST(avail_clock_changes)
{
	struct fx f;
	struct avail a;
	uint64_t v, r, night, rn, g, b;

	T_ASSERT(fx_open(&f));
	v = fx_venue(&f, "Centre", "Europe/London", "mon-sun 09:00-17:00");
	r = fx_room(&f, v, "{\"horizon_days\": 1000}");
	T_ASSERT(v && r);
	/* Spring: 23 hours, 09:00 BST is 08:00Z. Autumn: 25 hours, 09:00 GMT is 09:00Z. */
	check_change_day(&f, r, "2026-03-29", 23, "2026-03-29T08:00:00Z");
	check_change_day(&f, r, "2026-10-25", 25, "2026-10-25T09:00:00Z");
	check_change_day(&f, r, "2027-03-28", 23, "2027-03-28T08:00:00Z");
	check_change_day(&f, r, "2027-10-31", 25, "2027-10-31T09:00:00Z");
	/* An ordinary day either side, for contrast. */
	check_change_day(&f, r, "2026-03-28", 24, "2026-03-28T09:00:00Z");
	check_change_day(&f, r, "2026-10-26", 24, "2026-10-26T09:00:00Z");

	/* A week across the spring change: every opening is 8 hours, each at 09:00 local. */
	T_EQ_ERR(avail_read(&f, r, fx_at("2026-03-26T00:00"), fx_at("2026-04-02T00:00"), &a), H_OK,
	         &f.err);
	T_EQ_INT(a.n_free, 7);
	for (size_t i = 0; i < a.n_free; i++) {
		struct localtm lt;

		T_EQ_INT(a.free[i].end - a.free[i].start, 8 * HOUR);
		tz_to_local("Europe/London", a.free[i].start, &lt);
		T_EQ_INT(lt.hour, 9);
		T_EQ_INT(lt.min, 0);
	}
	avail_release(&a);

	/* Open 01:30-03:00 at night: on the spring night 01:30 never comes, so it opens when
	 * the clocks jump to 02:00 BST (01:00Z) for one hour; on the autumn night it opens at
	 * 01:30 BST (00:30Z) and stays open through the repeated hour, two and a half. */
	night = fx_venue(&f, "Night shelter", "Europe/London", "mon-sun 01:30-03:00");
	rn = fx_room(&f, night, "{\"horizon_days\": 1000, \"setup_minutes\": 15}");
	T_ASSERT(night && rn);
	T_EQ_ERR(avail_read(&f, rn, fx_at("2026-03-29T00:00"), fx_at("2026-03-30T00:00"), &a), H_OK,
	         &f.err);
	T_EQ_INT(a.n_free, 1);
	if (a.n_free == 1) {
		T_EQ_INT(a.free[0].start, fx_at("2026-03-29T01:00:00Z"));
		T_EQ_INT(a.free[0].end, fx_at("2026-03-29T02:00:00Z"));
	}
	avail_release(&a);
	T_EQ_ERR(avail_read(&f, rn, fx_at("2027-10-31T00:00"), fx_at("2027-11-01T00:00"), &a), H_OK,
	         &f.err);
	T_EQ_INT(a.n_free, 1);
	if (a.n_free == 1) {
		T_EQ_INT(a.free[0].start, fx_at("2027-10-31T00:30:00Z"));
		T_EQ_INT(a.free[0].end, fx_at("2027-10-31T03:00:00Z"));
	}
	avail_release(&a);
	/* A booking in the repeated hour takes its buffers in real time: 15 minutes each side
	 * of 01:00Z-01:30Z (01:00-01:30 GMT, the second 01:00). */
	g = fx_group(&f, "Choir", 0);
	T_EQ_ERR(
	    fx_book(&f, rn, g, fx_at("2027-10-31T01:00:00Z"), fx_at("2027-10-31T01:30:00Z"), &b),
	    H_OK, &f.err);
	T_EQ_ERR(avail_read(&f, rn, fx_at("2027-10-31T00:00"), fx_at("2027-11-01T00:00"), &a), H_OK,
	         &f.err);
	T_EQ_INT(a.n_free, 2);
	if (a.n_free == 2) {
		T_EQ_INT(a.free[0].start, fx_at("2027-10-31T00:30:00Z"));
		T_EQ_INT(a.free[0].end, fx_at("2027-10-31T00:45:00Z"));
		T_EQ_INT(a.free[1].start, fx_at("2027-10-31T01:45:00Z"));
		T_EQ_INT(a.free[1].end, fx_at("2027-10-31T03:00:00Z"));
	}
	avail_release(&a);
	fx_close(&f);
}

TEST(avail_window_limits)
{
	struct fx f;
	struct avail a;
	uint64_t v, r;
	const int64_t day = fx_at("2026-03-10T00:00");

	T_ASSERT(fx_open(&f));
	v = fx_venue(&f, "Centre", NULL, NULL);
	r = fx_room(&f, v, NULL);
	T_ASSERT(v && r);
	T_EQ_ERR(avail_read(&f, r, day, day + AVAIL_MAX_DAYS * 24 * HOUR, &a), H_OK, &f.err);
	T_EQ_INT(a.n_free, AVAIL_MAX_DAYS); /* 08:00-23:00 every day */
	avail_release(&a);
	T_EQ_ERR(avail_read(&f, r, day, day + AVAIL_MAX_DAYS * 24 * HOUR + 1, &a), H_EINVAL,
	         &f.err);
	T_HAS_STR(f.err.msg, "at most 62 days");
	T_CHECK(a.busy == NULL && a.free == NULL);
	avail_release(&a);
	T_EQ_ERR(avail_read(&f, r, day, day, &a), H_EINVAL, &f.err);
	avail_release(&a);
	T_CHECK(!free_read(&f, r, day + 10 * HOUR, day + 10 * HOUR));
	T_CHECK(!free_read(&f, r, day + 11 * HOUR, day + 10 * HOUR));
	fx_close(&f);
}

/* The rules a request is judged by (hours_allow, closure_find, booking_blocks with the
 * buffers), asked directly: what booking_room_free used to compute on its own. */
static bool count_block(const struct block *b, void *arg)
{
	(void)b;
	++*(size_t *)arg;
	return false;
}

static bool free_by_rules(struct txn *t, const struct room *r, const struct venue *v, int64_t start,
                          int64_t end)
{
	size_t n = 0;

	if (!hours_allow(&v->hours, v->tz, start, end) ||
	    closure_find(t, r->id, r->venue_id, start, end) != 0)
		return false;
	booking_blocks(t, r->id, BOOKING_APPROVED, start, end, room_gap_seconds(r), count_block,
	               &n);
	return n == 0;
}

/* Whether [start, end) lies inside one free interval of a. */
static bool inside_free(const struct avail *a, int64_t start, int64_t end)
{
	for (size_t i = 0; i < a->n_free; i++)
		if (a->free[i].start <= start && end <= a->free[i].end)
			return true;
	return false;
}

/* Over random bookings and closures around the spring change, for every slot of a grid:
 * avail_room_free, the free intervals of a wider window, and the rules agree. */
TEST(avail_free_agrees)
{
	struct fx f;
	struct avail wide;
	struct room rm;
	struct venue ven;
	struct txn t;
	uint64_t v, r, g;
	const int64_t base = fx_at("2026-03-27T00:00");
	unsigned seed = 14;
	size_t disagree = 0, open = 0;

	T_ASSERT(fx_open(&f));
	v = fx_venue(&f, "Centre", NULL,
	             "mon-fri 09:00-12:00,13:00-22:00; sat-sun 01:00-04:00,10:00-18:00");
	r = fx_room(&f, v, "{\"setup_minutes\": 15, \"cleanup_minutes\": 15}");
	g = fx_group(&f, "Choir", 0);
	T_ASSERT(v && r && g);
	for (int i = 0; i < 40; i++) {
		int64_t s = base + (int64_t)(rand_r(&seed) % (5 * 96)) * 900;
		int64_t len = (int64_t)(1 + rand_r(&seed) % 8) * 1800;

		if (i % 5 == 0)
			fx_closure(&f, i % 10 == 0 ? CLOSURE_VENUE : CLOSURE_ROOM,
			           i % 10 == 0 ? v : r, s, s + len, NULL);
		else
			fx_book(&f, r, g, s, s + len, NULL); /* many are refused: that is fine */
	}
	T_ASSERT(db_read_begin(f.db, &t, &f.err) == H_OK);
	room_init(&rm);
	T_ASSERT(room_get(&t, r, &rm) == H_OK && venue_get(&t, v, &ven) == H_OK);
	T_ASSERT(avail_room(&t, &rm, &ven, base - 86400, base + 6 * 86400, &wide) == H_OK);
	for (int64_t s = base; s < base + 5 * 86400; s += 1800)
		for (int64_t len = 1800; len <= 4 * 3600; len += 1800) {
			bool a = avail_room_free(&t, &rm, &ven, s, s + len);
			bool b = inside_free(&wide, s, s + len);
			bool c = free_by_rules(&t, &rm, &ven, s, s + len);

			open += a;
			if (a != b || a != c) {
				if (disagree++ < 5)
					t_fail(__FILE__, __LINE__,
					       "slot %lld+%lld: avail_room_free %d, in a free "
					       "interval "
					       "%d, by the rules %d",
					       (long long)(s - base), (long long)len, a, b, c);
			}
		}
	T_EQ_INT(disagree, 0);
	T_CHECK(open > 50); /* the grid found free slots as well as busy ones */
	avail_release(&wide);
	venue_free(&ven);
	room_free(&rm);
	db_read_end(&t);
	fx_close(&f);
}

/* The free-room search (avail_search): capacity, features, the venue, and a window read
 * in each room's own zone, so that "19:00" means 19:00 in London and in New York. */
static bool collect_room(const struct room *r, void *arg)
{
	char *ids = arg;
	size_t n = strlen(ids);

	snprintf(ids + n, 128 - n, "%llu;", (unsigned long long)r->id);
	return true;
}

static enum herr search_read(struct fx *f, const struct avail_search *q, char ids[128])
{
	struct txn t;
	enum herr ret;

	ids[0] = '\0';
	if ((ret = db_read_begin(f->db, &t, &f->err)) != H_OK)
		return ret;
	ret = avail_search(&t, q, collect_room, ids);
	db_read_end(&t);
	return ret;
}

TEST(avail_search_rooms)
{
	struct fx f;
	struct avail_search q = {0};
	uint64_t lon, ny, hall, kitchen, loft, grp, b;
	char got[128], want[128];

	T_ASSERT(fx_open(&f));
	lon = fx_venue(&f, "Centre", NULL, "mon-sun 09:00-22:00");
	ny = fx_venue(&f, "Annex", "America/New_York", "mon-sun 09:00-22:00");
	hall = fx_room(&f, lon, "{\"name\": \"Hall\", \"capacity\": 120}");
	kitchen = fx_room(&f, lon,
	                  "{\"name\": \"Kitchen\", \"capacity\": 12, "
	                  "\"features\": [\"kitchen\", \"step_free\"]}");
	loft = fx_room(&f, ny,
	               "{\"name\": \"Loft\", \"capacity\": 40, "
	               "\"features\": [\"step_free\"]}");
	grp = fx_group(&f, "Chess Club", 0);
	T_ASSERT(lon && ny && hall && kitchen && loft && grp);

	T_EQ_ERR(search_read(&f, &q, got), H_OK, &f.err);
	snprintf(want, sizeof(want), "%llu;%llu;%llu;", (unsigned long long)hall,
	         (unsigned long long)kitchen, (unsigned long long)loft);
	T_EQ_STR(got, want);

	q.min_capacity = 40;
	T_EQ_ERR(search_read(&f, &q, got), H_OK, &f.err);
	snprintf(want, sizeof(want), "%llu;%llu;", (unsigned long long)hall,
	         (unsigned long long)loft);
	T_EQ_STR(got, want);

	q.min_capacity = 0;
	q.features = FEATURE_STEP_FREE;
	q.venue_id = lon;
	T_EQ_ERR(search_read(&f, &q, got), H_OK, &f.err);
	snprintf(want, sizeof(want), "%llu;", (unsigned long long)kitchen);
	T_EQ_STR(got, want);

	/* 19:00 to 21:00 on a Tuesday, in each room's zone: the hall is taken in London at
	 * 19:30 local; the loft is free at 19:00 New York time, which is midnight in London
	 * (outside the London hours, which do not apply to it). */
	q.features = 0;
	q.venue_id = 0;
	T_EQ_ERR(fx_book(&f, hall, grp, fx_at("2026-12-08T19:30:00Z"),
	                 fx_at("2026-12-08T20:00:00Z"), &b),
	         H_OK, &f.err);
	q.free_from = "2026-12-08T19:00";
	q.free_to = "2026-12-08T21:00";
	T_EQ_ERR(search_read(&f, &q, got), H_OK, &f.err);
	snprintf(want, sizeof(want), "%llu;%llu;", (unsigned long long)kitchen,
	         (unsigned long long)loft);
	T_EQ_STR(got, want);
	/* The loft taken at 19:00 New York time: read in London's zone it would look free. */
	T_EQ_ERR(fx_book(&f, loft, grp, fx_at("2026-12-10T00:00:00Z"),
	                 fx_at("2026-12-10T01:00:00Z"), &b),
	         H_OK, &f.err);
	q.free_from = "2026-12-09T19:00";
	q.free_to = "2026-12-09T21:00";
	T_EQ_ERR(search_read(&f, &q, got), H_OK, &f.err);
	snprintf(want, sizeof(want), "%llu;%llu;", (unsigned long long)hall,
	         (unsigned long long)kitchen);
	T_EQ_STR(got, want);
	/* 08:00 is before every opening. */
	q.free_from = "2026-12-08T08:00";
	q.free_to = "2026-12-08T09:30";
	T_EQ_ERR(search_read(&f, &q, got), H_OK, &f.err);
	T_EQ_STR(got, "");

	q.venue_id = 999;
	q.free_from = NULL;
	T_EQ_ERR(search_read(&f, &q, got), H_ENOTFOUND, &f.err);
	fx_close(&f);
}

/* avail_suggest for room room_id, [start, end) of attendees people at now, in a read
 * transaction of its own: the slots as "room start-end;" in UTC text. */
static size_t suggest_read(struct fx *f, uint64_t room_id, int64_t start, int64_t end,
                           uint32_t attendees, int64_t now, char *out, size_t size)
{
	struct avail_slot slots[AVAIL_SUGGEST_MAX];
	struct room r;
	struct venue v;
	struct txn t;
	size_t n = 0, used = 0;

	out[0] = '\0';
	if (db_read_begin(f->db, &t, &f->err) != H_OK)
		return 0;
	room_init(&r);
	if (room_get(&t, room_id, &r) == H_OK && venue_get(&t, r.venue_id, &v) == H_OK) {
		struct avail_want w = {&r, &v, start, end, attendees, now};

		n = avail_suggest(&t, &w, slots, AVAIL_SUGGEST_MAX);
		venue_free(&v);
	}
	T_EQ_INT(t.ret, H_OK);
	room_free(&r);
	db_read_end(&t);
	/* "room HH:MM:SS+00:00-HH:MM:SS+00:00;", with "@date" before the ";" off the day. */
	for (size_t i = 0; i < n && used < size; i++) {
		char a[32], b[32];

		time_format(slots[i].start, "UTC", a);
		time_format(slots[i].end, "UTC", b);
		/* The day too, for the slots not on the day asked. */
		bool off = strncmp(a, "2026-03-28", 10) != 0;

		used += (size_t)snprintf(out + used, size - used, "%llu %s-%s%s%.*s;",
		                         (unsigned long long)slots[i].room_id, a + 11, b + 11,
		                         off ? "@" : "", off ? 10 : 0, a);
	}
	return n;
}

/* Near the slot asked for: before and after on the day, then the same wall-clock time on
 * the days around (the day after is the spring clock change, 23 hours long: 14:30 BST is
 * 13:30Z), then the same slot in a room of the venue that holds the attendees. */
TEST(avail_suggest_near)
{
	struct fx f;
	uint64_t v, r, big, small, g;
	const int64_t day = fx_at("2026-03-28T00:00:00+00:00"); /* a Saturday, GMT */
	char got[1024], want[1024];
	size_t n;

	T_ASSERT(fx_open(&f));
	v = fx_venue(&f, "Centre", "Europe/London", "mon-sun 09:00-17:00");
	r = fx_room(&f, v, "{\"capacity\": 20}");
	small = fx_room(&f, v, "{\"name\": \"Snug\", \"capacity\": 5}");
	big = fx_room(&f, v, "{\"name\": \"Hall\", \"capacity\": 100}");
	g = fx_group(&f, "Choir", 0);
	T_ASSERT(v && r && small && big && g);
	T_EQ_ERR(fx_book(&f, r, g, day + 14 * HOUR, day + 16 * HOUR, NULL), H_OK, &f.err);

	/* Asked the week before: 14:30-15:30 for 10 people. */
	n = suggest_read(&f, r, day + 14 * HOUR + 1800, day + 15 * HOUR + 1800, 10,
	                 day - 7 * 24 * HOUR, got, sizeof(got));
	T_EQ_INT(n, 5);
	snprintf(want, sizeof(want),
	         "%llu 13:00:00+00:00-14:00:00+00:00;%llu 16:00:00+00:00-17:00:00+00:00;"
	         "%llu 13:30:00+00:00-14:30:00+00:00@2026-03-29;%llu "
	         "14:30:00+00:00-15:30:00+00:00@2026-03-27;"
	         "%llu 14:30:00+00:00-15:30:00+00:00;",
	         (unsigned long long)r, (unsigned long long)r, (unsigned long long)r,
	         (unsigned long long)r, (unsigned long long)big);
	T_EQ_STR(got, want);

	/* Asked at 13:40 that day: nothing before now (on a quarter hour), nothing the day
	 * before; the later days fill in. */
	n = suggest_read(&f, r, day + 14 * HOUR + 1800, day + 15 * HOUR + 1800, 10,
	                 day + 13 * HOUR + 40 * 60, got, sizeof(got));
	T_EQ_INT(n, 5);
	snprintf(want, sizeof(want),
	         "%llu 16:00:00+00:00-17:00:00+00:00;%llu 13:30:00+00:00-14:30:00+00:00@2026-03-29;"
	         "%llu 13:30:00+00:00-14:30:00+00:00@2026-03-30;%llu "
	         "13:30:00+00:00-14:30:00+00:00@2026-03-31;"
	         "%llu 14:30:00+00:00-15:30:00+00:00;",
	         (unsigned long long)r, (unsigned long long)r, (unsigned long long)r,
	         (unsigned long long)r, (unsigned long long)big);
	T_EQ_STR(got, want);

	/* The hall taken too, and the snug too small: only the same room, up to the limit. */
	T_EQ_ERR(fx_book(&f, big, g, day + 15 * HOUR, day + 16 * HOUR, NULL), H_OK, &f.err);
	n = suggest_read(&f, r, day + 14 * HOUR + 1800, day + 15 * HOUR + 1800, 10,
	                 day - 7 * 24 * HOUR, got, sizeof(got));
	T_EQ_INT(n, 5);
	T_CHECK(strstr(got, "@2026-03-30") != NULL);
	T_CHECK(strstr(got, "14:30:00+00:00-15:30:00+00:00;") == NULL);
	fx_close(&f);
}
