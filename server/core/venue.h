/* Venues: a community centre, a library, a school hall; each with its own time zone and
 * weekly opening hours. */
#ifndef HALLS_VENUE_H
#define HALLS_VENUE_H

#include "actor.h"
#include "db.h"
#include "hours.h"

#include <jansson.h>

struct venue {
	uint64_t id;
	char *name;
	char *address;
	char *tz; /* IANA zone, default Europe/London */
	char *description;
	char *accessibility;
	char *email; /* the venue's bookings address: ORGANIZER of invitations; NULL: none */
	struct week_hours hours;
};

/* A venue with defaults (Europe/London, open all day every day). */
void venue_init(struct venue *v);
void venue_free(struct venue *v);
/* Sets the fields present in fields ("name", "address", "timezone", "hours",
 * "description", "accessibility", "email"), validating each; v is unchanged on error.
 * "email" is an address (stored as user_email_normalize gives it), or null or "" for
 * none. */
enum herr venue_apply(struct venue *v, const json_t *fields, struct herror *err);
json_t *venue_to_json(const struct venue *v);
enum herr venue_from_json(const json_t *o, struct venue *v, struct herror *err);

enum herr venue_get(struct txn *t, uint64_t id, struct venue *out);
/* Assigns v->id. Admins only. */
enum herr venue_create(struct txn *t, const struct actor *a, struct venue *v, int64_t now);
/* Admins and the venue's managers. */
enum herr venue_update(struct txn *t, const struct actor *a, const struct venue *v, int64_t now);
/* Admins only; refused while rooms, closures, managers or trusting groups refer to
 * the venue (refs.h). */
enum herr venue_remove(struct txn *t, const struct actor *a, uint64_t id, int64_t now);
/* Calls fn for every venue in id order until it returns false. */
enum herr venue_each(struct txn *t, bool (*fn)(const struct venue *v, void *arg), void *arg);
/* Writes the record as is (import, and the update paths above). */
void venue_store(struct txn *t, const struct venue *v);

#endif
