/* `halls init --demo`: a believable London borough, made in one write transaction
 * through the same core calls as everything else (venue_create, booking_request,
 * booking_approve...), acting as the console, so every rule applies.
 *
 * Bookings fall in the six weeks after cli->now, at local times inside each venue's
 * opening hours, and not on the holidays. Each is requested in a nested transaction
 * (txn_try), so that when a rule refuses it (a clash, the Christmas closure) only that
 * booking is undone and skipped, and the rest of the demo goes on.
 *
 * Like an import, the demo goes only into an empty store (dump_refuse_filled). */
#include "cli.h"
#include "demo.h"

#include <stdlib.h>
#include <string.h>

#define DEMO_PASSWORD "demo-password"
/* Demo data should be quick to make: scrypt with N = 2^12 unless HALLS_SCRYPT_LOG2N
 * says otherwise. Real accounts get AUTH_SCRYPT_LOG2N_DEFAULT. */
#define DEMO_LOG2N 12

static const struct demo_venue {
	const char *name, *address, *hours, *description, *accessibility;
} demo_venues[] = {
    {"Hartley Road Community Centre", "14 Hartley Road, London E5 8QJ",
     "mon-fri 09:00-22:00; sat 09:00-18:00; sun 10:00-16:00",
     "A 1970s community centre run by the council, with a large main hall, a committee room "
     "and a community kitchen. Home to many of the borough's residents' groups.",
     "Step-free entrance from Hartley Road; accessible toilet and baby change on the ground "
     "floor; hearing loop in the main hall. Two blue-badge bays."},
    {"Marsh Lane Library", "Marsh Lane, London E10 7BL", "mon-fri 09:30-20:00; sat 10:00-17:00",
     "The borough's busiest branch library. Its community room hosts advice sessions, "
     "talks and workshops; the study room suits small groups.",
     "Level access and a lift to the first-floor community room; accessible toilet; hearing "
     "loop at the counter and in the community room."},
    {"St Aidan's Primary School Hall", "Cavendish Road, London E5 9QS",
     "mon-fri 17:00-22:00; sat 09:00-17:00",
     "The school's hall and music room, let to the community in the evenings and on "
     "Saturdays. Sprung floor, stage and a grand piano.",
     "Enter by the Cavendish Road gate; ramp to the hall. The music room is up one flight of "
     "stairs."},
    {"Brook Park Pavilion", "Brook Park, Orchard Way, London E9 6JN",
     "mon-fri 08:00-21:00; sat-sun 07:00-20:00",
     "A rebuilt park pavilion beside the football pitches, with a hall, a small meeting room "
     "and a kitchen serving the terrace.",
     "Step-free throughout; accessible toilet and changing; parking in Orchard Way."},
    {"St Mary's Church Hall", "1 Church Street, London E8 2PQ",
     "mon-sat 09:00-22:00; sun 13:00-18:00",
     "A Victorian church hall let by the parish: a main hall with a stage and piano, a small "
     "hall, and a garden room opening onto the churchyard garden.",
     "Ramp at the Church Street door; the garden room has two steps. Hearing loop in the "
     "main hall."},
    {"Northside Youth Centre", "27 Kingsmead Way, London E9 5PU",
     "mon-fri 15:00-22:00; sat 10:00-18:00",
     "The council's youth centre on the Northside estate: a sports hall, a music studio and "
     "an activity room with a kitchen.",
     "Step-free; lift to the music studio; accessible toilet on each floor."},
};
#define DEMO_NVENUES (sizeof(demo_venues) / sizeof(demo_venues[0]))

static const struct demo_room {
	int venue;
	const char *name;
	unsigned capacity, setup, cleanup, min, max, notice, horizon;
	const char *approval;
	const char *features[6];
	const char *description;
} demo_rooms[] = {
    {0,
     "Main Hall",
     150,
     30,
     30,
     60,
     480,
     1440,
     365,
     "manual",
     {"step_free", "hearing_loop", "stage", "kitchen", "accessible_toilet", "baby_change"},
     "The largest hall in the centre: seats 150, or 200 standing."},
    {0,
     "Committee Room",
     16,
     10,
     10,
     30,
     240,
     60,
     90,
     "auto",
     {"step_free", "projector", "wifi"},
     "A boardroom table for sixteen and a screen."},
    {0,
     "Community Kitchen",
     12,
     15,
     15,
     60,
     240,
     1440,
     180,
     "trusted",
     {"kitchen", "step_free"},
     "A training kitchen with six cooking stations."},
    {1,
     "Community Room",
     40,
     15,
     15,
     60,
     240,
     1440,
     180,
     "trusted",
     {"step_free", "hearing_loop", "projector", "wifi", "accessible_toilet"},
     "The first-floor room at the back of the library."},
    {1,
     "Study Room",
     8,
     0,
     0,
     30,
     180,
     0,
     60,
     "auto",
     {"wifi"},
     "A quiet room for small groups; no food or drink."},
    {2,
     "School Hall",
     200,
     30,
     30,
     60,
     300,
     1440,
     365,
     "manual",
     {"stage", "piano", "sports_floor", "parking"},
     "Sprung floor, stage and a grand piano."},
    {2,
     "Music Room",
     25,
     10,
     10,
     60,
     180,
     1440,
     180,
     "manual",
     {"piano"},
     "Upstairs; an upright piano and twenty-five chairs."},
    {3,
     "Pavilion Hall",
     60,
     15,
     30,
     60,
     480,
     1440,
     365,
     "trusted",
     {"kitchen", "outdoor_space", "parking", "accessible_toilet", "step_free"},
     "Opens onto the terrace over the pitches."},
    {3,
     "Meeting Room",
     12,
     0,
     10,
     30,
     180,
     60,
     90,
     "auto",
     {"step_free", "wifi"},
     "A small room off the pavilion hall."},
    {4,
     "Main Hall",
     100,
     30,
     30,
     60,
     360,
     1440,
     365,
     "manual",
     {"stage", "piano", "kitchen", "hearing_loop"},
     "The parish hall, with a stage and piano."},
    {4,
     "Small Hall",
     30,
     15,
     15,
     60,
     240,
     1440,
     180,
     "trusted",
     {"kitchen"},
     "A smaller hall with its own kitchenette."},
    {4,
     "Garden Room",
     15,
     0,
     0,
     30,
     180,
     0,
     90,
     "auto",
     {"outdoor_space"},
     "A light room opening onto the churchyard garden."},
    {5,
     "Sports Hall",
     80,
     15,
     15,
     60,
     240,
     1440,
     180,
     "manual",
     {"sports_floor", "step_free"},
     "A four-court sports hall; non-marking shoes only."},
    {5,
     "Music Studio",
     10,
     10,
     10,
     60,
     180,
     60,
     90,
     "trusted",
     {"wifi", "step_free"},
     "A sound-proofed studio with a PA and a drum kit."},
    {5,
     "Activity Room",
     30,
     10,
     10,
     30,
     240,
     60,
     90,
     "auto",
     {"projector", "wifi", "kitchen", "step_free"},
     "Tables, a screen and a kitchen hatch."},
};
#define DEMO_NROOMS (sizeof(demo_rooms) / sizeof(demo_rooms[0]))

static const struct demo_group {
	const char *name, *kind, *contact, *description;
	int trusted[3]; /* venue indexes + 1; 0 ends */
} demo_groups[] = {
    {"Tuesday Knitters",
     "community",
     "Pat Okafor, 020 7946 0112",
     "Knitting, crochet and a cup of tea. All welcome.",
     {0}},
    {"Riverside Youth FC",
     "charity",
     "fixtures@riversideyouthfc.example",
     "Football for girls and boys aged 6 to 16.",
     {4, 6}},
    {"Hartley Road Residents' Association",
     "community",
     "chair@hartleyroad.example",
     "Residents of Hartley Road and the streets around it.",
     {1}},
    {"St Aidan's PTA",
     "school",
     "pta@staidans.example",
     "Parents and teachers raising funds for St Aidan's Primary.",
     {3}},
    {"Age Well Lunch Club",
     "charity",
     "Margaret Doyle, 020 7946 0458",
     "A hot lunch and company for older residents, twice a week.",
     {1, 5}},
    {"Brook Park Yoga",
     "commercial",
     "hello@brookparkyoga.example",
     "Pay-as-you-go yoga classes for all levels.",
     {0}},
    {"Citizens Advice Outreach",
     "charity",
     "outreach@citizensadvice-borough.example",
     "Free, confidential advice on debt, benefits, housing and work.",
     {2}},
    {"Northside Coding Club",
     "community",
     "Dev Patel, 020 7946 0731",
     "Volunteers teaching young people to code.",
     {6}},
    {"Borough Elections Office",
     "council",
     "elections@borough.example",
     "Runs elections and trains poll staff.",
     {1, 2, 3}},
    {"Lea Valley Community Choir",
     "community",
     "sing@leavalleychoir.example",
     "A non-auditioned choir of about fifty voices.",
     {5}},
};
#define DEMO_NGROUPS (sizeof(demo_groups) / sizeof(demo_groups[0]))

static const struct demo_user {
	const char *name, *email, *role;
	int venues[3]; /* venue indexes + 1; 0 ends */
	int groups[3]; /* group indexes + 1 */
} demo_users[] = {
    {"Alex Morgan", "admin@halls.example", "admin", {0}, {0}},
    {"Priya Shah", "manager.hartley@halls.example", "manager", {1}, {0}},
    {"Tom Greene", "manager.library@halls.example", "manager", {2}, {0}},
    {"Grace Adeyemi", "manager.staidans@halls.example", "manager", {3}, {0}},
    {"Sam O'Neill", "manager.parks@halls.example", "manager", {4, 6}, {0}},
    {"Revd Ruth Ellis", "manager.stmarys@halls.example", "manager", {5}, {0}},
    {"Pat Okafor", "pat@knitters.example", "member", {0}, {1}},
    {"Jordan Blake", "jordan@riversideyouthfc.example", "member", {0}, {2}},
    {"Helen Marsh", "helen@hartleyroad.example", "member", {0}, {3, 5}},
    {"Chris Wu", "chris@staidans.example", "member", {0}, {4}},
    {"Dev Patel", "dev@northsidecode.example", "member", {0}, {8}},
    {"Ana Costa", "ana@leavalleychoir.example", "member", {0}, {10}},
};
#define DEMO_NUSERS (sizeof(demo_users) / sizeof(demo_users[0]))

enum demo_target { DEMO_PENDING, DEMO_APPROVED, DEMO_DECLINED, DEMO_CANCELLED, DEMO_APPROVE_LAST };

/* A booking, repeated weekly `weeks` times from week `week` of the six. */
static const struct demo_booking {
	int room, group;
	int wday; /* 0 = Monday */
	int week, weeks;
	int hour, min, minutes;
	const char *title;
	unsigned attendees;
	bool public;
	enum demo_target target;
	const char *note;
	bool overlap_pending; /* may overlap a pending request (the conflict example) */
} demo_bookings[] = {
    {1, 0, 1, 0, 6, 19, 0, 120, "Knit and natter", 10, true, DEMO_APPROVED, NULL, false},
    {0, 4, 3, 0, 4, 12, 0, 150, "Thursday lunch club", 45, true, DEMO_APPROVED, "Welcome back",
     false},
    {0, 2, 2, 1, 1, 19, 0, 120, "Residents' meeting", 60, true, DEMO_APPROVED, NULL, false},
    {2, 2, 5, 2, 1, 10, 0, 180, "Community breakfast preparation", 8, false, DEMO_APPROVED, NULL,
     false},
    {7, 5, 5, 0, 1, 9, 0, 90, "Saturday yoga", 20, true, DEMO_APPROVED, NULL, false},
    {7, 5, 5, 1, 2, 9, 0, 90, "Saturday yoga", 20, true, DEMO_PENDING, NULL, false},
    {7, 1, 6, 0, 5, 10, 0, 180, "Under-11s training and match tea", 40, true, DEMO_APPROVED, NULL,
     false},
    {3, 6, 0, 0, 4, 10, 0, 180, "Drop-in advice session", 20, true, DEMO_APPROVED, NULL, false},
    {4, 7, 2, 0, 2, 16, 0, 90, "Exam revision group", 6, false, DEMO_APPROVED, NULL, false},
    {5, 3, 4, 3, 1, 18, 0, 210, "Winter fair", 180, true, DEMO_APPROVED, "Stage and piano included",
     false},
    {6, 3, 1, 1, 1, 19, 0, 90, "PTA committee", 12, false, DEMO_PENDING, NULL, false},
    {9, 9, 3, 0, 5, 19, 30, 120, "Choir rehearsal", 50, false, DEMO_APPROVED, NULL, false},
    {9, 9, 5, 4, 1, 18, 0, 180, "Winter concert", 100, true, DEMO_PENDING, NULL, false},
    {10, 9, 0, 1, 1, 19, 0, 90, "Sectional rehearsal", 20, false, DEMO_APPROVED, NULL, false},
    {10, 4, 2, 0, 2, 14, 0, 120, "Tea dance", 25, true, DEMO_APPROVED, NULL, false},
    {11, 5, 6, 0, 2, 14, 0, 60, "Garden yoga", 12, true, DEMO_APPROVED, NULL, false},
    {11, 5, 6, 2, 1, 14, 0, 60, "Garden yoga", 12, true, DEMO_CANCELLED, "Instructor unwell",
     false},
    {14, 7, 1, 0, 5, 17, 0, 120, "Code Club", 20, true, DEMO_APPROVED, NULL, false},
    {12, 1, 2, 0, 1, 18, 0, 120, "Indoor training", 30, false, DEMO_APPROVED, NULL, false},
    {12, 1, 2, 1, 1, 18, 0, 120, "Indoor training", 30, false, DEMO_PENDING, NULL, false},
    {12, 1, 2, 2, 1, 18, 0, 120, "Indoor training", 30, false, DEMO_DECLINED,
     "The hall is taken for a borough tournament that evening", false},
    {13, 7, 4, 2, 1, 17, 0, 120, "Podcast workshop", 8, false, DEMO_APPROVED, NULL, false},
    {9, 0, 5, 5, 1, 10, 0, 240, "Craft fair", 80, true, DEMO_DECLINED,
     "Clashes with the church bazaar", false},
    {0, 8, 5, 4, 1, 9, 0, 480, "Poll staff training", 60, false, DEMO_PENDING, NULL, false},
    {0, 2, 4, 2, 1, 19, 0, 180, "Quiz night", 80, true, DEMO_APPROVE_LAST, NULL, false},
    {0, 5, 4, 2, 1, 19, 30, 120, "Charity yoga evening", 40, true, DEMO_PENDING, NULL, true},
    {8, 4, 3, 1, 1, 10, 0, 60, "Lunch club planning", 6, false, DEMO_CANCELLED, "Moved online",
     false},
    {3, 0, 5, 1, 1, 11, 0, 120, "Knitting for beginners", 15, true, DEMO_PENDING, NULL, false},
    {5, 5, 0, 0, 1, 19, 0, 60, "Yoga in the school hall", 30, true, DEMO_DECLINED,
     "We do not let the school hall for commercial classes in term time", false},
    {6, 9, 5, 2, 1, 10, 0, 120, "Children's choir workshop", 20, true, DEMO_CANCELLED,
     "Not enough sign-ups", false},
};
#define DEMO_NBOOKINGS (sizeof(demo_bookings) / sizeof(demo_bookings[0]))

struct demo {
	struct cli *c;
	char *hashes[DEMO_NUSERS];
	uint64_t venue[DEMO_NVENUES], room[DEMO_NROOMS], group[DEMO_NGROUPS];
	uint64_t approve_last[8];
	size_t napprove_last;
	size_t made[4], skipped; /* bookings by final status */
};

/* Groups do not meet on Christmas Eve, Christmas Day, Boxing Day or New Year's Day. */
static bool demo_holiday(const char *zone, int64_t now, int days)
{
	struct localtm lt;
	int y, m, d;

	tz_to_local(zone, now, &lt);
	civil_from_days(days_from_civil(lt.year, lt.month, lt.day) + days, &y, &m, &d);
	return (m == 12 && d >= 24 && d <= 26) || (m == 1 && d == 1);
}

/* Creates one record of kind k from fields (which it takes), as the console would with
 * `halls NOUN add`; *id receives the new id. */
static enum herr demo_save(struct txn *t, struct demo *d, const struct kind *k, json_t *fields,
                           uint64_t *id)
{
	json_t *out = NULL;
	enum herr ret = k->save(t, &cli_console, 0, fields, d->c->now, &out);

	*id = ret == H_OK ? (uint64_t)json_int(out, "id", 0) : 0;
	json_decref(out);
	json_decref(fields);
	return ret != H_OK ? ret : t->ret;
}

static enum herr demo_venues_make(struct txn *t, struct demo *d)
{
	for (size_t i = 0; i < DEMO_NVENUES; i++) {
		const struct demo_venue *dv = &demo_venues[i];
		json_t *f =
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", dv->name, "address",
		              dv->address, "timezone", TZ_DEFAULT, "hours", dv->hours,
		              "description", dv->description, "accessibility", dv->accessibility);
		enum herr ret = demo_save(t, d, &kind_venue, f, &d->venue[i]);

		if (ret != H_OK)
			return ret;
	}
	return H_OK;
}

static enum herr demo_rooms_make(struct txn *t, struct demo *d)
{
	for (size_t i = 0; i < DEMO_NROOMS; i++) {
		const struct demo_room *dr = &demo_rooms[i];
		json_t *features = json_array(), *f;
		enum herr ret;

		for (size_t k = 0; k < 6 && dr->features[k] != NULL; k++)
			json_array_append_new(features, json_string(dr->features[k]));
		f = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:o}",
		              "venue_id", (json_int_t)d->venue[dr->venue], "name", dr->name,
		              "description", dr->description, "capacity", (json_int_t)dr->capacity,
		              "setup_minutes", (json_int_t)dr->setup, "cleanup_minutes",
		              (json_int_t)dr->cleanup, "min_minutes", (json_int_t)dr->min,
		              "max_minutes", (json_int_t)dr->max, "notice_minutes",
		              (json_int_t)dr->notice, "horizon_days", (json_int_t)dr->horizon,
		              "approval", dr->approval, "features", features);
		if ((ret = demo_save(t, d, &kind_room, f, &d->room[i])) != H_OK)
			return ret;
	}
	return H_OK;
}

/* A JSON array of the ids that a list of (index + 1), ended by 0, names. */
static json_t *demo_ids(const int *idx, size_t max, const uint64_t *ids)
{
	json_t *a = json_array();

	for (size_t k = 0; k < max && idx[k] != 0; k++)
		json_array_append_new(a, json_integer((json_int_t)ids[idx[k] - 1]));
	return a;
}

static enum herr demo_groups_make(struct txn *t, struct demo *d)
{
	for (size_t i = 0; i < DEMO_NGROUPS; i++) {
		const struct demo_group *dg = &demo_groups[i];
		json_t *f =
		    json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", dg->name, "kind", dg->kind,
		              "contact", dg->contact, "description", dg->description, "trusted_at",
		              demo_ids(dg->trusted, 3, d->venue));
		enum herr ret = demo_save(t, d, &kind_group, f, &d->group[i]);

		if (ret != H_OK)
			return ret;
	}
	return H_OK;
}

static enum herr demo_users_make(struct txn *t, struct demo *d)
{
	for (size_t i = 0; i < DEMO_NUSERS; i++) {
		const struct demo_user *du = &demo_users[i];
		json_t *f =
		    json_pack("{s:s, s:s, s:s, s:o, s:o}", "name", du->name, "email", du->email,
		              "role", du->role, "venues", demo_ids(du->venues, 3, d->venue),
		              "groups", demo_ids(du->groups, 3, d->group));
		uint64_t id;
		enum herr ret;

		json_object_set_new(f, "password_hash", json_string(d->hashes[i]));
		if ((ret = demo_save(t, d, &kind_user, f, &id)) != H_OK)
			return ret;
	}
	return H_OK;
}

static enum herr demo_closure(struct txn *t, struct demo *d, enum closure_scope scope,
                              uint64_t target, int64_t start, int64_t end, const char *reason)
{
	struct closure cl;
	enum herr ret;

	closure_init(&cl);
	cl.scope = scope;
	cl.target = target;
	cl.start = start;
	cl.end = end;
	cl.reason = xstrdup(reason);
	ret = closure_create(t, &cli_console, &cl, d->c->now);
	closure_free(&cl);
	return ret;
}

static enum herr demo_closures_make(struct txn *t, struct demo *d)
{
	const char *zone = TZ_DEFAULT;
	int64_t now = d->c->now, start, end;
	struct localtm lt;
	int64_t today, xmas;
	enum herr ret;
	int year;

	/* Christmas at the community centre: the coming 24 to 27 December. */
	tz_to_local(zone, now, &lt);
	year = lt.month == 12 && lt.day > 27 ? lt.year + 1 : lt.year;
	today = days_from_civil(lt.year, lt.month, lt.day);
	xmas = days_from_civil(year, 12, 24);
	if (!demo_instant(zone, now, (int)(xmas - today), 0, 0, &start) ||
	    !demo_instant(zone, now, (int)(xmas - today) + 4, 0, 0, &end))
		return herror_set(t->err, H_EINVAL, "demo: cannot place Christmas");
	ret = demo_closure(t, d, CLOSURE_VENUE, d->venue[0], start, end, "Closed for Christmas");
	if (ret != H_OK)
		return ret;
	/* Floor works in the community kitchen, from week 3 for five days. */
	if (!demo_instant(zone, now, 23, 0, 0, &start) || !demo_instant(zone, now, 28, 0, 0, &end))
		return herror_set(t->err, H_EINVAL, "demo: cannot place the floor works");
	ret = demo_closure(t, d, CLOSURE_ROOM, d->room[2], start, end,
	                   "Floor resurfacing: kitchen out of use");
	if (ret != H_OK)
		return ret;
	/* The school is a polling station on the Thursday of week 1. */
	if (!demo_instant(zone, now, demo_day(zone, now, 3, 1), 0, 0, &start) ||
	    !demo_instant(zone, now, demo_day(zone, now, 3, 1) + 1, 0, 0, &end))
		return herror_set(t->err, H_EINVAL, "demo: cannot place the polling day");
	return demo_closure(t, d, CLOSURE_VENUE, d->venue[2], start, end,
	                    "Polling station for the by-election");
}

struct demo_try {
	struct demo *d;
	const struct demo_booking *db;
	struct booking *b;
};

/* Requests one occurrence and moves it to its target state, inside txn_try so that a
 * rule's refusal (a clash, a closure) skips just this booking. */
static enum herr demo_request(struct txn *t, void *arg)
{
	struct demo_try *x = arg;
	struct demo *d = x->d;
	const struct demo_booking *db = x->db;
	int64_t now = d->c->now;
	struct booking out;
	enum herr ret;

	booking_init(&out);
	ret = booking_request(t, &cli_console, x->b, false, now);
	if (ret == H_OK && x->b->status == BOOKING_PENDING) {
		if (db->target == DEMO_APPROVED)
			ret = booking_approve(t, &cli_console, x->b->id, db->note, now, &out);
		else if (db->target == DEMO_DECLINED)
			ret = booking_decline(t, &cli_console, x->b->id, db->note, now, &out);
	}
	booking_free(&out);
	if (ret == H_OK && db->target == DEMO_CANCELLED)
		ret = booking_cancel(t, &cli_console, x->b->id, db->note, now, &out);
	booking_free(&out);
	return ret != H_OK ? ret : t->ret;
}

static enum herr demo_booking(struct txn *t, struct demo *d, const struct demo_booking *db,
                              int week)
{
	const char *zone = TZ_DEFAULT;
	int64_t now = d->c->now;
	struct booking b;
	struct demo_try x = {d, db, &b};
	enum herr ret;
	int day = demo_day(zone, now, db->wday, week);

	if (demo_holiday(zone, now, day))
		return H_OK;
	booking_init(&b);
	b.room_id = d->room[db->room];
	b.group_id = d->group[db->group];
	b.attendees = db->attendees;
	b.public = db->public;
	b.title = xstrdup(db->title);
	if (!demo_instant(zone, now, day, db->hour, db->min, &b.start)) {
		booking_free(&b);
		return H_OK;
	}
	b.end = b.start + db->minutes * 60;
	ret = txn_try(t, demo_request, &x);
	if (ret == H_OK && db->target == DEMO_APPROVE_LAST && b.status == BOOKING_PENDING &&
	    d->napprove_last < sizeof(d->approve_last) / sizeof(d->approve_last[0]))
		d->approve_last[d->napprove_last++] = b.id;
	if (ret != H_OK)
		d->skipped++;
	booking_free(&b);
	return herr_is_refusal(ret) ? t->ret : ret;
}

static bool demo_tally(const struct booking *b, void *arg)
{
	struct demo *d = arg;

	d->made[b->status]++;
	return true;
}

static enum herr demo_bookings_make(struct txn *t, struct demo *d)
{
	struct booking out;
	enum herr ret;

	for (size_t i = 0; i < DEMO_NBOOKINGS; i++) {
		const struct demo_booking *db = &demo_bookings[i];

		for (int w = db->week; w < db->week + db->weeks && w < 6; w++)
			if ((ret = demo_booking(t, d, db, w)) != H_OK)
				return ret;
	}
	/* Approving these makes the requests that overlap them visibly conflicting. */
	for (size_t i = 0; i < d->napprove_last; i++) {
		booking_init(&out);
		ret = booking_approve(t, &cli_console, d->approve_last[i], "Enjoy the quiz",
		                      d->c->now, &out);
		booking_free(&out);
		if (ret != H_OK)
			return ret;
	}
	return H_OK;
}

/* Counts every booking made, the series' dates included, so that the states printed add
 * up to the bookings `init` reports. */
static enum herr demo_bookings_count(struct txn *t, struct demo *d)
{
	struct booking_filter f;

	booking_filter_init(&f);
	memset(d->made, 0, sizeof(d->made));
	return booking_each(t, &f, demo_tally, d);
}

/* One weekly series, so that the feeds show a repeating event: the Knitters' Thursday
 * evenings in the Committee Room for twenty weeks, whatever dates are free, with the
 * third date cancelled (an EXDATE in the feeds). */
static bool demo_first_three(const struct booking *b, void *arg)
{
	uint64_t *ids = arg;

	for (int i = 0; i < 3; i++)
		if (ids[i] == 0) {
			ids[i] = b->id;
			return i < 2;
		}
	return false;
}

static enum herr demo_series_make(struct txn *t, struct demo *d)
{
	const char *zone = TZ_DEFAULT;
	struct series_outcome out;
	struct series s;
	struct booking third;
	uint64_t ids[3] = {0};
	size_t n = 0;
	enum herr ret;

	series_init(&s);
	s.room_id = d->room[1];
	s.group_id = d->group[0];
	s.title = xstrdup("Knit and natter: Thursday evenings");
	s.description = xstrdup("Bring a project, or learn to cast on.");
	s.attendees = 12;
	s.public = true;
	s.duration = 90 * 60;
	s.rrule = xstrdup("FREQ=WEEKLY;BYDAY=TH;COUNT=20");
	if (!demo_instant(zone, d->c->now, demo_day(zone, d->c->now, 3, 0), 18, 0,
	                  &s.first_start)) {
		series_free(&s);
		return H_OK;
	}
	ret = series_create(t, &cli_console, &s, true, true, d->c->now, &out);
	series_outcome_free(&out);
	if (ret == H_OK)
		ret = series_each_occurrence(t, s.id, demo_first_three, ids);
	for (n = 0; n < 3 && ids[n] != 0; n++)
		;
	if (ret == H_OK && n == 3) {
		booking_init(&third);
		ret = booking_cancel(t, &cli_console, ids[2], "Room needed for the polling station",
		                     d->c->now, &third);
		booking_free(&third);
	}
	series_free(&s);
	return ret;
}

struct demo_ids {
	uint64_t *v;
	size_t n;
};

static bool demo_message(const struct outbox_msg *m, void *arg)
{
	struct demo_ids *ids = arg;

	ids->v = xrealloc(ids->v, (ids->n + 1) * sizeof(*ids->v));
	ids->v[ids->n++] = m->id;
	return true;
}

/* The demo's history is made up: the messages its changes wrote (notify.h) would tell
 * made-up people of things that never happened, so none is kept to be sent. */
static enum herr demo_messages_drop(struct txn *t)
{
	struct demo_ids ids = {0};

	outbox_each(t, OUTBOX_WAITING, demo_message, &ids);
	for (size_t i = 0; i < ids.n && t->ret == H_OK; i++)
		outbox_drop(t, ids.v[i]);
	free(ids.v);
	return t->ret;
}

static enum herr demo_write(struct txn *t, void *arg)
{
	struct demo *d = arg;
	enum herr ret;

	d->skipped = 0;
	d->napprove_last = 0;
	if ((ret = dump_refuse_filled(t)) != H_OK || (ret = demo_venues_make(t, d)) != H_OK ||
	    (ret = demo_rooms_make(t, d)) != H_OK || (ret = demo_groups_make(t, d)) != H_OK ||
	    (ret = demo_users_make(t, d)) != H_OK || (ret = demo_closures_make(t, d)) != H_OK ||
	    (ret = demo_bookings_make(t, d)) != H_OK || (ret = demo_series_make(t, d)) != H_OK ||
	    (ret = demo_fair_make(t, d->c->now)) != H_OK ||
	    (ret = demo_bookings_count(t, d)) != H_OK)
		return ret;
	for (int s = 0; s < 4; s++)
		if (d->made[s] == 0)
			return herror_set(t->err, H_EINVAL,
			                  "demo: no %s booking could be made (skipped %zu)",
			                  booking_status_name((enum booking_status)s), d->skipped);
	return demo_messages_drop(t);
}

int demo_fill(struct cli *c)
{
	struct demo d = {.c = c};
	struct herror err;
	enum herr ret;
	unsigned log2n = cmd_user_log2n(DEMO_LOG2N);

	/* Hashing is slow: do it before the write transaction. */
	for (size_t i = 0; i < DEMO_NUSERS; i++) {
		d.hashes[i] = password_hash(DEMO_PASSWORD, log2n);
		if (d.hashes[i] == NULL)
			fatal("cannot hash the demo password");
	}
	herror_clear(&err);
	ret = db_write(c->db, demo_write, &d, &err);
	for (size_t i = 0; i < DEMO_NUSERS; i++)
		free(d.hashes[i]);
	if (ret != H_OK)
		return out_error(c, &err);
	if (!c->json)
		printf("demo: %zu pending, %zu approved, %zu declined and %zu cancelled bookings; "
		       "every user's password is \"%s\" (admin: %s)\n",
		       d.made[BOOKING_PENDING], d.made[BOOKING_APPROVED], d.made[BOOKING_DECLINED],
		       d.made[BOOKING_CANCELLED], DEMO_PASSWORD, demo_users[0].email);
	return CLI_OK;
}
