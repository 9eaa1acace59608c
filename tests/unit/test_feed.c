/* Feeds: what each kind of feed shows of one-off bookings and of a series with a
 * cancelled and a moved date, that an unchanged store gives the same bytes, and that a
 * feed reads only its window, never the bookings of the months before it. */
#include "t.h"

#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONSOLE ACTOR_CONSOLE

struct fworld {
	struct fx f;
	uint64_t venue, room, group, other;
	uint64_t series, pending, open_day;
};

struct op_series {
	struct series s;
	struct series_outcome out;
	int64_t now;
};

static enum herr op_create(struct txn *t, void *arg)
{
	struct op_series *o = arg;

	series_outcome_free(&o->out);
	o->s.id = 0;
	return series_create(t, &CONSOLE, &o->s, true, false, o->now, &o->out);
}

struct id_list {
	uint64_t *ids;
	size_t n, max;
};

static bool id_add(const struct booking *b, void *arg)
{
	struct id_list *l = arg;

	if (l->n < l->max)
		l->ids[l->n++] = b->id;
	return true;
}

static size_t occ_ids(struct fworld *w, uint64_t *ids, size_t max)
{
	struct id_list l = {ids, 0, max};
	struct txn t;

	if (db_read_begin(w->f.db, &t, &w->f.err) != H_OK)
		return 0;
	series_each_occurrence(&t, w->series, id_add, &l);
	db_read_end(&t);
	return l.n;
}

/* A venue with a room, a group whose weekly series (private) crosses the October 2026
 * clock change with the third date cancelled and the fourth moved an hour later, a
 * pending one-off request and an approved public open day. */
static bool fworld_open(struct fworld *w)
{
	struct op_series o = {.now = T_NOW};
	uint64_t ids[16];
	char fields[96];
	struct booking open_day;

	memset(w, 0, sizeof(*w));
	if (!fx_open(&w->f))
		return false;
	w->venue = fx_venue(&w->f, "Riverside Centre, \"Hall\"; North", T_ZONE, T_HOURS);
	w->room = fx_room(&w->f, w->venue, "{\"horizon_days\": 1000}");
	w->group = fx_group(&w->f, "Knitters", 0);
	w->other = fx_group(&w->f, "Chess Club", 0);
	series_init(&o.s);
	o.s.room_id = w->room;
	o.s.group_id = w->group;
	o.s.title = xstrdup("Knit, natter; and \\ tea");
	o.s.first_start = fx_at("2026-10-06T19:00");
	o.s.duration = 7200;
	o.s.rrule = xstrdup("FREQ=WEEKLY;BYDAY=TU;COUNT=6");
	if (db_write(w->f.db, op_create, &o, &w->f.err) != H_OK)
		return false;
	w->series = o.s.id;
	series_free(&o.s);
	series_outcome_free(&o.out);
	if (occ_ids(w, ids, 16) != 6 || fx_cancel(&w->f, CONSOLE, ids[2]) != H_OK)
		return false;
	snprintf(fields, sizeof(fields), "{\"start\": %lld, \"end\": %lld}",
	         (long long)fx_at("2026-10-27T20:00"), (long long)fx_at("2026-10-27T22:00"));
	if (fx_update(&w->f, CONSOLE, ids[3], fields) != H_OK)
		return false;
	if (fx_request(&w->f, CONSOLE, w->room, w->other, fx_at("2026-11-05T10:00"),
	               fx_at("2026-11-05T11:00"), false, &w->pending, NULL) != H_OK)
		return false;
	booking_init(&open_day);
	open_day.room_id = w->room;
	open_day.group_id = w->other;
	open_day.title = "Open day";
	open_day.public = true;
	open_day.start = fx_at("2026-11-07T10:00");
	open_day.end = fx_at("2026-11-07T16:00");
	return fx_request_b(&w->f, CONSOLE, &open_day, true, &w->open_day, NULL) == H_OK;
}

/* The feed's text, its events looked up in memo (NULL: none). */
static char *feed_text_memo(struct fworld *w, enum feed_kind kind, uint64_t id, int64_t now,
                            struct ics_memo *memo)
{
	struct feed_scope scope = {kind, id, now, memo};
	struct feed f;
	struct txn t;
	char *text = NULL;

	if (db_read_begin(w->f.db, &t, &w->f.err) != H_OK)
		return NULL;
	if (feed_build(&t, &scope, &f) == H_OK)
		text = f.text;
	else
		free(f.text);
	db_read_end(&t);
	if (text != NULL && getenv("HALLS_FEED_SAMPLE") != NULL && kind == FEED_GROUP) {
		FILE *out = fopen(getenv("HALLS_FEED_SAMPLE"), "w");

		if (out != NULL) {
			fputs(text, out);
			fclose(out);
		}
	}
	return text;
}

static char *feed_text_at(struct fworld *w, enum feed_kind kind, uint64_t id, int64_t now)
{
	return feed_text_memo(w, kind, id, now, NULL);
}

static char *feed_text(struct fworld *w, enum feed_kind kind, uint64_t id)
{
	return feed_text_at(w, kind, id, T_NOW);
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

TEST(feed_public_room)
{
	struct fworld w;
	char *a, *b;

	T_ASSERT(fworld_open(&w));
	a = feed_text(&w, FEED_ROOM, w.room);
	T_ASSERT(a != NULL);
	if (a != NULL) {
		/* The private series is "Booked", one VEVENT with its rule, the cancelled date
		 * an EXDATE and the moved one an override. */
		T_EQ_INT(count(a, "BEGIN:VEVENT"), 3);
		T_EQ_INT(count(a, "RRULE:FREQ=WEEKLY"), 1);
		T_EQ_INT(count(a, "EXDATE;TZID=Europe/London:20261020T190000"), 1);
		T_EQ_INT(count(a, "RECURRENCE-ID;TZID=Europe/London:20261027T190000"), 1);
		T_EQ_INT(count(a, "DTSTART;TZID=Europe/London:20261027T200000"), 1);
		T_EQ_INT(count(a, "SUMMARY:Booked"), 2);
		T_ASSERT(strstr(a, "Knit") == NULL);
		/* The pending request is not public; the public open day shows its title. */
		T_ASSERT(strstr(a, "20261105") == NULL);
		T_EQ_INT(count(a, "SUMMARY:Open day"), 1);
		T_EQ_INT(count(a, "BEGIN:VTIMEZONE"), 1);
		T_ASSERT(strstr(a, "TZID:Europe/London") != NULL);
		T_ASSERT(strstr(a, "Chess") == NULL);
	}
	/* Nothing changed: the same bytes. */
	b = feed_text(&w, FEED_ROOM, w.room);
	T_ASSERT(a != NULL && b != NULL && strcmp(a, b) == 0);
	free(a);
	free(b);
	a = feed_text(&w, FEED_BUSY, w.room);
	T_ASSERT(a != NULL);
	if (a != NULL) {
		T_EQ_INT(count(a, "SUMMARY:Busy"), 3);
		T_ASSERT(strstr(a, "Open day") == NULL && strstr(a, "DESCRIPTION") == NULL);
	}
	free(a);
	fx_close(&w.f);
}

TEST(feed_private_group_and_manager)
{
	struct fworld w;
	uint64_t manager;
	char *a;

	T_ASSERT(fworld_open(&w));
	a = feed_text(&w, FEED_GROUP, w.group);
	T_ASSERT(a != NULL);
	if (a != NULL) {
		/* Its own title, escaped; the other group's bookings are not there. */
		T_ASSERT(strstr(a, "SUMMARY:Knit\\, natter\\; and \\\\ tea") != NULL);
		T_ASSERT(strstr(a, "Open day") == NULL);
		T_EQ_INT(count(a, "EXDATE"), 1);
	}
	free(a);
	a = feed_text(&w, FEED_GROUP, w.other);
	T_ASSERT(a != NULL);
	if (a != NULL) {
		/* The pending request is TENTATIVE in its group's feed. */
		T_EQ_INT(count(a, "STATUS:TENTATIVE"), 1);
		T_EQ_INT(count(a, "STATUS:CONFIRMED"), 1);
	}
	free(a);
	manager = fx_user(&w.f, "manager@example.org", ROLE_MANAGER, w.venue);
	a = feed_text(&w, FEED_MANAGER, manager);
	T_ASSERT(a != NULL);
	if (a != NULL) {
		T_EQ_INT(count(a, "BEGIN:VEVENT"), 4);
		T_ASSERT(strstr(a, "(Chess Club)") != NULL);
		T_EQ_INT(count(a, "STATUS:TENTATIVE"), 1);
	}
	free(a);
	/* A request cancelled before approval was never public: not even as CANCELLED. */
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, w.pending), H_OK, &w.f.err);
	a = feed_text(&w, FEED_ROOM, w.room);
	T_ASSERT(a != NULL && strstr(a, "20261105") == NULL);
	free(a);
	a = feed_text(&w, FEED_GROUP, w.other);
	T_ASSERT(a != NULL && strstr(a, "20261105") != NULL);
	if (a != NULL)
		T_EQ_INT(count(a, "STATUS:CANCELLED"), 1);
	free(a);
	/* An approved booking cancelled stays in the public feed as CANCELLED. */
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, w.open_day), H_OK, &w.f.err);
	a = feed_text(&w, FEED_ROOM, w.room);
	T_ASSERT(a != NULL && strstr(a, "SUMMARY:Open day") != NULL);
	if (a != NULL)
		T_EQ_INT(count(a, "STATUS:CANCELLED"), 1);
	free(a);
	T_ASSERT(feed_text(&w, FEED_ROOM, 999) == NULL);
	T_EQ_INT(w.f.err.code, H_ENOTFOUND);
	fx_close(&w.f);
}

/* A weekly series of w's group in w's room, Tuesdays at 10:00 from first; its id. */
static uint64_t tuesdays(struct fworld *w, const char *first, int count_)
{
	struct op_series o = {.now = T_NOW};
	char rule[48];
	uint64_t id;

	series_init(&o.s);
	o.s.room_id = w->room;
	o.s.group_id = w->group;
	o.s.title = xstrdup("Mending");
	o.s.public = true;
	o.s.first_start = fx_at(first);
	o.s.duration = 7200;
	snprintf(rule, sizeof(rule), "FREQ=WEEKLY;BYDAY=TU;COUNT=%d", count_);
	o.s.rrule = xstrdup(rule);
	id = db_write(w->f.db, op_create, &o, &w->f.err) == H_OK ? o.s.id : 0;
	series_free(&o.s);
	series_outcome_free(&o.out);
	return id;
}

struct garbage {
	const uint64_t *ids;
	size_t n;
};

/* Overwrites records with bytes no decoder accepts: any read of them fails the
 * transaction (H_ESTORAGE), so a feed that still builds never read them. */
static enum herr op_garble(struct txn *t, void *arg)
{
	const struct garbage *g = arg;

	for (size_t i = 0; i < g->n; i++) {
		struct key k = key_id(g->ids[i]);

		txn_put(t, DBI_BOOKING, &k, "\x01{", 2);
	}
	return t->ret;
}

static bool count_one(const struct booking *b, void *arg)
{
	(void)b;
	++*(size_t *)arg;
	return true;
}

TEST(feed_reads_only_its_window)
{
	/* 2026-10-20T12:00Z: the window starts 31 days before, on 19 September. */
	const int64_t now = 1792497600;
	const enum feed_kind kinds[] = {FEED_ROOM, FEED_BUSY,  FEED_VENUE,
	                                FEED_ALL,  FEED_GROUP, FEED_MANAGER};
	const char *old_days[] = {"2026-04-07T09:00", "2026-04-14T09:00", "2026-06-02T09:00"};
	char *before[6] = {NULL}, *after, uid[64];
	uint64_t old[3], ids[16], scope[6], long_series, past_series;
	struct garbage g = {old, 3};
	struct booking_filter f;
	struct fworld w;
	struct txn t;
	size_t n = 0;

	T_ASSERT(fworld_open(&w));
	/* History: one-offs of April and June, a series over by the end of May, and a
	 * series from August into the window, its second date cancelled and its third
	 * moved, both before the window. */
	for (size_t i = 0; i < 3; i++)
		T_EQ_ERR(fx_book(&w.f, w.room, w.group, fx_at(old_days[i]),
		                 fx_at(old_days[i]) + 3600, &old[i]),
		         H_OK, &w.f.err);
	past_series = tuesdays(&w, "2026-05-05T10:00", 4);
	long_series = w.series = tuesdays(&w, "2026-08-04T10:00", 12);
	T_ASSERT(past_series != 0 && long_series != 0 && occ_ids(&w, ids, 16) == 12);
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, ids[1]), H_OK, &w.f.err);
	T_EQ_ERR(fx_update(&w.f, CONSOLE, ids[2], "{\"title\": \"Mending, upstairs\"}"), H_OK,
	         &w.f.err);
	scope[0] = scope[1] = w.room;
	scope[2] = w.venue;
	scope[3] = 0;
	scope[4] = w.group;
	scope[5] = fx_user(&w.f, "manager@example.org", ROLE_MANAGER, w.venue);
	for (size_t i = 0; i < 6; i++)
		T_ASSERT((before[i] = feed_text_at(&w, kinds[i], scope[i], now)) != NULL);
	if (before[0] != NULL) {
		/* The series that began before the window is whole: its rule from August, the
		 * cancelled date an EXDATE, the renamed one an override. */
		T_EQ_INT(count(before[0], "DTSTART;TZID=Europe/London:20260804T100000"), 1);
		T_EQ_INT(count(before[0], "EXDATE;TZID=Europe/London:20260811T100000"), 1);
		T_EQ_INT(count(before[0], "RECURRENCE-ID;TZID=Europe/London:20260818T100000"), 1);
		T_EQ_INT(count(before[0], "SUMMARY:Mending\\, upstairs"), 1);
		/* One-offs a month past, and a series whose every date is, are not on. */
		T_ASSERT(strstr(before[0], "202604") == NULL &&
		         strstr(before[0], "20260602") == NULL);
		snprintf(uid, sizeof(uid), "UID:series-%llu@", (unsigned long long)past_series);
		T_ASSERT(strstr(before[0], uid) == NULL);
	}
	/* Make the history unreadable: every feed is the same bytes, so none read it. */
	T_EQ_ERR(db_write(w.f.db, op_garble, &g, &w.f.err), H_OK, &w.f.err);
	for (size_t i = 0; i < 6; i++) {
		after = feed_text_at(&w, kinds[i], scope[i], now);
		T_ASSERT(after != NULL && before[i] != NULL && strcmp(after, before[i]) == 0);
		free(after);
		free(before[i]);
	}
	/* A walk of the whole history does read them, and fails. */
	T_EQ_ERR(db_read_begin(w.f.db, &t, &w.f.err), H_OK, &w.f.err);
	booking_filter_init(&f);
	f.room_id = w.room;
	T_EQ_INT(booking_each(&t, &f, count_one, &n), H_ESTORAGE);
	db_read_end(&t);
	fx_close(&w.f);
}

/* A memo of event texts changes no byte of any feed; built again, a feed copies every
 * event from it, and after a change renders only the events that changed. */
TEST(feed_memo_same_bytes)
{
	const enum feed_kind kinds[] = {FEED_ROOM, FEED_BUSY,  FEED_VENUE,
	                                FEED_ALL,  FEED_GROUP, FEED_MANAGER};
	struct ics_memo *memo = ics_memo_new(1000, 1 << 20);
	uint64_t scope[6];
	struct ics_memo_stats st;
	struct fworld w;
	char *plain, *got;

	T_ASSERT(fworld_open(&w));
	scope[0] = scope[1] = w.room;
	scope[2] = w.venue;
	scope[3] = 0;
	scope[4] = w.group;
	scope[5] = fx_user(&w.f, "manager@example.org", ROLE_MANAGER, w.venue);
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < 6; i++) {
			size_t events;

			plain = feed_text(&w, kinds[i], scope[i]);
			st = ics_memo_stats(memo);
			got = feed_text_memo(&w, kinds[i], scope[i], T_NOW, memo);
			T_ASSERT(plain != NULL && got != NULL);
			T_EQ_STR(got, plain);
			events = count(plain, "BEGIN:VEVENT");
			T_CHECK(events > 0);
			/* Built before (or with the same events as a feed before): all copied. */
			if (round > 0)
				T_EQ_INT(ics_memo_stats(memo).hits, st.hits + events);
			free(plain);
			free(got);
		}
	}
	/* The open day renamed: one event of the room feed is new, the rest are copied. */
	T_EQ_ERR(fx_update(&w.f, CONSOLE, w.open_day, "{\"title\": \"Open day, all\"}"), H_OK,
	         &w.f.err);
	st = ics_memo_stats(memo);
	plain = feed_text(&w, FEED_ROOM, w.room);
	got = feed_text_memo(&w, FEED_ROOM, w.room, T_NOW, memo);
	T_ASSERT(plain != NULL && got != NULL);
	T_EQ_STR(got, plain);
	T_HAS_STR(got, "SUMMARY:Open day\\, all");
	T_EQ_INT(ics_memo_stats(memo).misses, st.misses + 1);
	T_EQ_INT(ics_memo_stats(memo).hits, st.hits + count(plain, "BEGIN:VEVENT") - 1);
	free(plain);
	free(got);
	ics_memo_free(memo);
	fx_close(&w.f);
}
