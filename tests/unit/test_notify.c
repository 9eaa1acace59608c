/* Messages about bookings (notify.h): who is told, what they chose, that nobody is told of
 * their own action, the words (times in the venue's zone across clock changes), one
 * message per series, closures, reminders and digests made once at the right time, that a
 * refused change writes nothing, and the invitations' METHOD, ORGANIZER, UID and SEQUENCE
 * against the feeds'. docs/messages.md is regenerated here and compared. */
#include "t.h"

#include "fair_clock.h"

#include "fixture.h"
#include "round.h"
#include "notify.h"
#include "waitlist.h"
#include "when.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the world --- */

struct world {
	struct fx f;
	uint64_t venue, room, group, other;
	uint64_t priya, sam;    /* managers of the venue */
	uint64_t pat, lee, ola; /* members: pat and lee of group, ola of other */
	uint64_t ada;           /* an admin */
};

struct op_fn {
	enum herr (*fn)(struct txn *t, void *arg);
	void *arg;
};

static enum herr op_user(struct txn *t, void *arg)
{
	json_t *fields = arg;
	struct user u;
	enum herr ret;

	user_init(&u);
	ret = user_apply(&u, fields, t->err);
	if (ret == H_OK)
		ret = account_create(t, &ACTOR_CONSOLE, &u, T_NOW - 86400);
	json_object_set_new(fields, "id", json_integer((json_int_t)u.id));
	user_free(&u);
	return ret;
}

/* A user with a name; link as fx_user's; choices: a "notifications" object as JSON text,
 * or NULL. */
static uint64_t person(struct world *w, const char *name, const char *email, enum role role,
                       uint64_t link, const char *choices)
{
	json_t *o =
	    json_pack("{s:s, s:s, s:s}", "name", name, "email", email, "role", role_name(role));
	uint64_t id = 0;

	if (role == ROLE_MANAGER)
		json_object_set_new(o, "venues", json_pack("[I]", (json_int_t)link));
	else if (role == ROLE_MEMBER)
		json_object_set_new(o, "groups", json_pack("[I]", (json_int_t)link));
	if (choices != NULL)
		json_object_set_new(o, "notifications", json_loads(choices, 0, NULL));
	if (db_write(w->f.db, op_user, o, &w->f.err) == H_OK)
		id = (uint64_t)json_integer_value(json_object_get(o, "id"));
	else
		t_fail(__FILE__, __LINE__, "user %s: %s", email, w->f.err.msg);
	json_decref(o);
	return id;
}

static enum herr op_site(struct txn *t, void *arg)
{
	(void)arg;
	outbox_site_put(t, &(struct outbox_site){"https://rooms.hartley.example",
	                                         "rooms@hartley.example", "Hartley rooms"});
	return t->ret;
}

static enum herr op_venue_email(struct txn *t, void *arg)
{
	struct world *w = arg;
	struct venue v;
	json_t *fields = json_pack("{s:s, s:s}", "email", "Bookings@Hartley.example", "address",
	                           "14 Hartley Road, London E5 8QJ");
	enum herr ret = venue_get(t, w->venue, &v);

	if (ret == H_OK)
		ret = venue_apply(&v, fields, t->err);
	if (ret == H_OK)
		ret = venue_update(t, &ACTOR_CONSOLE, &v, T_NOW);
	venue_free(&v);
	json_decref(fields);
	return ret;
}

static bool world_open(struct world *w, const char *choices_lee)
{
	memset(w, 0, sizeof(*w));
	if (!fx_open(&w->f))
		return false;
	w->venue = fx_venue(&w->f, "Hartley Road Community Centre", T_ZONE, T_HOURS);
	w->room = fx_room(&w->f, w->venue, "{\"name\": \"Main Hall\"}");
	w->group = fx_group(&w->f, "Riverside Choir", 0);
	w->other = fx_group(&w->f, "Knitters", 0);
	db_write(w->f.db, op_site, NULL, &w->f.err);
	db_write(w->f.db, op_venue_email, w, &w->f.err);
	w->priya = person(w, "Priya Shah", "priya@hartley.example", ROLE_MANAGER, w->venue, NULL);
	w->sam = person(w, "Sam Lee", "sam@hartley.example", ROLE_MANAGER, w->venue, NULL);
	w->pat = person(w, "Pat Okafor", "pat@choir.example", ROLE_MEMBER, w->group, NULL);
	w->lee = person(w, "Lee Chan", "lee@choir.example", ROLE_MEMBER, w->group, choices_lee);
	w->ola = person(w, "Ola Nowak", "ola@knit.example", ROLE_MEMBER, w->other, NULL);
	w->ada = person(w, "Ada Admin", "ada@hartley.example", ROLE_ADMIN, 0, NULL);
	return w->venue && w->room && w->group && w->other && w->priya && w->sam && w->pat &&
	       w->lee && w->ola && w->ada;
}

/* --- the outbox, read back --- */

struct sent {
	uint64_t id, user_id, about_id;
	char kind[48], to[96], subject[256];
	char *raw;
};

struct sent_list {
	struct sent v[256];
	size_t n;
	uint64_t after; /* only messages with a greater id */
};

static bool sent_add(const struct outbox_msg *m, void *arg)
{
	struct sent_list *l = arg;
	struct sent *s;

	if (m->id <= l->after || l->n == sizeof(l->v) / sizeof(l->v[0]))
		return true;
	s = &l->v[l->n++];
	s->id = m->id;
	s->user_id = m->user_id;
	s->about_id = m->about_id;
	snprintf(s->kind, sizeof(s->kind), "%s", m->kind);
	snprintf(s->to, sizeof(s->to), "%s", m->to);
	snprintf(s->subject, sizeof(s->subject), "%s", m->subject);
	s->raw = xstrdup(m->raw);
	return true;
}

/* The messages queued after id `after`. */
static void sent_load(struct world *w, uint64_t after, struct sent_list *l)
{
	struct txn t;

	l->n = 0;
	l->after = after;
	if (db_read_begin(w->f.db, &t, &w->f.err) != H_OK)
		return;
	outbox_each(&t, -1, sent_add, l);
	db_read_end(&t);
}

static void sent_free(struct sent_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].raw);
	l->n = 0;
}

/* The id of the newest message (0: none). */
static uint64_t sent_mark(struct world *w)
{
	struct sent_list l;
	uint64_t id = 0;

	sent_load(w, 0, &l);
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].id > id)
			id = l.v[i].id;
	sent_free(&l);
	return id;
}

/* How many of kind (NULL: any) went to the address to (NULL: anyone). */
static size_t sent_count(const struct sent_list *l, const char *kind, const char *to)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		if ((kind == NULL || strcmp(l->v[i].kind, kind) == 0) &&
		    (to == NULL || strcmp(l->v[i].to, to) == 0))
			n++;
	return n;
}

static const struct sent *sent_find(const struct sent_list *l, const char *kind, const char *to)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].kind, kind) == 0 && (to == NULL || strcmp(l->v[i].to, to) == 0))
			return &l->v[i];
	return NULL;
}

/* The body of the part whose headers start with head, up to the next boundary. */
static char *part_body(const char *raw, const char *head)
{
	const char *p = raw != NULL ? strstr(raw, head) : NULL, *end;

	if (p == NULL || (p = strstr(p, "\r\n\r\n")) == NULL)
		return NULL;
	p += 4;
	end = strstr(p, "\r\n--=_halls");
	return end != NULL ? xstrndup(p, (size_t)(end - p)) : NULL;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The text/plain part, decoded (quoted-printable, CRLF to LF). */
static char *sent_text(const struct sent *s)
{
	char *qp = part_body(s != NULL ? s->raw : NULL, "Content-Type: text/plain");
	char *out, *o;

	if (qp == NULL)
		return xstrdup("");
	out = o = xmalloc(strlen(qp) + 2);
	for (const char *p = qp; *p;) {
		if (p[0] == '=' && p[1] == '\r' && p[2] == '\n') {
			p += 3;
		} else if (p[0] == '=' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			*o++ = (char)(hexval(p[1]) * 16 + hexval(p[2]));
			p += 3;
		} else if (p[0] == '\r' && p[1] == '\n') {
			*o++ = '\n';
			p += 2;
		} else {
			*o++ = *p++;
		}
	}
	*o++ = '\n';
	*o = '\0';
	free(qp);
	return out;
}

/* The text/calendar alternative, decoded (base64); NULL when the message has none. */
static char *sent_calendar(const struct sent *s)
{
	char *b64 = part_body(s != NULL ? s->raw : NULL, "Content-Type: text/calendar");
	char *flat, *out;
	size_t n = 0, pad = 0;
	int len;

	if (b64 == NULL)
		return NULL;
	flat = xmalloc(strlen(b64) + 1);
	for (const char *p = b64; *p; p++)
		if (*p != '\r' && *p != '\n')
			flat[n++] = *p;
	flat[n] = '\0';
	out = xmalloc(n + 1);
	len = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)flat, (int)n);
	while (pad < 2 && n > pad && flat[n - 1 - pad] == '=')
		pad++;
	out[len > 0 ? (size_t)len - pad : 0] = '\0';
	free(flat);
	free(b64);
	return out;
}

/* --- operations, each one durable write --- */

struct op_booking {
	struct actor a;
	uint64_t id;
	const char *note;
	const char *fields;
	enum herr (*fn)(struct txn *t, const struct actor *a, uint64_t id, const char *note,
	                int64_t now, struct booking *out);
	int64_t now;
};

static enum herr do_decision(struct txn *t, void *arg)
{
	struct op_booking *o = arg;

	return o->fn(t, &o->a, o->id, o->note, o->now, NULL);
}

static enum herr decide(struct world *w, uint64_t who, uint64_t id, const char *note,
                        enum herr (*fn)(struct txn *t, const struct actor *a, uint64_t id,
                                        const char *note, int64_t now, struct booking *out))
{
	struct op_booking o = {.a = {who}, .id = id, .note = note, .fn = fn, .now = w->f.now};

	return db_write(w->f.db, do_decision, &o, &w->f.err);
}

/* A request by who for group, titled "Choir practice", from start for two hours. */
static uint64_t ask(struct world *w, uint64_t who, uint64_t group, const char *start, bool now)
{
	struct booking b;
	uint64_t id = 0;

	booking_init(&b);
	b.room_id = w->room;
	b.group_id = group;
	b.title = "Choir practice";
	b.attendees = 30;
	b.start = fx_at(start);
	b.end = b.start + 7200;
	if (fx_request_b(&w->f, fx_user_actor(who), &b, now, &id, NULL) != H_OK)
		t_fail(__FILE__, __LINE__, "request at %s: %s", start, w->f.err.msg);
	return id;
}

struct op_sweep {
	int64_t now;
};

static enum herr do_sweep(struct txn *t, void *arg)
{
	return notify_sweep(t, ((struct op_sweep *)arg)->now);
}

static void sweep(struct world *w, int64_t now)
{
	struct op_sweep o = {now};

	T_EQ_ERR(db_write(w->f.db, do_sweep, &o, &w->f.err), H_OK, &w->f.err);
}

/* --- times in words --- */

TEST(notify_when_words)
{
	char s[WHEN_MAX * 2];

	when_words(fx_at("2026-12-08T19:00"), fx_at("2026-12-08T21:00"), T_ZONE, s, sizeof(s));
	T_EQ_STR(s, "Tuesday 8 December 2026, 7pm to 9pm");
	when_words(fx_at("2026-12-08T09:30"), fx_at("2026-12-08T12:00"), T_ZONE, s, sizeof(s));
	T_EQ_STR(s, "Tuesday 8 December 2026, 9:30am to midday");
	when_words(fx_at("2026-12-08T19:00"), fx_at("2026-12-09T00:00"), T_ZONE, s, sizeof(s));
	T_EQ_STR(s, "Tuesday 8 December 2026, 7pm to midnight");
	when_words(fx_at("2027-01-01T22:00"), fx_at("2027-01-02T02:00"), T_ZONE, s, sizeof(s));
	T_EQ_STR(s, "Friday 1 January 2027, 10pm to Saturday 2 January 2027, 2am");
	when_words(fx_at("2026-12-08T00:00"), fx_at("2026-12-08T00:45"), T_ZONE, s, sizeof(s));
	T_EQ_STR(s, "Tuesday 8 December 2026, midnight to 12:45am");
	/* London's clocks go forward at 01:00 GMT on 29 March 2026: the same wall time
	 * either side is an hour apart in UTC, and reads the same. */
	when_words(fx_at("2026-03-28T19:00:00Z"), fx_at("2026-03-28T21:00:00Z"), T_ZONE, s,
	           sizeof(s));
	T_EQ_STR(s, "Saturday 28 March 2026, 7pm to 9pm");
	when_words(fx_at("2026-03-29T18:00:00Z"), fx_at("2026-03-29T20:00:00Z"), T_ZONE, s,
	           sizeof(s));
	T_EQ_STR(s, "Sunday 29 March 2026, 7pm to 9pm");
	/* Through the change: 00:30 GMT to 02:30 UTC, which is 3:30am BST. */
	when_words(fx_at("2026-03-29T00:30:00Z"), fx_at("2026-03-29T02:30:00Z"), T_ZONE, s,
	           sizeof(s));
	T_EQ_STR(s, "Sunday 29 March 2026, 12:30am to 3:30am");
	/* Back at 01:00 GMT on 25 October 2026: 00:30 BST to 01:30 GMT is two hours. */
	when_words(fx_at("2026-10-24T23:30:00Z"), fx_at("2026-10-25T01:30:00Z"), T_ZONE, s,
	           sizeof(s));
	T_EQ_STR(s, "Sunday 25 October 2026, 12:30am to 1:30am");
	when_words(fx_at("2026-10-25T19:00"), fx_at("2026-10-25T21:00"), "America/New_York", s,
	           sizeof(s));
	T_EQ_STR(s, "Sunday 25 October 2026, 3pm to 5pm");
	when_span(fx_at("2026-12-08T19:00"), fx_at("2026-12-08T21:30"), T_ZONE, s, sizeof(s));
	T_EQ_STR(s, "7pm to 9:30pm");
	when_clock(12, 5, s, sizeof(s));
	T_EQ_STR(s, "12:05pm");
	when_clock(0, 5, s, sizeof(s));
	T_EQ_STR(s, "12:05am");
}

/* --- who is told --- */

TEST(notify_request_recipients)
{
	struct world w;
	struct sent_list l;
	char *text;

	T_ASSERT(world_open(&w, NULL));
	ask(&w, w.pat, w.group, "2026-03-10T19:00", false);
	sent_load(&w, 0, &l);
	/* The group's receipt to each member, the asker too; a request to decide to each
	 * manager; nothing to another group, to an admin, or twice to anyone. */
	T_EQ_INT(sent_count(&l, "booking-requested", "pat@choir.example"), 1);
	T_EQ_INT(sent_count(&l, "booking-requested", "lee@choir.example"), 1);
	T_EQ_INT(sent_count(&l, "booking-request-to-decide", "priya@hartley.example"), 1);
	T_EQ_INT(sent_count(&l, "booking-request-to-decide", "sam@hartley.example"), 1);
	T_EQ_INT(sent_count(&l, NULL, "ola@knit.example"), 0);
	T_EQ_INT(sent_count(&l, NULL, "ada@hartley.example"), 0);
	T_EQ_INT(l.n, 4);
	/* Each its own: To, and the footer of why. */
	T_HAS_STR(sent_find(&l, "booking-requested", "lee@choir.example")->raw,
	          "To: Lee Chan <lee@choir.example>\r\n");
	text = sent_text(sent_find(&l, "booking-requested", "lee@choir.example"));
	T_HAS_STR(text, "You get this message because you are a member of Riverside Choir.");
	T_HAS_STR(text, "https://rooms.hartley.example/account#notifications");
	T_HAS_STR(text, "Asked by: Pat Okafor");
	free(text);
	text = sent_text(sent_find(&l, "booking-request-to-decide", "sam@hartley.example"));
	T_HAS_STR(text, "You get this message because you manage Hartley Road Community Centre.");
	T_HAS_STR(text, "https://rooms.hartley.example/requests");
	free(text);
	T_CHECK(sent_find(&l, "booking-requested", "pat@choir.example")->about_id ==
	        sent_find(&l, "booking-request-to-decide", "sam@hartley.example")->about_id);
	sent_free(&l);
	fx_close(&w.f);
}

TEST(notify_choices_honoured)
{
	struct world w;
	struct sent_list l;
	uint64_t id, mark;

	/* Lee wants no receipts of requests, and no decisions. */
	T_ASSERT(world_open(&w, "{\"requests\": false, \"decisions\": false}"));
	id = ask(&w, w.pat, w.group, "2026-03-10T19:00", false);
	sent_load(&w, 0, &l);
	T_EQ_INT(sent_count(&l, "booking-requested", "pat@choir.example"), 1);
	T_EQ_INT(sent_count(&l, NULL, "lee@choir.example"), 0);
	sent_free(&l);
	mark = sent_mark(&w);
	T_EQ_ERR(decide(&w, w.priya, id, NULL, booking_approve), H_OK, &w.f.err);
	sent_load(&w, mark, &l);
	T_EQ_INT(sent_count(&l, "booking-approved", "pat@choir.example"), 1);
	T_EQ_INT(sent_count(&l, NULL, "lee@choir.example"), 0);
	sent_free(&l);
	/* Changes are still wanted. */
	mark = sent_mark(&w);
	T_EQ_ERR(decide(&w, w.pat, id, NULL, booking_cancel), H_OK, &w.f.err);
	sent_load(&w, mark, &l);
	T_EQ_INT(sent_count(&l, "booking-cancelled", "lee@choir.example"), 1);
	sent_free(&l);
	fx_close(&w.f);
}

TEST(notify_own_action_not_told)
{
	struct world w;
	struct sent_list l;
	uint64_t id, mark;

	T_ASSERT(world_open(&w, NULL));
	id = ask(&w, w.pat, w.group, "2026-03-10T19:00", false);
	mark = sent_mark(&w);
	T_EQ_ERR(decide(&w, w.priya, id, "Welcome back", booking_approve), H_OK, &w.f.err);
	sent_load(&w, mark, &l);
	T_EQ_INT(sent_count(&l, "booking-approved", "pat@choir.example"), 1);
	T_EQ_INT(sent_count(&l, "booking-approved", "lee@choir.example"), 1);
	T_EQ_INT(sent_count(&l, NULL, "priya@hartley.example"), 0);
	T_EQ_INT(sent_count(&l, NULL, "sam@hartley.example"), 0);
	T_EQ_INT(l.n, 2);
	sent_free(&l);
	/* Pat cancels: Lee and the managers hear of it, Pat does not. */
	mark = sent_mark(&w);
	T_EQ_ERR(decide(&w, w.pat, id, "We have found a bigger hall", booking_cancel), H_OK,
	         &w.f.err);
	sent_load(&w, mark, &l);
	T_EQ_INT(sent_count(&l, "booking-cancelled", "lee@choir.example"), 1);
	T_EQ_INT(sent_count(&l, "booking-cancelled", "priya@hartley.example"), 1);
	T_EQ_INT(sent_count(&l, "booking-cancelled", "sam@hartley.example"), 1);
	T_EQ_INT(sent_count(&l, NULL, "pat@choir.example"), 0);
	sent_free(&l);
	/* A manager's request for the group, approved at once: the group hears, the asker
	 * does not, and the other manager has nothing to decide. */
	mark = sent_mark(&w);
	ask(&w, w.priya, w.group, "2026-03-11T19:00", true);
	sent_load(&w, mark, &l);
	T_EQ_INT(sent_count(&l, "booking-approved", "pat@choir.example"), 1);
	T_EQ_INT(sent_count(&l, "booking-approved", "lee@choir.example"), 1);
	T_EQ_INT(l.n, 2);
	sent_free(&l);
	fx_close(&w.f);
}

/* --- words --- */

TEST(notify_words_in_venue_zone)
{
	struct world w;
	struct sent_list l;
	uint64_t id, mark;
	char *text;
	const struct sent *s;

	T_ASSERT(world_open(&w, NULL));
	/* Sunday 29 March 2026 at 7pm is BST, the day the clocks go forward. */
	id = ask(&w, w.pat, w.group, "2026-03-29T19:00", false);
	mark = sent_mark(&w);
	T_EQ_ERR(
	    decide(&w, w.priya, id, "No \"amplified\" music after 9pm, please.", booking_decline),
	    H_OK, &w.f.err);
	sent_load(&w, mark, &l);
	s = sent_find(&l, "booking-declined", "pat@choir.example");
	T_ASSERT(s != NULL);
	T_EQ_STR(s->subject, "Request declined: Choir practice, Sunday 29 March 2026");
	text = sent_text(s);
	T_HAS_STR(text, "When: Sunday 29 March 2026, 7pm to 9pm\n");
	T_HAS_STR(text, "Where: Main Hall, Hartley Road Community Centre, 14 Hartley Road");
	T_HAS_STR(text, "Group: Riverside Choir\n");
	T_HAS_STR(text, "Priya Shah wrote:\n> No \"amplified\" music after 9pm, please.\n");
	T_HAS_STR(text, "https://rooms.hartley.example/request?room=");
	free(text);
	/* The HTML says the same, escaped. */
	T_HAS_STR(s->raw, "&quot;amplified&quot;");
	/* Nothing to put in a calendar: it was never approved. */
	T_CHECK(sent_calendar(s) == NULL);
	sent_free(&l);
	/* A move across the autumn change keeps the words in local time. */
	id = ask(&w, w.priya, w.group, "2026-10-24T19:00", true);
	mark = sent_mark(&w);
	T_EQ_ERR(fx_update(&w.f, fx_user_actor(w.pat), id, "{\"start\": 1792954800}"), H_OK,
	         &w.f.err); /* 2026-10-25T19:00Z: 7pm GMT */
	sent_load(&w, mark, &l);
	s = sent_find(&l, "booking-moved", "lee@choir.example");
	T_ASSERT(s != NULL);
	text = sent_text(s);
	T_HAS_STR(text, "When: Sunday 25 October 2026, 7pm to 9pm\n");
	T_HAS_STR(text, "Was: Saturday 24 October 2026, 7pm to 9pm\n");
	free(text);
	T_EQ_INT(sent_count(&l, "booking-moved", "priya@hartley.example"), 1);
	T_EQ_INT(sent_count(&l, NULL, "pat@choir.example"), 0);
	sent_free(&l);
	fx_close(&w.f);
}

/* --- series --- */

struct op_series {
	struct series *s;
	enum series_action act;
	uint64_t who;
	int64_t now;
	struct series_outcome out;
};

static enum herr do_series(struct txn *t, void *arg)
{
	struct op_series *o = arg;

	return series_create(t, &(struct actor){o->who}, o->s, false, false, o->now, &o->out);
}

static enum herr do_series_decide(struct txn *t, void *arg)
{
	struct op_series *o = arg;

	return series_decide(t, &(struct actor){o->who}, o->s->id, o->act, 0, NULL, o->now,
	                     &o->out);
}

TEST(notify_series_one_message)
{
	struct world w;
	struct sent_list l;
	struct series s;
	struct op_series o = {.s = &s};
	uint64_t mark;
	char *text, *cal;
	const struct sent *m;

	T_ASSERT(world_open(&w, NULL));
	series_init(&s);
	s.room_id = w.room;
	s.group_id = w.group;
	s.title = xstrdup("Choir practice");
	s.first_start = fx_at("2026-03-17T19:00");
	s.duration = 7200;
	s.rrule = xstrdup("FREQ=WEEKLY;COUNT=5");
	o.who = w.pat;
	o.now = w.f.now;
	T_ASSERT(db_write(w.f.db, do_series, &o, &w.f.err) == H_OK);
	series_outcome_free(&o.out);
	sent_load(&w, 0, &l);
	/* One message for five dates, to each. */
	T_EQ_INT(sent_count(&l, "booking-requested", NULL), 0);
	T_EQ_INT(sent_count(&l, "booking-request-to-decide", NULL), 0);
	T_EQ_INT(sent_count(&l, "series-requested", "pat@choir.example"), 1);
	T_EQ_INT(sent_count(&l, "series-requested", "lee@choir.example"), 1);
	T_EQ_INT(sent_count(&l, "series-request-to-decide", "priya@hartley.example"), 1);
	T_EQ_INT(l.n, 4);
	m = sent_find(&l, "series-request-to-decide", "sam@hartley.example");
	T_ASSERT(m != NULL);
	T_EQ_STR(m->subject, "New series request: Riverside Choir, 5 dates from Tuesday 17 March "
	                     "2026");
	text = sent_text(m);
	/* The clocks change between the second and third dates; each is at 7pm. */
	T_HAS_STR(text, "Tuesday 24 March 2026, 7pm to 9pm\nTuesday 31 March 2026, 7pm to 9pm\n");
	free(text);
	sent_free(&l);
	/* Approved as a whole: one message, with the series as one invitation. */
	mark = sent_mark(&w);
	o.who = w.priya;
	o.act = SERIES_APPROVE;
	T_ASSERT(db_write(w.f.db, do_series_decide, &o, &w.f.err) == H_OK);
	series_outcome_free(&o.out);
	sent_load(&w, mark, &l);
	T_EQ_INT(sent_count(&l, "booking-approved", NULL), 0);
	T_EQ_INT(sent_count(&l, "series-decided", "pat@choir.example"), 1);
	T_EQ_INT(sent_count(&l, "series-decided", "lee@choir.example"), 1);
	T_EQ_INT(l.n, 2);
	m = sent_find(&l, "series-decided", "pat@choir.example");
	T_EQ_STR(m->subject, "Series approved: Choir practice, 5 dates from Tuesday 17 March 2026");
	cal = sent_calendar(m);
	T_HAS_STR(cal, "METHOD:REQUEST\r\n");
	T_HAS_STR(cal, "RRULE:FREQ=WEEKLY;COUNT=5\r\n");
	T_HAS_STR(cal, "SEQUENCE:5\r\n");
	T_CHECK(strstr(cal, "EXDATE") == NULL);
	free(cal);
	sent_free(&l);
	/* One date cancelled on its own is told of as a booking is, as that date of the
	 * series in the calendar. */
	{
		struct booking b;
		struct txn t;
		uint64_t first = 0;

		T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
		{
			struct key k = series_occ_key(s.id, fx_at("2026-03-24T19:00"));
			MDB_val v;

			if (txn_get(&t, DBI_SERIES_OCC, &k, &v))
				first = key_get_u64(v.mv_data);
		}
		db_read_end(&t);
		T_ASSERT(first != 0);
		mark = sent_mark(&w);
		T_EQ_ERR(decide(&w, w.pat, first, NULL, booking_cancel), H_OK, &w.f.err);
		sent_load(&w, mark, &l);
		m = sent_find(&l, "booking-cancelled", "lee@choir.example");
		T_ASSERT(m != NULL);
		cal = sent_calendar(m);
		T_HAS_STR(cal, "METHOD:CANCEL\r\n");
		T_HAS_STR(cal, "UID:series-");
		T_HAS_STR(cal, "RECURRENCE-ID;TZID=Europe/London:20260324T190000\r\n");
		T_HAS_STR(cal, "STATUS:CANCELLED\r\n");
		T_HAS_STR(cal, "SEQUENCE:6\r\n");
		free(cal);
		sent_free(&l);
		T_EQ_ERR(fx_get(&w.f, first, &b), H_OK, &w.f.err);
		booking_free(&b);
	}
	series_free(&s);
	fx_close(&w.f);
}

TEST(notify_long_lists_cut)
{
	struct world w;
	struct sent_list l;
	struct series s;
	struct op_series o = {.s = &s};
	char *text;

	T_ASSERT(world_open(&w, NULL));
	series_init(&s);
	s.room_id = w.room;
	s.group_id = w.group;
	s.title = xstrdup("Festival");
	s.first_start = fx_at("2026-04-01T19:00");
	s.duration = 3600;
	s.rrule = xstrdup("FREQ=DAILY;COUNT=70");
	o.who = w.pat;
	o.now = w.f.now;
	T_ASSERT(db_write(w.f.db, do_series, &o, &w.f.err) == H_OK);
	series_outcome_free(&o.out);
	sent_load(&w, 0, &l);
	text = sent_text(sent_find(&l, "series-requested", "lee@choir.example"));
	/* 60 dates, then how many more: 30 April is the 30th, 30 May the 60th. */
	T_HAS_STR(text, "Saturday 30 May 2026, 7pm to 8pm\nand 10 more\n");
	T_CHECK(strstr(text, "Sunday 31 May 2026") == NULL);
	free(text);
	sent_free(&l);
	series_free(&s);
	fx_close(&w.f);
}

/* --- closures --- */

struct op_closure_change {
	uint64_t id;
	int64_t start, end;
	const char *reason;
	int64_t now;
};

static enum herr do_closure_change(struct txn *t, void *arg)
{
	struct op_closure_change *o = arg;

	return closure_change(t, &ACTOR_CONSOLE, o->id, o->start, o->end, o->reason, o->now, NULL);
}

TEST(notify_closure_message)
{
	struct world w;
	struct sent_list l;
	uint64_t a1, a2, k, closure, mark;
	struct op_closure_change ch;
	char *text;

	T_ASSERT(world_open(&w, NULL));
	a1 = ask(&w, w.priya, w.group, "2026-03-10T19:00", true);
	a2 = ask(&w, w.pat, w.group, "2026-03-11T10:00", false);
	k = ask(&w, w.ola, w.other, "2026-03-11T14:00", false);
	ask(&w, w.priya, w.group, "2026-03-20T19:00", true); /* outside the closure */
	T_ASSERT(a1 && a2 && k);
	mark = sent_mark(&w);
	T_EQ_ERR(fx_closure(&w.f, CLOSURE_VENUE, w.venue, fx_at("2026-03-10T08:00"),
	                    fx_at("2026-03-12T08:00"), &closure),
	         H_OK, &w.f.err);
	sent_load(&w, mark, &l);
	/* One message per member of each group hit, naming the group's bookings only. */
	T_EQ_INT(sent_count(&l, "closure-notice", "pat@choir.example"), 1);
	T_EQ_INT(sent_count(&l, "closure-notice", "lee@choir.example"), 1);
	T_EQ_INT(sent_count(&l, "closure-notice", "ola@knit.example"), 1);
	T_EQ_INT(l.n, 3);
	text = sent_text(sent_find(&l, "closure-notice", "lee@choir.example"));
	T_HAS_STR(text, "Hartley Road Community Centre will be closed: Tuesday 10 March 2026, 8am "
	                "to Thursday 12 March 2026, 8am.");
	T_HAS_STR(text, "Reason: Works\n");
	T_HAS_STR(text, "Choir practice: Main Hall, Tuesday 10 March 2026, 7pm to 9pm (approved)\n"
	                "Choir practice: Main Hall, Wednesday 11 March 2026, 10am to midday "
	                "(pending)\n");
	T_CHECK(strstr(text, "20 March") == NULL);
	T_HAS_STR(text, "https://rooms.hartley.example/request?room=");
	T_HAS_STR(text, "https://rooms.hartley.example/my-bookings");
	free(text);
	T_EQ_INT(sent_find(&l, "closure-notice", "ola@knit.example")->about_id, closure);
	sent_free(&l);
	/* A new reason tells nobody again; a longer closure tells of what it newly covers. */
	mark = sent_mark(&w);
	ch = (struct op_closure_change){closure, CLOSURE_UNCHANGED, CLOSURE_UNCHANGED,
	                                "Roof repairs", w.f.now};
	T_EQ_ERR(db_write(w.f.db, do_closure_change, &ch, &w.f.err), H_OK, &w.f.err);
	sent_load(&w, mark, &l);
	T_EQ_INT(l.n, 0);
	sent_free(&l);
	ch = (struct op_closure_change){closure, CLOSURE_UNCHANGED, fx_at("2026-03-21T08:00"), NULL,
	                                w.f.now};
	T_EQ_ERR(db_write(w.f.db, do_closure_change, &ch, &w.f.err), H_OK, &w.f.err);
	sent_load(&w, mark, &l);
	T_EQ_INT(sent_count(&l, "closure-notice", "pat@choir.example"), 1);
	T_EQ_INT(sent_count(&l, "closure-notice", NULL), 2);
	text = sent_text(sent_find(&l, "closure-notice", "pat@choir.example"));
	T_HAS_STR(text, "Friday 20 March 2026, 7pm to 9pm (approved)");
	T_CHECK(strstr(text, "10 March 2026, 7pm") == NULL);
	free(text);
	sent_free(&l);
	fx_close(&w.f);
}

/* --- reminders and digests --- */

TEST(notify_reminders_once_at_lead_time)
{
	struct world w;
	struct sent_list l;
	uint64_t id, mark;
	int64_t start;

	/* Lee wants reminders two days ahead; Pat keeps the default day. */
	T_ASSERT(world_open(&w, "{\"reminder_hours\": 48}"));
	id = ask(&w, w.priya, w.group, "2026-03-05T19:00", true);
	start = fx_at("2026-03-05T19:00");
	mark = sent_mark(&w);
	sweep(&w, start - 49 * 3600);
	sent_load(&w, mark, &l);
	T_EQ_INT(l.n, 0);
	sent_free(&l);
	sweep(&w, start - 47 * 3600);
	sweep(&w, start - 46 * 3600);
	sent_load(&w, mark, &l);
	T_EQ_INT(sent_count(&l, "reminder", "lee@choir.example"), 1);
	T_EQ_INT(l.n, 1);
	T_EQ_STR(l.v[0].subject, "Reminder: Choir practice, Thursday 5 March 2026, 7pm to 9pm");
	sent_free(&l);
	sweep(&w, start - 23 * 3600);
	sweep(&w, start - 3600);
	sent_load(&w, mark, &l);
	T_EQ_INT(sent_count(&l, "reminder", "pat@choir.example"), 1);
	T_EQ_INT(sent_count(&l, "reminder", "lee@choir.example"), 1);
	T_EQ_INT(sent_count(&l, "reminder", NULL), 2);
	sent_free(&l);
	/* Moved a week on: the new start has its own reminders; the old never comes. */
	T_EQ_ERR(fx_update(&w.f, fx_user_actor(w.priya), id, "{\"start\": 1773342000}"), H_OK,
	         &w.f.err); /* 2026-03-12T19:00Z */
	mark = sent_mark(&w);
	sweep(&w, start - 60);
	sent_load(&w, mark, &l);
	T_EQ_INT(sent_count(&l, "reminder", NULL), 0);
	sent_free(&l);
	start = fx_at("2026-03-12T19:00");
	sweep(&w, start - 3600);
	sent_load(&w, mark, &l);
	T_EQ_INT(sent_count(&l, "reminder", NULL), 2);
	sent_free(&l);
	/* Never once started, nor when cancelled. */
	id = ask(&w, w.priya, w.group, "2026-03-13T19:00", true);
	start = fx_at("2026-03-13T19:00");
	mark = sent_mark(&w);
	sweep(&w, start + 60);
	sent_load(&w, mark, &l);
	T_EQ_INT(l.n, 0);
	sent_free(&l);
	id = ask(&w, w.priya, w.group, "2026-03-14T19:00", true);
	T_EQ_ERR(decide(&w, w.pat, id, NULL, booking_cancel), H_OK, &w.f.err);
	mark = sent_mark(&w);
	sweep(&w, fx_at("2026-03-14T18:00"));
	sent_load(&w, mark, &l);
	T_EQ_INT(l.n, 0);
	sent_free(&l);
	fx_close(&w.f);
}

TEST(notify_digest_once_a_day)
{
	struct world w;
	struct sent_list l;
	uint64_t id, mark;
	char *text;

	T_ASSERT(world_open(&w, "{\"digest\": false}"));
	/* Asked on Sunday 1 March at noon; Sam wants no digest. */
	id = ask(&w, w.pat, w.group, "2026-03-20T19:00", false);
	person(&w, "Sam Two", "sam2@hartley.example", ROLE_MANAGER, w.venue, "{\"digest\": false}");
	mark = sent_mark(&w);
	sweep(&w, fx_at("2026-03-02T09:00")); /* a day: not yet */
	sweep(&w, fx_at("2026-03-04T07:59")); /* three days, but before 8am */
	sent_load(&w, mark, &l);
	T_EQ_INT(l.n, 0);
	sent_free(&l);
	sweep(&w, fx_at("2026-03-04T08:00"));
	sweep(&w, fx_at("2026-03-04T09:00"));
	sweep(&w, fx_at("2026-03-04T23:59"));
	sent_load(&w, mark, &l);
	T_EQ_INT(sent_count(&l, "digest", "priya@hartley.example"), 1);
	T_EQ_INT(sent_count(&l, "digest", "sam@hartley.example"), 1);
	T_EQ_INT(sent_count(&l, "digest", "sam2@hartley.example"), 0);
	T_EQ_INT(l.n, 2);
	T_EQ_STR(l.v[0].subject, "1 request waiting more than two days");
	text = sent_text(sent_find(&l, "digest", "priya@hartley.example"));
	T_HAS_STR(text, "Riverside Choir: Choir practice, Main Hall, Friday 20 March 2026, 7pm to "
	                "9pm (asked on Sunday 1 March 2026)");
	free(text);
	sent_free(&l);
	/* The next day, again; once it is decided, none. */
	sweep(&w, fx_at("2026-03-05T08:30"));
	sent_load(&w, mark, &l);
	T_EQ_INT(sent_count(&l, "digest", "priya@hartley.example"), 2);
	sent_free(&l);
	T_EQ_ERR(decide(&w, w.priya, id, NULL, booking_approve), H_OK, &w.f.err);
	mark = sent_mark(&w);
	sweep(&w, fx_at("2026-03-06T08:30"));
	sent_load(&w, mark, &l);
	T_EQ_INT(sent_count(&l, "digest", NULL), 0);
	sent_free(&l);
	fx_close(&w.f);
}

/* --- refusals write nothing --- */

struct op_undone {
	struct world *w;
};

/* A request whose messages are written, then a refusal of what holds it. */
static enum herr request_then_refuse(struct txn *t, void *arg)
{
	struct op_undone *o = arg;
	struct booking b;
	struct actor pat = {o->w->pat};

	booking_init(&b);
	b.room_id = o->w->room;
	b.group_id = o->w->group;
	b.title = "Choir practice";
	b.start = fx_at("2026-03-18T19:00");
	b.end = b.start + 3600;
	if (booking_request(t, &pat, &b, false, o->w->f.now) != H_OK)
		return t->ret;
	return txn_refuse(t, H_EINVAL, "a later step of the same change says no");
}

/* The same nested, as hallsd's group commit runs each request. */
static enum herr nested_refusal(struct txn *t, void *arg)
{
	txn_try(t, request_then_refuse, arg);
	return t->ret;
}

TEST(notify_refused_change_writes_nothing)
{
	struct world w;
	struct sent_list l;
	uint64_t a, b, mark;

	T_ASSERT(world_open(&w, NULL));
	a = ask(&w, w.pat, w.group, "2026-03-10T19:00", false);
	b = ask(&w, w.ola, w.other, "2026-03-10T19:00", false);
	T_EQ_ERR(decide(&w, w.priya, a, NULL, booking_approve), H_OK, &w.f.err);
	mark = sent_mark(&w);
	/* The rival cannot be approved now, and Ola may not approve anything: nothing
	 * written either time. */
	T_EQ_ERR(decide(&w, w.priya, b, NULL, booking_approve), H_ECONFLICT, &w.f.err);
	T_EQ_ERR(decide(&w, w.ola, b, NULL, booking_approve), H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(fx_update(&w.f, fx_user_actor(w.ola), b, "{\"start\": 1773171000}"), H_ECONFLICT,
	         &w.f.err);
	sent_load(&w, mark, &l);
	T_EQ_INT(l.n, 0);
	sent_free(&l);
	/* A series refused whole (one date taken) writes none of its dates' messages. */
	{
		struct series s;
		struct op_series o = {.s = &s, .who = w.ola, .now = w.f.now};

		series_init(&s);
		s.room_id = w.room;
		s.group_id = w.other;
		s.title = xstrdup("Knit");
		s.first_start = fx_at("2026-03-03T19:00");
		s.duration = 7200;
		s.rrule = xstrdup("FREQ=WEEKLY;COUNT=3");
		T_EQ_ERR(db_write(w.f.db, do_series, &o, &w.f.err), H_ECONFLICT, &w.f.err);
		series_outcome_free(&o.out);
		series_free(&s);
	}
	sent_load(&w, mark, &l);
	T_EQ_INT(l.n, 0);
	sent_free(&l);
	/* Messages written, then the change refused: they go with it, whole or nested. */
	{
		struct op_undone o = {&w};

		T_EQ_ERR(db_write(w.f.db, request_then_refuse, &o, &w.f.err), H_EINVAL, &w.f.err);
		T_EQ_ERR(db_write(w.f.db, nested_refusal, &o, &w.f.err), H_OK, &w.f.err);
	}
	sent_load(&w, mark, &l);
	T_EQ_INT(l.n, 0);
	sent_free(&l);
	fx_close(&w.f);
}

/* --- invitations --- */

static enum herr do_feed(struct txn *t, void *arg)
{
	struct feed *out = arg;
	struct feed_scope scope = {FEED_GROUP, 1, T_NOW, NULL};

	return feed_build(t, &scope, out);
}

/* The value of the first line of text that starts with name (without its CRLF). */
static void ics_value(const char *text, const char *name, char *out, size_t size)
{
	const char *p = text != NULL ? strstr(text, name) : NULL;
	size_t n;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += strlen(name);
	n = strcspn(p, "\r\n");
	snprintf(out, size, "%.*s", (int)n, p);
}

TEST(notify_invitation_identity)
{
	struct world w;
	struct sent_list l;
	struct feed feed;
	struct booking b;
	uint64_t id, mark;
	char *cal, uid[128], feed_uid[128], seq[16];
	struct txn t;

	T_ASSERT(world_open(&w, NULL));
	id = ask(&w, w.pat, w.group, "2026-03-10T19:00", false);
	mark = sent_mark(&w);
	T_EQ_ERR(decide(&w, w.priya, id, NULL, booking_approve), H_OK, &w.f.err);
	sent_load(&w, mark, &l);
	cal = sent_calendar(sent_find(&l, "booking-approved", "lee@choir.example"));
	T_ASSERT(cal != NULL);
	T_HAS_STR(cal, "METHOD:REQUEST\r\n");
	T_CHECK(strstr(cal, "METHOD:PUBLISH") == NULL);
	T_CHECK(strstr(cal, "X-WR-CALNAME") == NULL);
	T_HAS_STR(cal,
	          "ORGANIZER;CN=Hartley Road Community Centre:mailto:bookings@hartley.example");
	T_HAS_STR(cal, "ATTENDEE;CN=Lee Chan;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:"
	               "\r\n mailto:lee@choir.example\r\n");
	T_HAS_STR(cal, "BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n");
	T_HAS_STR(cal, "DTSTART;TZID=Europe/London:20260310T190000\r\n");
	T_HAS_STR(cal, "STATUS:CONFIRMED\r\n");
	/* Both the text/calendar alternative and the attached file. */
	T_HAS_STR(l.v[0].raw, "Content-Type: text/calendar; charset=UTF-8; method=REQUEST\r\n");
	T_HAS_STR(l.v[0].raw, "filename=\"invite.ics\"");
	/* The feed's UID and SEQUENCE for the same booking. */
	ics_value(cal, "UID:", uid, sizeof(uid));
	ics_value(cal, "SEQUENCE:", seq, sizeof(seq));
	T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
	T_EQ_ERR(do_feed(&t, &feed), H_OK, &w.f.err);
	db_read_end(&t);
	ics_value(feed.text, "UID:", feed_uid, sizeof(feed_uid));
	T_EQ_STR(uid, feed_uid);
	T_HAS_STR(uid, "booking-");
	T_ASSERT(fx_get(&w.f, id, &b) == H_OK);
	T_EQ_INT(atoi(seq), b.sequence);
	T_CHECK(b.sequence > 0);
	booking_free(&b);
	feed_free(&feed);
	free(cal);
	sent_free(&l);
	/* Cancelled: METHOD:CANCEL, the same UID, a higher SEQUENCE. */
	mark = sent_mark(&w);
	T_EQ_ERR(decide(&w, w.priya, id, "The hall floods", booking_cancel), H_OK, &w.f.err);
	sent_load(&w, mark, &l);
	cal = sent_calendar(sent_find(&l, "booking-cancelled", "pat@choir.example"));
	T_ASSERT(cal != NULL);
	T_HAS_STR(cal, "METHOD:CANCEL\r\n");
	T_HAS_STR(cal, "STATUS:CANCELLED\r\n");
	ics_value(cal, "UID:", feed_uid, sizeof(feed_uid));
	T_EQ_STR(feed_uid, uid);
	ics_value(cal, "SEQUENCE:", seq, sizeof(seq));
	T_ASSERT(fx_get(&w.f, id, &b) == H_OK);
	T_EQ_INT(atoi(seq), b.sequence);
	booking_free(&b);
	free(cal);
	/* The managers' messages carry no calendar. */
	T_CHECK(sent_calendar(sent_find(&l, "booking-cancelled", "sam@hartley.example")) == NULL);
	sent_free(&l);
	fx_close(&w.f);
}

static enum herr do_venue_no_email(struct txn *t, void *arg)
{
	struct world *w = arg;
	struct venue v;
	json_t *fields = json_pack("{s:s}", "email", "");
	enum herr ret = venue_get(t, w->venue, &v);

	if (ret == H_OK)
		ret = venue_apply(&v, fields, t->err);
	if (ret == H_OK)
		ret = venue_update(t, &ACTOR_CONSOLE, &v, T_NOW);
	venue_free(&v);
	json_decref(fields);
	return ret;
}

TEST(notify_invitation_organizer_falls_back)
{
	struct world w;
	struct sent_list l;
	struct venue v;
	char *cal;
	json_t *bad = json_pack("{s:s}", "email", "not an address");
	struct herror err;

	T_ASSERT(world_open(&w, NULL));
	/* The venue's email is checked and kept in one form. */
	venue_init(&v);
	T_EQ_ERR(venue_apply(&v, bad, &err), H_EINVAL, &err);
	T_HAS_STR(err.msg, "email must be an address");
	venue_free(&v);
	json_decref(bad);
	T_EQ_ERR(db_write(w.f.db, do_venue_no_email, &w, &w.f.err), H_OK, &w.f.err);
	ask(&w, w.priya, w.group, "2026-03-10T19:00", true);
	sent_load(&w, 0, &l);
	cal = sent_calendar(sent_find(&l, "booking-approved", "pat@choir.example"));
	T_HAS_STR(cal, "ORGANIZER;CN=Hartley rooms:mailto:rooms@hartley.example\r\n");
	free(cal);
	sent_free(&l);
	fx_close(&w.f);
}

/* --- waitlists (notify_waitlist.c) --- */

struct op_waitlist {
	struct actor a;
	uint64_t room, group, id;
	int64_t start, end, now;
};

static enum herr do_waitlist_join(struct txn *t, void *arg)
{
	struct op_waitlist *o = arg;
	json_t *body = json_pack("{s:I, s:I, s:I, s:I, s:s}", "room_id", (json_int_t)o->room,
	                         "group_id", (json_int_t)o->group, "start", (json_int_t)o->start,
	                         "end", (json_int_t)o->end, "title", "Carol practice");
	struct waitlist_entry e;
	enum herr ret = waitlist_join(t, &o->a, body, o->now, &e);

	if (ret == H_OK)
		o->id = e.id;
	waitlist_entry_free(&e);
	json_decref(body);
	return ret;
}

static enum herr do_offer_sweep(struct txn *t, void *arg)
{
	int64_t next = INT64_MAX;

	return offer_sweep(t, ((struct op_waitlist *)arg)->now, &next);
}

/* --- an allocation round (round.h) --- */

struct op_round {
	struct world *w;
	uint64_t id;
};

/* Opens a round at the world's venue with a fixed seed (so that the messages are the
 * same every run), and both groups apply for its one slot. */
static enum herr do_round_open(struct txn *t, void *arg)
{
	struct op_round *o = arg;
	uint8_t seed[ROUND_SEED_LEN] = {7};
	json_t *fields, *out = NULL;
	struct actor priya = fx_user_actor(o->w->priya);
	enum herr ret;

	fields = json_pack("{sI ss s[{sI si ss ss}] ss ss sI s[{s[s] ss}] ss}", "venue_id",
	                   (json_int_t)o->w->venue, "name", "Winter 2027 Monday evenings", "slots",
	                   "room_id", (json_int_t)o->w->room, "weekday", 1, "start", "19:00", "end",
	                   "21:00", "first_date", "2027-01-11", "last_date", "2027-02-22",
	                   "deadline", (json_int_t)o->w->f.now + 86400, "classes", "group_kinds",
	                   "charity", "says", "charities", "outcome", "approved");
	ret = round_open(t, &priya, fields, seed, "a test's fixed seed", o->w->f.now, &out);
	json_decref(fields);
	if (ret == H_OK)
		o->id = (uint64_t)json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	for (int g = 0; g < 2 && ret == H_OK; g++) {
		struct actor who = fx_user_actor(g == 0 ? o->w->pat : o->w->ola);

		fields =
		    json_pack("{sI s[i]}", "group_id",
		              (json_int_t)(g == 0 ? o->w->group : o->w->other), "preferences", 1);
		ret = round_apply(t, &who, o->id, fields, o->w->f.now, &out);
		json_decref(fields);
		json_decref(out);
		out = NULL;
	}
	return ret;
}

static enum herr do_round_allocate(struct txn *t, void *arg)
{
	struct op_round *o = arg;
	struct actor priya = fx_user_actor(o->w->priya);
	json_t *out = NULL;
	enum herr ret = round_allocate(t, &priya, o->id, o->w->f.now + 86400, &out);

	json_decref(out);
	return ret;
}

/* --- docs/messages.md --- */

struct doc {
	struct mail_buf b;
	char seen[32][48];
	size_t nseen;
};

/* The header whose line starts with name ("From: "), unfolded; "" when absent. */
static void header_of(const char *raw, const char *name, char *out, size_t size)
{
	const char *end = strstr(raw, "\r\n\r\n"), *p = raw;
	size_t n = 0, len = strlen(name);

	out[0] = '\0';
	while (p != NULL && strncmp(p, name, len) != 0) {
		p = strstr(p, "\r\n");
		p = p != NULL ? p + 2 : NULL;
	}
	if (p == NULL || (end != NULL && p > end))
		return;
	for (; *p && n + 1 < size; p++) {
		if (p[0] == '\r' && p[1] == '\n' && p[2] != ' ')
			break;
		if (*p != '\r' && *p != '\n')
			out[n++] = *p;
	}
	out[n] = '\0';
}

/* Adds each kind of message in l not shown yet, as a member gets it when one does: its
 * headers as a person sees them and its text. */
static void doc_add(struct doc *d, const struct sent_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct sent *s = &l->v[i], *mine;
		char *text, *cal, from[160], to[160], subject[300];
		bool seen = false;

		for (size_t j = 0; j < d->nseen; j++)
			seen |= strcmp(d->seen[j], s->kind) == 0;
		if (seen || d->nseen == 32)
			continue;
		if ((mine = sent_find(l, s->kind, "pat@choir.example")) != NULL ||
		    (mine = sent_find(l, s->kind, "lee@choir.example")) != NULL)
			s = mine;
		snprintf(d->seen[d->nseen++], sizeof(d->seen[0]), "%s", s->kind);
		header_of(s->raw, "From: ", from, sizeof(from));
		header_of(s->raw, "To: ", to, sizeof(to));
		header_of(s->raw, "Subject: ", subject, sizeof(subject));
		text = sent_text(s);
		cal = sent_calendar(s);
		mail_buf_printf(&d->b, "## %s\n\n```email\n%s\n%s\n%s\n%s\n%s```\n\n", s->kind,
		                from, to, subject, cal != NULL ? "Attached: invite.ics\n" : "",
		                text);
		free(cal);
		free(text);
	}
}

static void doc_take(struct world *w, struct doc *d, uint64_t *mark)
{
	struct sent_list l;

	sent_load(w, *mark, &l);
	doc_add(d, &l);
	sent_free(&l);
	*mark = sent_mark(w);
}

static char *file_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct mail_buf b = {0};
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		mail_buf_add(&b, chunk, n);
	fclose(f);
	return b.s != NULL ? b.s : xstrdup("");
}

/* The room holds each request for 48 hours, then releases it (hold.h). */
static enum herr op_hold_room(struct txn *t, void *arg)
{
	struct world *w = arg;
	json_t *fields = json_pack("{s:i, s:s}", "hold_hours", 48, "hold_lapse", "release");
	struct room r;
	enum herr ret = room_get(t, w->room, &r);

	if (ret == H_OK)
		ret = room_apply(&r, fields, t->err);
	if (ret == H_OK)
		ret = room_update(t, &ACTOR_CONSOLE, &r, w->f.now);
	room_free(&r);
	json_decref(fields);
	return ret;
}

static enum herr do_fair_sweep(struct txn *t, void *arg)
{
	int64_t next, *now = arg;

	return fair_sweep(t, *now, &next);
}

TEST(notify_messages_doc)
{
	static const char *const path = "docs/messages.md";
	struct world w;
	struct doc d = {0};
	struct series s;
	struct op_series o = {.s = &s};
	uint64_t id, mark = 0;
	char *head, *marker, *was;

	T_ASSERT(world_open(&w, NULL));
	id = ask(&w, w.pat, w.group, "2026-12-08T19:00", false);
	doc_take(&w, &d, &mark);
	T_EQ_ERR(decide(&w, w.priya, id, "Please use the side door after 6pm.", booking_approve),
	         H_OK, &w.f.err);
	doc_take(&w, &d, &mark);
	T_EQ_ERR(fx_update(&w.f, fx_user_actor(w.priya), id, "{\"start\": 1796842800}"), H_OK,
	         &w.f.err); /* Wednesday 9 December 2026, 7pm */
	doc_take(&w, &d, &mark);
	T_EQ_ERR(fx_closure(&w.f, CLOSURE_ROOM, w.room, fx_at("2026-12-09T08:00"),
	                    fx_at("2026-12-10T08:00"), NULL),
	         H_OK, &w.f.err);
	doc_take(&w, &d, &mark);
	sweep(&w, fx_at("2026-12-08T20:00"));
	doc_take(&w, &d, &mark);
	T_EQ_ERR(decide(&w, w.pat, id, "We will meet at the library instead.", booking_cancel),
	         H_OK, &w.f.err);
	doc_take(&w, &d, &mark);
	id = ask(&w, w.pat, w.group, "2026-12-15T19:00", false);
	T_EQ_ERR(decide(&w, w.priya, id, "The hall is taken for the carol concert rehearsal.",
	                booking_decline),
	         H_OK, &w.f.err);
	doc_take(&w, &d, &mark);
	series_init(&s);
	s.room_id = w.room;
	s.group_id = w.group;
	s.title = xstrdup("Choir practice");
	s.first_start = fx_at("2027-01-05T19:00");
	s.duration = 7200;
	s.rrule = xstrdup("FREQ=WEEKLY;COUNT=4");
	o.who = w.pat;
	o.now = w.f.now;
	T_ASSERT(db_write(w.f.db, do_series, &o, &w.f.err) == H_OK);
	series_outcome_free(&o.out);
	doc_take(&w, &d, &mark);
	o.who = w.priya;
	o.act = SERIES_APPROVE;
	T_ASSERT(db_write(w.f.db, do_series_decide, &o, &w.f.err) == H_OK);
	series_outcome_free(&o.out);
	doc_take(&w, &d, &mark);
	series_free(&s);
	ask(&w, w.pat, w.group, "2026-12-20T19:00", false);
	sweep(&w, fx_at("2026-12-03T08:00"));
	doc_take(&w, &d, &mark);
	/* A provisional hold: its warning, then its lapse (test_hold.c). */
	T_EQ_ERR(db_write(w.f.db, op_hold_room, &w, &w.f.err), H_OK, &w.f.err);
	ask(&w, w.pat, w.group, "2027-02-02T19:00", false);
	doc_take(&w, &d, &mark);
	for (int64_t at = w.f.now + 36 * 3600; at <= w.f.now + 48 * 3600; at += 12 * 3600) {
		T_EQ_ERR(db_write(w.f.db, do_fair_sweep, &at, &w.f.err), H_OK, &w.f.err);
		doc_take(&w, &d, &mark);
	}
	{
		struct op_waitlist wl = {.a = fx_user_actor(w.pat),
		                         .room = w.room,
		                         .group = w.group,
		                         .start = fx_at("2026-12-22T19:00"),
		                         .end = fx_at("2026-12-22T21:00"),
		                         .now = w.f.now};
		uint64_t in_the_way;

		T_ASSERT(fx_book(&w.f, w.room, w.other, wl.start, wl.end, &in_the_way) == H_OK);
		T_EQ_ERR(db_write(w.f.db, do_waitlist_join, &wl, &w.f.err), H_OK, &w.f.err);
		mark = sent_mark(&w);
		T_EQ_ERR(fx_cancel(&w.f, ACTOR_CONSOLE, in_the_way), H_OK, &w.f.err);
		doc_take(&w, &d, &mark);
		wl.now = w.f.now + 24 * 3600;
		T_EQ_ERR(db_write(w.f.db, do_offer_sweep, &wl, &w.f.err), H_OK, &w.f.err);
		doc_take(&w, &d, &mark);
	}
	{
		struct op_round r = {.w = &w};

		T_ASSERT(db_write(w.f.db, do_round_open, &r, &w.f.err) == H_OK);
		doc_take(&w, &d, &mark);
		T_ASSERT(db_write(w.f.db, do_round_allocate, &r, &w.f.err) == H_OK);
		doc_take(&w, &d, &mark);
	}
	T_EQ_INT(d.nseen, 17);
	/* The file's words before the marker are its own; what follows is made here. */
	was = file_read(path);
	T_ASSERT(was != NULL);
	marker = strstr(was, "<!-- messages -->\n");
	T_ASSERT(marker != NULL);
	head = xstrndup(was, (size_t)(marker - was) + strlen("<!-- messages -->\n"));
	{
		struct mail_buf now = {0};

		mail_buf_printf(&now, "%s\n%s", head, d.b.s);
		if (getenv("HALLS_WRITE_DOCS") != NULL) {
			FILE *f = fopen(path, "wb");

			T_ASSERT(f != NULL);
			fputs(now.s, f);
			fclose(f);
		} else if (strcmp(now.s, was) != 0) {
			t_fail(__FILE__, __LINE__,
			       "%s is not what the code sends: run HALLS_WRITE_DOCS=1 "
			       "build/test-unit notify_messages_doc and read the difference",
			       path);
		}
		mail_buf_free(&now);
	}
	free(head);
	free(was);
	mail_buf_free(&d.b);
	fx_close(&w.f);
}
