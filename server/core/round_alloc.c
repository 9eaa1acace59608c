/* The published rules of an allocation round (round_alloc.h): inputs in, allocation out,
 * nothing else read. Everything here must give the same answer on every machine: no
 * clock, no store, no locale, no floating point. */
#include "round_alloc.h"

#include "text.h"
#include "when.h"
#include "xmalloc.h"

#include <openssl/sha.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char round_rules_words[] =
    "Applications are taken in order of priority class (class 1 first; the last class is "
    "everyone the venue's classes do not name), then of lottery rank, the SHA-256 of the "
    "seed's 32 bytes followed by the application id as 8 big-endian bytes, smaller first "
    "(equal ranks: the smaller application id first). In that order each application gets "
    "its highest preference whose slot is still free, or none.";

void round_rank(const uint8_t seed[ROUND_SEED_LEN], uint64_t app_id, uint8_t out[ROUND_RANK_LEN])
{
	uint8_t in[ROUND_SEED_LEN + 8];

	memcpy(in, seed, ROUND_SEED_LEN);
	for (int i = 0; i < 8; i++)
		in[ROUND_SEED_LEN + i] = (uint8_t)(app_id >> (56 - 8 * i));
	SHA256(in, sizeof(in), out);
}

void round_commitment(const uint8_t seed[ROUND_SEED_LEN], uint8_t out[ROUND_RANK_LEN])
{
	SHA256(seed, ROUND_SEED_LEN, out);
}

void round_hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool round_unhex(const char *hex, uint8_t *out, size_t n)
{
	if (hex == NULL || strlen(hex) != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

int round_clock_parse(const char *s)
{
	int h, m;

	if (s == NULL || strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '9' || s[1] < '0' ||
	    s[1] > '9' || s[3] < '0' || s[3] > '9' || s[4] < '0' || s[4] > '9')
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	return h * 60 + m;
}

static const char *const weekday_names[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                            "Friday", "Saturday", "Sunday"};

static void clock_words(int minutes, char *out, size_t size)
{
	if (minutes == 24 * 60)
		snprintf(out, size, "midnight");
	else
		when_clock(minutes / 60, minutes % 60, out, size);
}

void round_slot_words(int weekday, const char *start, const char *end, const char *room, char *out,
                      size_t size)
{
	char from[WHEN_MAX], to[WHEN_MAX];
	int s = round_clock_parse(start), e = round_clock_parse(end);

	clock_words(s < 0 ? 0 : s, from, sizeof(from));
	clock_words(e < 0 ? 0 : e, to, sizeof(to));
	snprintf(out, size, "%s %s\xe2\x80\x93%s, %s",
	         weekday >= 1 && weekday <= 7 ? weekday_names[weekday - 1] : "?", from, to,
	         room != NULL ? room : "?");
}

/* The inputs, read and checked. */
struct alloc_slot {
	uint64_t id;
	char words[256];
	size_t taken_by; /* index into apps + 1; 0 free */
};
struct alloc_app {
	uint64_t id, group_id;
	const char *group;
	int64_t cls;
	uint64_t prefs[ROUND_PREFS_MAX];
	size_t nprefs;
	uint8_t rank[ROUND_RANK_LEN];
	size_t place; /* 1-based position in the order */
};
struct alloc {
	struct alloc_slot *slots;
	size_t nslots;
	struct alloc_app *apps;
	size_t napps;
	const json_t *classes;
	size_t nclasses; /* the venue's; class nclasses + 1 is everyone else */
};

static void alloc_free(struct alloc *al)
{
	free(al->slots);
	free(al->apps);
}

static bool id_of(const json_t *o, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

static struct alloc_slot *slot_find(struct alloc *al, uint64_t id)
{
	for (size_t i = 0; i < al->nslots; i++)
		if (al->slots[i].id == id)
			return &al->slots[i];
	return NULL;
}

static enum herr read_slots(struct alloc *al, const json_t *slots, struct herror *err)
{
	size_t i;
	json_t *s;

	if (!json_is_array(slots) || json_array_size(slots) > ROUND_SLOTS_MAX)
		return herror_set(err, H_EINVAL, "slots must be a list of at most %d slots",
		                  ROUND_SLOTS_MAX);
	al->slots = xcalloc(json_array_size(slots) + 1, sizeof(*al->slots));
	json_array_foreach(slots, i, s)
	{
		struct alloc_slot *as = &al->slots[al->nslots];
		json_t *wd = json_object_get(s, "weekday");
		const char *room = json_string_value(json_object_get(s, "room"));

		if (!id_of(s, "id", &as->id) || slot_find(al, as->id) != NULL)
			return herror_set(err, H_EINVAL, "slot %zu needs an id of its own", i + 1);
		if (!json_is_integer(wd) || json_integer_value(wd) < 1 ||
		    json_integer_value(wd) > 7)
			return herror_set(err, H_EINVAL, "slot %zu needs a weekday from 1 to 7",
			                  i + 1);
		if (round_clock_parse(json_string_value(json_object_get(s, "start"))) < 0 ||
		    round_clock_parse(json_string_value(json_object_get(s, "end"))) < 0 ||
		    room == NULL)
			return herror_set(err, H_EINVAL,
			                  "slot %zu needs a room, a start and an end", i + 1);
		round_slot_words((int)json_integer_value(wd),
		                 json_string_value(json_object_get(s, "start")),
		                 json_string_value(json_object_get(s, "end")), room, as->words,
		                 sizeof(as->words));
		al->nslots++;
	}
	return H_OK;
}

static enum herr read_prefs(struct alloc *al, struct alloc_app *ap, const json_t *prefs, size_t n,
                            struct herror *err)
{
	size_t i;
	json_t *p;

	if (!json_is_array(prefs) || json_array_size(prefs) > ROUND_PREFS_MAX)
		return herror_set(
		    err, H_EINVAL,
		    "application %zu's preferences must be a list of at most %d slots", n,
		    ROUND_PREFS_MAX);
	json_array_foreach(prefs, i, p)
	{
		uint64_t id = json_is_integer(p) && json_integer_value(p) > 0
		                  ? (uint64_t)json_integer_value(p)
		                  : 0;

		if (id == 0 || slot_find(al, id) == NULL)
			return herror_set(
			    err, H_EINVAL,
			    "application %zu's preference %zu names no slot of the round", n,
			    i + 1);
		for (size_t j = 0; j < ap->nprefs; j++)
			if (ap->prefs[j] == id)
				return herror_set(err, H_EINVAL,
				                  "application %zu names slot %llu twice", n,
				                  (unsigned long long)id);
		ap->prefs[ap->nprefs++] = id;
	}
	return H_OK;
}

static enum herr read_apps(struct alloc *al, const json_t *apps, const uint8_t *seed,
                           const uint8_t (*ranks)[ROUND_RANK_LEN], struct herror *err)
{
	size_t i;
	json_t *a;
	enum herr ret;

	if (!json_is_array(apps) || json_array_size(apps) > ROUND_APPS_MAX)
		return herror_set(err, H_EINVAL, "applications must be a list of at most %d",
		                  ROUND_APPS_MAX);
	al->apps = xcalloc(json_array_size(apps) + 1, sizeof(*al->apps));
	json_array_foreach(apps, i, a)
	{
		struct alloc_app *ap = &al->apps[al->napps];
		json_t *cls = json_object_get(a, "class");

		if (!id_of(a, "id", &ap->id) || !id_of(a, "group_id", &ap->group_id))
			return herror_set(err, H_EINVAL,
			                  "application %zu needs an id and a group_id", i + 1);
		for (size_t j = 0; j < al->napps; j++)
			if (al->apps[j].id == ap->id || al->apps[j].group_id == ap->group_id)
				return herror_set(
				    err, H_EINVAL,
				    "application %zu repeats an application or a group", i + 1);
		if (!json_is_integer(cls) || json_integer_value(cls) < 1 ||
		    json_integer_value(cls) > (json_int_t)al->nclasses + 1)
			return herror_set(err, H_EINVAL,
			                  "application %zu's class must be from 1 to %zu", i + 1,
			                  al->nclasses + 1);
		ap->cls = json_integer_value(cls);
		ap->group = json_string_value(json_object_get(a, "group"));
		if (ap->group == NULL)
			return herror_set(err, H_EINVAL, "application %zu needs its group's name",
			                  i + 1);
		if ((ret = read_prefs(al, ap, json_object_get(a, "preferences"), i + 1, err)) !=
		    H_OK)
			return ret;
		if (ranks != NULL)
			memcpy(ap->rank, ranks[i], ROUND_RANK_LEN);
		else
			round_rank(seed, ap->id, ap->rank);
		al->napps++;
	}
	return H_OK;
}

static int app_order(const void *x, const void *y)
{
	const struct alloc_app *a = x, *b = y;
	int c;

	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	if ((c = memcmp(a->rank, b->rank, ROUND_RANK_LEN)) != 0)
		return c;
	return a->id < b->id ? -1 : a->id > b->id;
}

static const char *class_says(const struct alloc *al, int64_t cls)
{
	const char *s = NULL;

	if (cls >= 1 && (size_t)cls <= al->nclasses)
		s = json_string_value(
		    json_object_get(json_array_get(al->classes, (size_t)cls - 1), "says"));
	return s != NULL ? s : "everyone else";
}

/* Appends to the explanation in buf. */
static void say(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/* Why preference k (slot s) did not go to ap: it went to an earlier application. */
static void say_taken(const struct alloc *al, const struct alloc_app *ap, size_t k,
                      const struct alloc_slot *s, char *buf, size_t size)
{
	const struct alloc_app *w = &al->apps[s->taken_by - 1];

	say(buf, size, "Preference %zu (%s) went to %s, ", k, s->words, w->group);
	if (w->cls < ap->cls)
		say(buf, size, "which is in priority class %lld (%s); you are in class %lld (%s). ",
		    (long long)w->cls, class_says(al, w->cls), (long long)ap->cls,
		    class_says(al, ap->cls));
	else if (memcmp(w->rank, ap->rank, ROUND_RANK_LEN) == 0)
		say(buf, size,
		    "which is also in priority class %lld and drew the same lottery rank as you; "
		    "the tie went to the smaller application id (%llu before your %llu). ",
		    (long long)w->cls, (unsigned long long)w->id, (unsigned long long)ap->id);
	else
		say(buf, size,
		    "which is also in priority class %lld and came earlier in the lottery (place "
		    "%zu; yours is %zu). ",
		    (long long)w->cls, w->place, ap->place);
}

/* Gives ap its highest free preference, and says why. */
static json_t *alloc_one(struct alloc *al, size_t i)
{
	struct alloc_app *ap = &al->apps[i];
	char buf[4096] = "", hex[2 * ROUND_RANK_LEN + 1];
	size_t got = 0;
	struct alloc_slot *slot = NULL;

	for (size_t k = 0; k < ap->nprefs && got == 0; k++) {
		struct alloc_slot *s = slot_find(al, ap->prefs[k]);

		if (s->taken_by != 0) {
			say_taken(al, ap, k + 1, s, buf, sizeof(buf));
			continue;
		}
		s->taken_by = i + 1;
		slot = s;
		got = k + 1;
		if (k == 0)
			say(buf, sizeof(buf),
			    "Preference 1 (%s) was free when your turn came: you "
			    "have it.",
			    s->words);
		else
			say(buf, sizeof(buf), "Preference %zu (%s) was free: you have it.", got,
			    s->words);
	}
	if (ap->nprefs == 0)
		say(buf, sizeof(buf), "The application named no slots, so it has none.");
	else if (got == 0)
		say(buf, sizeof(buf),
		    "None of your preferences was free: you have no slot in this "
		    "round.");
	say(buf, sizeof(buf),
	    " Your turn was place %zu of %zu: priority class %lld (%s), then the lottery.",
	    ap->place, al->napps, (long long)ap->cls, class_says(al, ap->cls));
	round_hex(ap->rank, ROUND_RANK_LEN, hex);
	return json_pack("{sI sI ss sI ss sI so so ss}", "application_id", (json_int_t)ap->id,
	                 "group_id", (json_int_t)ap->group_id, "group", ap->group, "class",
	                 (json_int_t)ap->cls, "lottery_rank", hex, "place", (json_int_t)ap->place,
	                 "slot_id", slot != NULL ? json_integer((json_int_t)slot->id) : json_null(),
	                 "preference", got != 0 ? json_integer((json_int_t)got) : json_null(),
	                 "explanation", buf);
}

static json_t *alloc_slots(const struct alloc *al)
{
	json_t *out = json_array();

	for (size_t i = 0; i < al->nslots; i++) {
		const struct alloc_slot *s = &al->slots[i];
		const struct alloc_app *w = s->taken_by != 0 ? &al->apps[s->taken_by - 1] : NULL;

		json_array_append_new(
		    out,
		    json_pack("{sI so so so}", "slot_id", (json_int_t)s->id, "application_id",
		              w != NULL ? json_integer((json_int_t)w->id) : json_null(), "group_id",
		              w != NULL ? json_integer((json_int_t)w->group_id) : json_null(),
		              "group", w != NULL ? json_string(w->group) : json_null()));
	}
	return out;
}

static enum herr alloc_read(struct alloc *al, const json_t *inputs,
                            const uint8_t (*ranks)[ROUND_RANK_LEN], struct herror *err)
{
	uint8_t seed[ROUND_SEED_LEN];
	enum herr ret;

	if (!json_is_object(inputs))
		return herror_set(err, H_EINVAL, "the inputs must be a JSON object");
	if (ranks == NULL &&
	    !round_unhex(json_string_value(json_object_get(inputs, "seed")), seed, sizeof(seed)))
		return herror_set(err, H_EINVAL,
		                  "the inputs have no seed (64 hex digits): it is published only "
		                  "after the deadline");
	al->classes = json_object_get(inputs, "classes");
	if (!json_is_array(al->classes) || json_array_size(al->classes) > ROUND_CLASSES_MAX)
		return herror_set(err, H_EINVAL, "classes must be a list of at most %d",
		                  ROUND_CLASSES_MAX);
	al->nclasses = json_array_size(al->classes);
	if ((ret = read_slots(al, json_object_get(inputs, "slots"), err)) != H_OK)
		return ret;
	return read_apps(al, json_object_get(inputs, "applications"), seed, ranks, err);
}

json_t *round_alloc(const json_t *inputs, const uint8_t (*ranks)[ROUND_RANK_LEN],
                    struct herror *err)
{
	struct alloc al = {0};
	json_t *order, *apps, *out;

	if (alloc_read(&al, inputs, ranks, err) != H_OK) {
		alloc_free(&al);
		return NULL;
	}
	qsort(al.apps, al.napps, sizeof(*al.apps), app_order);
	order = json_array();
	apps = json_array();
	for (size_t i = 0; i < al.napps; i++) {
		al.apps[i].place = i + 1;
		json_array_append_new(order, json_integer((json_int_t)al.apps[i].id));
	}
	for (size_t i = 0; i < al.napps; i++)
		json_array_append_new(apps, alloc_one(&al, i));
	out = json_pack("{sO ss so so so}", "round_id",
	                json_object_get(inputs, "round_id") != NULL
	                    ? json_object_get(inputs, "round_id")
	                    : json_null(),
	                "rules", round_rules_words, "order", order, "applications", apps, "slots",
	                alloc_slots(&al));
	alloc_free(&al);
	return out;
}
