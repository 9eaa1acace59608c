/* Which rules apply where, in words: what GET /api/v1/rules, `halls rules` and the page
 * /rules publish, so that a resident can read the rules a manager works by.
 *
 * Each rule is one object: {"rule": its kind, "venue_id": the venue or null for the whole
 * borough, "venue_name", "room_ids": the rooms it covers (empty: every room of the venue),
 * "says": one sentence with its figures}, plus fields of its own. The rooms' own rules
 * (approval, limits, holds, waitlists) and the venues' opening hours are read here; each
 * part of fair access with records of its own (allowances, closures that follow a date
 * set, allocation rounds) adds its rules through its own *_rules function. */
#ifndef HALLS_RULES_H
#define HALLS_RULES_H

#include "db.h"

#include <jansson.h>

/* venue_id 0: every venue, and the borough's own rules; else that venue's (refused as
 * H_ENOTFOUND when there is none). *out: {"rules": [...]} in venue, then room order. */
enum herr rules_list(struct txn *t, uint64_t venue_id, json_t **out);
/* "30 minutes", "1 hour", "1 hour 30 minutes", "2 days": a length as people say it. */
void rules_duration(uint64_t minutes, char *out, size_t size);

#endif
