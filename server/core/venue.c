#include "venue.h"

#include "audit.h"
#include "policy.h"
#include "record.h"
#include "refs.h"
#include "tz.h"
#include "user.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

#define NAME_MAX_BYTES 200
#define TEXT_MAX_BYTES 4000

void venue_init(struct venue *v)
{
	memset(v, 0, sizeof(*v));
	v->tz = xstrdup(TZ_DEFAULT);
	hours_always(&v->hours);
}

void venue_free(struct venue *v)
{
	free(v->name);
	free(v->address);
	free(v->tz);
	free(v->description);
	free(v->accessibility);
	free(v->email);
	memset(v, 0, sizeof(*v));
}

/* The "email" field: an address, or null or "" for none. */
static enum herr email_apply(char **dst, const json_t *fields, struct herror *err)
{
	const json_t *v = json_object_get(fields, "email");
	char *email;

	if (v == NULL)
		return H_OK;
	if (json_is_null(v) || (json_is_string(v) && json_string_value(v)[0] == '\0')) {
		free(*dst);
		*dst = NULL;
		return H_OK;
	}
	email = json_is_string(v) ? user_email_normalize(json_string_value(v)) : NULL;
	if (email == NULL)
		return herror_set(err, H_EINVAL,
		                  "email must be an address such as bookings@example.org, or "
		                  "empty for none");
	free(*dst);
	*dst = email;
	return H_OK;
}

enum herr venue_apply(struct venue *v, const json_t *fields, struct herror *err)
{
	struct venue n = *v;
	const char *tz = json_str(fields, "timezone");
	json_t *hours = json_object_get(fields, "hours");
	enum herr ret;

	/* Work on copies so that v is untouched when a later field is refused. */
	n.name = xstrdup_or_null(v->name);
	n.address = xstrdup_or_null(v->address);
	n.tz = xstrdup_or_null(v->tz);
	n.description = xstrdup_or_null(v->description);
	n.accessibility = xstrdup_or_null(v->accessibility);
	n.email = xstrdup_or_null(v->email);
	if (json_object_get(fields, "timezone") != NULL) {
		if (tz == NULL || !tz_valid(tz)) {
			ret = herror_set(err, H_EINVAL,
			                 "timezone must be an IANA zone such as "
			                 "Europe/London");
			goto fail;
		}
		free(n.tz);
		n.tz = xstrdup(tz);
	}
	if (hours != NULL) {
		if (!json_is_string(hours)) {
			ret = herror_set(err, H_EINVAL,
			                 "hours must be a string such as "
			                 "\"mon-fri 09:00-22:00; sat 10:00-16:00\"");
			goto fail;
		}
		ret = hours_parse(json_string_value(hours), &n.hours, err);
		if (ret != H_OK)
			goto fail;
	}
	if ((ret = field_text(&n.name, fields, "name", NAME_MAX_BYTES, true, false, err)) ||
	    (ret = field_text(&n.address, fields, "address", TEXT_MAX_BYTES, false, true, err)) ||
	    (ret = field_text(&n.description, fields, "description", TEXT_MAX_BYTES, false, true,
	                      err)) ||
	    (ret = field_text(&n.accessibility, fields, "accessibility", TEXT_MAX_BYTES, false,
	                      true, err)) ||
	    (ret = email_apply(&n.email, fields, err)))
		goto fail;
	if (n.name == NULL) {
		ret = herror_set(err, H_EINVAL, "name is required");
		goto fail;
	}
	venue_free(v);
	*v = n;
	return H_OK;
fail:
	venue_free(&n);
	return ret;
}

json_t *venue_to_json(const struct venue *v)
{
	char *hours = hours_format(&v->hours);
	json_t *o = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)v->id, "name", v->name,
	                      "timezone", v->tz, "hours", hours);

	json_object_set_new(o, "address", json_text(v->address));
	json_object_set_new(o, "description", json_text(v->description));
	json_object_set_new(o, "accessibility", json_text(v->accessibility));
	json_object_set_new(o, "email", json_text(v->email));
	free(hours);
	return o;
}

enum herr venue_from_json(const json_t *o, struct venue *v, struct herror *err)
{
	venue_init(v);
	v->id = (uint64_t)json_int(o, "id", 0);
	return venue_apply(v, o, err);
}

enum herr venue_get(struct txn *t, uint64_t id, struct venue *out)
{
	json_t *o;
	enum herr ret = record_get(t, DBI_VENUE, id, "venue", &o);

	venue_init(out);
	if (ret != H_OK)
		return ret;
	venue_free(out);
	ret = venue_from_json(o, out, t->err);
	json_decref(o);
	return ret == H_OK
	           ? H_OK
	           : txn_refuse(t, H_ESTORAGE, "venue %llu is corrupt", (unsigned long long)id);
}

void venue_store(struct txn *t, const struct venue *v)
{
	json_t *o = venue_to_json(v);

	record_put(t, DBI_VENUE, v->id, o);
	json_decref(o);
}

enum herr venue_create(struct txn *t, const struct actor *a, struct venue *v, int64_t now)
{
	json_t *detail;

	if (policy_admin(t, a) != H_OK)
		return t->ret;
	v->id = txn_next_id(t, "venue");
	venue_store(t, v);
	detail = venue_to_json(v);
	audit_append(t, a, "venue", v->id, "create", NULL, detail, now);
	json_decref(detail);
	return t->ret;
}

enum herr venue_update(struct txn *t, const struct actor *a, const struct venue *v, int64_t now)
{
	json_t *detail;

	if (record_need(t, DBI_VENUE, v->id, "venue") != H_OK ||
	    policy_manage_venue(t, a, v->id) != H_OK)
		return t->ret;
	venue_store(t, v);
	detail = venue_to_json(v);
	audit_append(t, a, "venue", v->id, "update", NULL, detail, now);
	json_decref(detail);
	return t->ret;
}

enum herr venue_remove(struct txn *t, const struct actor *a, uint64_t id, int64_t now)
{
	struct key k = key_id(id);

	if (record_need(t, DBI_VENUE, id, "venue") != H_OK || policy_admin(t, a) != H_OK ||
	    refs_venue(t, id) != H_OK)
		return t->ret;
	txn_del(t, DBI_VENUE, &k);
	audit_append(t, a, "venue", id, "remove", NULL, NULL, now);
	return t->ret;
}

enum herr venue_each(struct txn *t, bool (*fn)(const struct venue *v, void *arg), void *arg)
{
	struct key none;
	struct scan s;
	bool more = true;

	key_init(&none);
	scan_begin(&s, t, DBI_VENUE, &none, NULL);
	while (more && scan_next(&s)) {
		struct venue v;

		if (venue_get(t, key_get_u64(s.k.mv_data), &v) != H_OK)
			break;
		more = fn(&v, arg);
		venue_free(&v);
	}
	scan_end(&s);
	return t->ret;
}
