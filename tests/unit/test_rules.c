/* The published rules (rules.h): what each says, in words a resident reads. */
#include "fixture.h"
#include "t.h"

#include <string.h>

/* The "says" of the rule of kind rule about room_id (0: the venue's own), or "". */
static const char *said(const json_t *list, const char *rule, uint64_t room_id)
{
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(list, "rules"), i, r)
	{
		const json_t *rooms = json_object_get(r, "room_ids");
		uint64_t only = json_array_size(rooms) == 1
		                    ? (uint64_t)json_integer_value(json_array_get(rooms, 0))
		                    : 0;

		if (strcmp(json_string_value(json_object_get(r, "rule")), rule) == 0 &&
		    only == room_id)
			return json_string_value(json_object_get(r, "says"));
	}
	return "";
}

static json_t *rules_of(struct fx *f, uint64_t venue)
{
	struct txn t;
	json_t *out = NULL;

	if (db_read_begin(f->db, &t, &f->err) != H_OK)
		return NULL;
	if (rules_list(&t, venue, &out) != H_OK)
		out = NULL;
	db_read_end(&t);
	return out;
}

TEST(rules_durations)
{
	char s[64];

	rules_duration(0, s, sizeof(s));
	T_EQ_STR(s, "no time");
	rules_duration(1, s, sizeof(s));
	T_EQ_STR(s, "1 minute");
	rules_duration(59, s, sizeof(s));
	T_EQ_STR(s, "59 minutes");
	rules_duration(60, s, sizeof(s));
	T_EQ_STR(s, "1 hour");
	rules_duration(90, s, sizeof(s));
	T_EQ_STR(s, "1 hour 30 minutes");
	rules_duration(121, s, sizeof(s));
	T_EQ_STR(s, "2 hours 1 minute");
	rules_duration(1440, s, sizeof(s));
	T_EQ_STR(s, "1 day");
	rules_duration(2880, s, sizeof(s));
	T_EQ_STR(s, "2 days");
	rules_duration(1500, s, sizeof(s));
	T_EQ_STR(s, "25 hours");
}

TEST(rules_say_each_room)
{
	struct fx f;
	uint64_t venue, other, hall, kitchen;
	json_t *all, *one;

	T_ASSERT(fx_open(&f));
	venue = fx_venue(&f, "Hartley Road", T_ZONE,
	                 "mon-fri 09:00-22:00; sat 09:00-12:00,13:00-18:00; sun 10:00-24:00");
	other = fx_venue(&f, "Marsh Lane", T_ZONE, "mon-sun 08:00-23:00");
	hall = fx_room(&f, venue,
	               "{\"name\": \"Main Hall\", \"notice_minutes\": 1440, \"setup_minutes\": 30, "
	               "\"cleanup_minutes\": 15, \"min_minutes\": 60, \"max_minutes\": 480, "
	               "\"capacity\": 150, \"approval\": \"trusted\"}");
	kitchen = fx_room(&f, venue,
	                  "{\"name\": \"Kitchen\", \"hold_hours\": 48, \"hold_lapse\": \"keep\", "
	                  "\"offer_hours\": 6, \"waitlist_priority\": [\"school\", \"charity\"], "
	                  "\"approval\": \"auto\"}");
	fx_room(&f, other, "{\"name\": \"Study\"}");
	all = rules_of(&f, 0);
	one = rules_of(&f, venue);
	T_ASSERT(all != NULL && one != NULL);
	T_EQ_INT(json_array_size(json_object_get(all, "rules")),
	         2 + 3 + 4 + 3); /* two venues' hours; the hall's, the kitchen's, the study's */
	T_EQ_INT(json_array_size(json_object_get(one, "rules")), 1 + 3 + 4);
	T_EQ_STR(
	    said(one, "opening-hours", 0),
	    "Hartley Road is open Monday to Friday 9am to 10pm; Saturday 9am to midday and "
	    "1pm to 6pm; Sunday 10am to midnight (local time, Europe/London); every booking is "
	    "wholly within those hours.");
	T_EQ_STR(said(one, "approval", hall),
	         "Main Hall: requests from groups trusted at Hartley Road are approved at once; a "
	         "manager decides the others.");
	T_EQ_STR(
	    said(one, "booking-limits", hall),
	    "Main Hall takes bookings from 1 hour to 8 hours long, for up to 150 people, asked "
	    "for at least 1 day ahead and at most 365 days ahead, with 30 minutes kept free "
	    "before each and 15 minutes after; a repeating booking has at most 104 dates.");
	T_EQ_STR(said(one, "hold", hall), "");
	T_EQ_STR(
	    said(one, "waitlist", hall),
	    "Main Hall: when a slot frees, the first group on its waitlist has it to itself for "
	    "24 hours; groups are offered it in the order they joined.");
	T_EQ_STR(said(one, "approval", kitchen),
	         "Kitchen: every request that keeps to the rules is approved at once.");
	T_EQ_STR(said(one, "booking-limits", kitchen),
	         "Kitchen takes bookings from 30 minutes to 12 hours long, for up to 50 people, "
	         "asked for at any time before they start and at most 365 days ahead, with no time "
	         "kept free between them; a repeating booking has at most 104 dates.");
	T_EQ_STR(
	    said(one, "hold", kitchen),
	    "Kitchen: a request holds its slot for 48 hours while a manager decides, and "
	    "nobody else can take it meanwhile; if no manager has decided by then, the request "
	    "stays waiting, but no longer holds the slot.");
	T_EQ_STR(
	    said(one, "waitlist", kitchen),
	    "Kitchen: when a slot frees, the first group on its waitlist has it to itself for 6 "
	    "hours; groups are offered it in this order: schools, then charities, then "
	    "everyone else, each in the order they joined.");
	json_decref(all);
	json_decref(one);
	fx_close(&f);
}

TEST(rules_unknown_venue)
{
	struct fx f;
	struct txn t;
	json_t *out = (json_t *)1;

	T_ASSERT(fx_open(&f));
	fx_venue(&f, "Hall", T_ZONE, T_HOURS);
	T_EQ_ERR(db_read_begin(f.db, &t, &f.err), H_OK, &f.err);
	T_EQ_INT(rules_list(&t, 7, &out), H_ENOTFOUND);
	T_CHECK(out == NULL);
	T_CHECK(strstr(f.err.msg, "there is no venue 7") != NULL);
	db_read_end(&t);
	fx_close(&f);
}
