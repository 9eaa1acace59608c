#include "user.h"

#include "record.h"
#include "walk.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

#define NAME_MAX_BYTES 200

static const char *const role_names[] = {
    [ROLE_ADMIN] = "admin",
    [ROLE_MANAGER] = "manager",
    [ROLE_MEMBER] = "member",
};

#define ROLE_COUNT (sizeof(role_names) / sizeof(role_names[0]))

static const char *const notice_names[NOTICE_COUNT] = {
    [NOTICE_REQUESTS] = "requests", [NOTICE_DECISIONS] = "decisions", [NOTICE_CHANGES] = "changes",
    [NOTICE_CLOSURES] = "closures", [NOTICE_REMINDERS] = "reminders", [NOTICE_DIGEST] = "digest",
};

const char *notice_name(enum notice n)
{
	return (unsigned)n < NOTICE_COUNT ? notice_names[n] : "unknown";
}

bool user_wants(const struct user *u, enum notice n)
{
	return (unsigned)n < NOTICE_COUNT && !u->notices.off[n];
}

int64_t user_reminder_lead(const struct user *u)
{
	uint32_t h = u->notices.reminder_hours;

	return (int64_t)(h != 0 ? h : REMINDER_HOURS_DEFAULT) * 3600;
}

/* Applies the "notifications" object of fields to *n: booleans by notice name and
 * reminder_hours; anything else is refused with its name. */
static enum herr notices_apply(struct user_notices *n, const json_t *v, struct herror *err)
{
	struct user_notices next = *n;
	const char *key;
	json_t *val;

	if (!json_is_object(v))
		return herror_set(err, H_EINVAL, "notifications must be an object");
	json_object_foreach((json_t *)v, key, val)
	{
		size_t i;
		int64_t hours;

		if (strcmp(key, "reminder_hours") == 0) {
			if (!json_int_in(val, 1, REMINDER_HOURS_MAX, &hours))
				return herror_set(err, H_EINVAL,
				                  "notifications.reminder_hours must be a whole "
				                  "number of hours from 1 to %d",
				                  REMINDER_HOURS_MAX);
			next.reminder_hours = (uint32_t)hours;
			continue;
		}
		for (i = 0; i < NOTICE_COUNT && strcmp(key, notice_names[i]) != 0; i++)
			;
		if (i == NOTICE_COUNT)
			return field_unknown(key, err);
		if (!json_is_boolean(val))
			return herror_set(err, H_EINVAL, "notifications.%s must be true or false",
			                  notice_names[i]);
		next.off[i] = !json_is_true(val);
	}
	*n = next;
	return H_OK;
}

static json_t *notices_to_json(const struct user *u)
{
	json_t *o = json_object();

	for (size_t i = 0; i < NOTICE_COUNT; i++)
		json_object_set_new(o, notice_names[i], json_boolean(!u->notices.off[i]));
	json_object_set_new(o, "reminder_hours", json_integer(user_reminder_lead(u) / 3600));
	return o;
}

void user_init(struct user *u)
{
	memset(u, 0, sizeof(*u));
	u->role = ROLE_MEMBER;
}

void user_free(struct user *u)
{
	free(u->name);
	free(u->email);
	free(u->venues);
	free(u->groups);
	free(u->password_hash);
	memset(u, 0, sizeof(*u));
}

const char *role_name(enum role r)
{
	return (size_t)r < ROLE_COUNT ? role_names[r] : "member";
}

int role_parse(const char *s, enum role *out)
{
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < ROLE_COUNT; i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum role)i;
			return 0;
		}
	}
	return -1;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

char *user_email_normalize(const char *s)
{
	const char *end, *at, *dot;
	size_t n;
	char *e;

	if (s == NULL)
		return NULL;
	while (is_space(*s))
		s++;
	end = s + strlen(s);
	while (end > s && is_space(end[-1]))
		end--;
	n = (size_t)(end - s);
	if (n < 5 || n > EMAIL_MAX_BYTES)
		return NULL;
	e = xstrndup(s, n);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)e[i];

		if (c <= 0x20 || c == 0x7f)
			goto bad;
		if (c >= 'A' && c <= 'Z')
			e[i] = (char)(c - 'A' + 'a');
	}
	at = strchr(e, '@');
	if (at == NULL || at == e || strchr(at + 1, '@') != NULL)
		goto bad;
	dot = strchr(at + 1, '.');
	if (dot == NULL || at[1] == '.' || e[n - 1] == '.' || strstr(at + 1, "..") != NULL)
		goto bad;
	if (text_check(e, "email", EMAIL_MAX_BYTES, true, false, NULL) != H_OK)
		goto bad;
	return e;
bad:
	free(e);
	return NULL;
}

enum herr user_apply(struct user *u, const json_t *fields, struct herror *err)
{
	struct user n = *u;
	json_t *email = json_object_get(fields, "email");
	json_t *role = json_object_get(fields, "role");
	enum herr ret;

	/* Work on copies so that u is untouched when a later field is refused. */
	n.name = xstrdup_or_null(u->name);
	n.email = xstrdup_or_null(u->email);
	n.venues = ids_copy(u->venues, u->nvenues);
	n.groups = ids_copy(u->groups, u->ngroups);
	n.password_hash = xstrdup_or_null(u->password_hash);
	if (email != NULL) {
		char *e = user_email_normalize(json_string_value(email));

		if (e == NULL) {
			ret = herror_set(err, H_EINVAL,
			                 "email must be an address such as "
			                 "name@example.org");
			goto fail;
		}
		if (strlen(e) > EMAIL_KEY_MAX) {
			free(e);
			ret = herror_set(err, H_EINVAL, "email is longer than %d bytes",
			                 (int)EMAIL_KEY_MAX);
			goto fail;
		}
		free(n.email);
		n.email = e;
	}
	if (json_object_get(fields, "notifications") != NULL &&
	    (ret = notices_apply(&n.notices, json_object_get(fields, "notifications"), err)))
		goto fail;
	if (role != NULL && role_parse(json_string_value(role), &n.role) != 0) {
		ret = herror_set(err, H_EINVAL, "role must be one of admin, manager, member");
		goto fail;
	}
	if ((ret = field_text(&n.name, fields, "name", NAME_MAX_BYTES, true, false, err)) ||
	    (ret = field_ids(&n.venues, &n.nvenues, fields, "venues", err)) ||
	    (ret = field_ids(&n.groups, &n.ngroups, fields, "groups", err)))
		goto fail;
	if (n.name == NULL) {
		ret = herror_set(err, H_EINVAL, "name is required");
		goto fail;
	}
	if (n.email == NULL) {
		ret = herror_set(err, H_EINVAL, "email is required");
		goto fail;
	}
	if (n.role == ROLE_MANAGER && n.nvenues == 0) {
		ret = herror_set(err, H_EINVAL, "a manager needs at least one venue");
		goto fail;
	}
	if (n.role == ROLE_MEMBER && n.ngroups == 0) {
		ret = herror_set(err, H_EINVAL, "a member needs at least one group");
		goto fail;
	}
	user_free(u);
	*u = n;
	return H_OK;
fail:
	user_free(&n);
	return ret;
}

json_t *user_to_json(const struct user *u, bool with_secret)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)u->id, "name",
	                      u->name ? u->name : "", "email", u->email ? u->email : "", "role",
	                      role_name(u->role), "created_at", (json_int_t)u->created_at);

	json_object_set_new(o, "venues", json_ids_new(u->venues, u->nvenues));
	json_object_set_new(o, "groups", json_ids_new(u->groups, u->ngroups));
	json_object_set_new(o, "has_password", json_boolean(u->password_hash != NULL));
	json_object_set_new(o, "notifications", notices_to_json(u));
	if (with_secret && u->password_hash != NULL)
		json_object_set_new(o, "password_hash", json_string(u->password_hash));
	return o;
}

enum herr user_from_json(const json_t *o, struct user *u, struct herror *err)
{
	json_t *hash = json_object_get(o, "password_hash");
	enum herr ret;

	user_init(u);
	if (hash != NULL && !json_is_string(hash) && !json_is_null(hash))
		return herror_set(err, H_EINVAL, "password_hash must be a string");
	ret = user_apply(u, o, err);
	if (ret != H_OK)
		return ret;
	u->id = (uint64_t)json_int(o, "id", 0);
	u->created_at = json_int(o, "created_at", 0);
	u->password_hash = xstrdup_or_null(json_string_value(hash));
	return H_OK;
}

enum herr user_get(struct txn *t, uint64_t id, struct user *out)
{
	json_t *o;
	enum herr ret = record_get(t, DBI_USER, id, "user", &o);

	user_init(out);
	if (ret != H_OK)
		return ret;
	ret = user_from_json(o, out, t->err);
	json_decref(o);
	return ret == H_OK
	           ? H_OK
	           : txn_refuse(t, H_ESTORAGE, "user %llu is corrupt", (unsigned long long)id);
}

/* The email index key: the lower-case address (e is already normalized). */
static bool email_key(struct key *k, const char *e)
{
	size_t n = strlen(e);

	key_init(k);
	if (n == 0 || n > EMAIL_KEY_MAX)
		return false;
	memcpy(k->b, e, n);
	k->len = n;
	return true;
}

/* The id the email index gives for e (normalized), or 0. */
static uint64_t email_lookup(struct txn *t, const char *e)
{
	struct key k;
	MDB_val v;

	if (!email_key(&k, e) || !txn_get(t, DBI_USER_EMAIL, &k, &v))
		return 0;
	if (v.mv_size != 8) {
		txn_refuse(t, H_ESTORAGE, "the email index entry of %s is corrupt", e);
		return 0;
	}
	return key_get_u64(v.mv_data);
}

enum herr user_find_email(struct txn *t, const char *email, struct user *out)
{
	char *e = user_email_normalize(email);
	uint64_t id = e != NULL ? email_lookup(t, e) : 0;

	free(e);
	user_init(out);
	if (t->ret != H_OK)
		return t->ret;
	if (id == 0)
		return herror_set(t->err, H_ENOTFOUND, "there is no user with that email");
	return user_get(t, id, out);
}

uint64_t user_email_owner(struct txn *t, const char *email)
{
	return email_lookup(t, email);
}

static bool id_in(const uint64_t *ids, size_t n, uint64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* Brings a user's entries of one list (tag) from the ids it listed (was) to the ids it
 * lists now: only the differences are written. */
static void role_entries_update(struct txn *t, uint8_t tag, uint64_t user_id, const uint64_t *was,
                                size_t nwas, const uint64_t *now, size_t nnow)
{
	struct key k;

	for (size_t i = 0; i < nwas; i++)
		if (!id_in(now, nnow, was[i])) {
			k = key_user_role(tag, was[i], user_id);
			txn_del(t, DBI_USER_ROLE, &k);
		}
	for (size_t i = 0; i < nnow; i++)
		if (!id_in(was, nwas, now[i])) {
			k = key_user_role(tag, now[i], user_id);
			txn_put(t, DBI_USER_ROLE, &k, "", 0);
		}
}

/* The index entries of u, which replaces old (NULL: none, or the same lists). */
static void role_entries_store(struct txn *t, const struct user *u, const struct user *old)
{
	role_entries_update(t, USER_OF_GROUP, u->id, old ? old->groups : NULL,
	                    old ? old->ngroups : 0, u->groups, u->ngroups);
	role_entries_update(t, USER_OF_VENUE, u->id, old ? old->venues : NULL,
	                    old ? old->nvenues : 0, u->venues, u->nvenues);
}

void user_store(struct txn *t, const struct user *u, const struct user *old)
{
	json_t *o = user_to_json(u, true);
	struct key k;
	uint8_t id[8];

	if (old != NULL && old->email != NULL &&
	    (u->email == NULL || strcmp(old->email, u->email) != 0) && email_key(&k, old->email))
		txn_del(t, DBI_USER_EMAIL, &k);
	if (u->email != NULL && email_key(&k, u->email)) {
		key_put_u64(id, u->id);
		txn_put(t, DBI_USER_EMAIL, &k, id, sizeof(id));
	}
	role_entries_store(t, u, old);
	record_put(t, DBI_USER, u->id, o);
	json_decref(o);
}

enum herr user_password_upgrade(struct txn *t, uint64_t id, const char *old_hash,
                                const char *new_hash)
{
	struct user u;

	if (user_get(t, id, &u) == H_OK && u.password_hash != NULL &&
	    strcmp(u.password_hash, old_hash) == 0) {
		free(u.password_hash);
		u.password_hash = xstrdup(new_hash);
		user_store(t, &u, NULL);
	}
	user_free(&u);
	return t->ret;
}

void user_delete(struct txn *t, const struct user *u)
{
	struct key k = key_id(u->id), ek;

	if (email_key(&ek, u->email) && email_lookup(t, u->email) == u->id)
		txn_del(t, DBI_USER_EMAIL, &ek);
	role_entries_update(t, USER_OF_GROUP, u->id, u->groups, u->ngroups, NULL, 0);
	role_entries_update(t, USER_OF_VENUE, u->id, u->venues, u->nvenues, NULL, 0);
	txn_del(t, DBI_USER, &k);
}

enum herr user_each_page(struct txn *t, struct walk *w, bool (*fn)(const struct user *u, void *arg),
                         void *arg)
{
	struct key none, from;
	struct scan s;
	bool more = true;

	walk_begin(w);
	if (!walk_first_id_key(0, w, &from))
		return t->ret;
	key_init(&none);
	scan_begin(&s, t, DBI_USER, &none, from.len > 0 ? &from : NULL);
	while (more && scan_next(&s)) {
		struct user u;
		uint64_t id;

		if (s.k.mv_size != 8) {
			txn_refuse(t, H_ESTORAGE, "a user key is corrupt");
			break;
		}
		id = key_get_u64(s.k.mv_data);
		if (!walk_take(w, (struct walk_pos){0, id}))
			break;
		if (user_get(t, id, &u) != H_OK) {
			user_free(&u);
			break;
		}
		more = fn(&u, arg);
		user_free(&u);
	}
	/* Stopped by fn: say there may be more rather than read one entry ahead. */
	if (w != NULL && !more && t->ret == H_OK)
		w->more = true;
	scan_end(&s);
	return t->ret;
}

enum herr user_each(struct txn *t, bool (*fn)(const struct user *u, void *arg), void *arg)
{
	return user_each_page(t, NULL, fn, arg);
}

/* One list of idx:user-role (the users of one group, or of one venue), read in user id
 * order; id is the current user's, 0 at the end. */
struct role_scan {
	struct scan s;
	uint64_t id;
};

static void role_scan_next(struct role_scan *r)
{
	r->id = 0;
	if (!scan_next(&r->s))
		return;
	if (r->s.k.mv_size != ROLE_KEY_LEN) {
		txn_refuse(r->s.t, H_ESTORAGE,
		           "an entry of the users' group and venue index is corrupt");
		return;
	}
	r->id = key_get_u64((const uint8_t *)r->s.k.mv_data + 9);
}

/* target 0: an empty list. */
static void role_scan_begin(struct role_scan *r, struct txn *t, uint8_t tag, uint64_t target)
{
	struct key prefix;

	memset(r, 0, sizeof(*r));
	if (target == 0)
		return;
	key_init(&prefix);
	key_u8(&prefix, tag);
	key_u64(&prefix, target);
	scan_begin(&r->s, t, DBI_USER_ROLE, &prefix, NULL);
	role_scan_next(r);
}

enum herr user_ids_of(struct txn *t, uint64_t group_id, uint64_t venue_id,
                      bool (*fn)(uint64_t user_id, void *arg), void *arg)
{
	struct role_scan g, v;
	bool more = true;

	role_scan_begin(&g, t, USER_OF_GROUP, group_id);
	role_scan_begin(&v, t, USER_OF_VENUE, venue_id);
	/* A merge of two lists in id order, so that a user on both comes once. */
	while (more && t->ret == H_OK && (g.id != 0 || v.id != 0)) {
		uint64_t id = g.id == 0 || (v.id != 0 && v.id < g.id) ? v.id : g.id;

		if (g.id == id)
			role_scan_next(&g);
		if (v.id == id)
			role_scan_next(&v);
		more = fn(id, arg);
	}
	scan_end(&g.s);
	scan_end(&v.s);
	return t->ret;
}

static bool first_id(uint64_t user_id, void *arg)
{
	*(uint64_t *)arg = user_id;
	return false;
}

uint64_t user_first_referring(struct txn *t, uint64_t venue_id, uint64_t group_id)
{
	uint64_t found = 0;

	user_ids_of(t, group_id, venue_id, first_id, &found);
	return found;
}
