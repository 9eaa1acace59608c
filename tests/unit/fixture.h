/* Short helpers for tests that need a store: a fresh LMDB in a temp dir, and one call
 * per core operation, each run in its own db_write. Each helper returns the enum herr
 * and leaves the herror in f->err. */
#ifndef FIXTURE_H
#define FIXTURE_H

#include "halls.h"

#include <stdbool.h>
#include <stdint.h>

/* 2026-03-01T12:00:00Z, a Sunday: the "now" of every test. */
#define T_NOW   ((int64_t)1772366400)
#define T_ZONE  "Europe/London"
#define T_HOURS "mon-sun 08:00-23:00"

struct fx {
	char dir[64];
	struct db *db;
	struct herror err;
	int64_t now;
};

/* A user's id as an actor. */
struct actor fx_user_actor(uint64_t user_id);

/* A fresh temp dir (mkdtemp) with a new store in it; false (and a test failure) when
 * that fails. opt may be NULL. */
bool fx_open(struct fx *f);
bool fx_open_opt(struct fx *f, const struct db_options *opt);
/* Closes the store (if open) and removes the temp dir with everything in it. */
void fx_close(struct fx *f);
/* Removes a directory tree (for dirs made outside fx_open). */
void fx_rmtree(const char *dir);

/* An instant from local time in Europe/London ("2026-03-10T10:00") or RFC 3339; a
 * malformed string fails the test and gives 0. */
int64_t fx_at(const char *s);

/* Records, created by the console. Each returns the new id, or 0 on failure (the
 * failure is recorded against the test, with file and line of the caller). */
#define fx_venue(f, name, zone, hours) fx_venue_at(f, name, zone, hours, __FILE__, __LINE__)
/* fields: extra room fields as JSON text ("{\"capacity\": 10}"), or NULL. Defaults:
 * capacity 50, approval manual, no buffers, 30-720 minutes, no notice, 365 days. */
#define fx_room(f, venue, fields) fx_room_at(f, venue, fields, __FILE__, __LINE__)
/* trusted_at: a venue id, or 0. */
#define fx_group(f, name, trusted_at) fx_group_at(f, name, trusted_at, __FILE__, __LINE__)
/* role ROLE_MANAGER: link is a venue id; ROLE_MEMBER: a group id; ROLE_ADMIN: unused. */
#define fx_user(f, email, role, link) fx_user_at(f, email, role, link, __FILE__, __LINE__)
uint64_t fx_venue_at(struct fx *f, const char *name, const char *zone, const char *hours,
                     const char *file, int line);
uint64_t fx_room_at(struct fx *f, uint64_t venue, const char *fields, const char *file, int line);
uint64_t fx_group_at(struct fx *f, const char *name, uint64_t trusted_at, const char *file,
                     int line);
uint64_t fx_user_at(struct fx *f, const char *email, enum role role, uint64_t link,
                    const char *file, int line);

/* A booking request by a (title "Test", attendees 1); *id receives its id and *status
 * its status when not NULL. */
enum herr fx_request(struct fx *f, struct actor a, uint64_t room, uint64_t group, int64_t start,
                     int64_t end, bool approve_now, uint64_t *id, enum booking_status *status);
/* The same with every input of struct booking given (room_id, group_id, title, ...). */
enum herr fx_request_b(struct fx *f, struct actor a, const struct booking *in, bool approve_now,
                       uint64_t *id, enum booking_status *status);
/* A request by the console, approved at once. */
enum herr fx_book(struct fx *f, uint64_t room, uint64_t group, int64_t start, int64_t end,
                  uint64_t *id);
enum herr fx_approve(struct fx *f, struct actor a, uint64_t id);
enum herr fx_decline(struct fx *f, struct actor a, uint64_t id);
enum herr fx_cancel(struct fx *f, struct actor a, uint64_t id);
/* fields as JSON text, e.g. "{\"start\": 1772366400}". */
enum herr fx_update(struct fx *f, struct actor a, uint64_t id, const char *fields);
/* A closure by the console; *id receives its id when not NULL. */
enum herr fx_closure(struct fx *f, enum closure_scope scope, uint64_t target, int64_t start,
                     int64_t end, uint64_t *id);
/* Runs check_run in a read transaction, printing each problem; the number found. */
size_t fx_check(struct fx *f);
/* The entries of idx:user-role as text, in key order: "G7:3 V1:4 " is user 3 of group 7
 * and user 4 of venue 1 (a failure when it does not fit in size). */
void fx_role_index(struct fx *f, char *out, size_t size);
/* Reads a booking in a read transaction; out must be freed with booking_free. */
enum herr fx_get(struct fx *f, uint64_t id, struct booking *out);

#endif
