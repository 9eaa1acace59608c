/* The demo's parts: demo.c makes the borough (venues, rooms, groups, users, closures,
 * bookings, series); each part of fair access adds its own in a file of its own
 * (demo_fair.c calls them in order), acting as the console, after the rest is made. The
 * demo's ids are fixed by the order in which demo.c makes its records: venue 1 is
 * Hartley Road Community Centre, room 1 its Main Hall, group 1 the Hartley Road
 * Residents' Association, and so on (docs/guide-admin.md lists them). */
#ifndef HALLS_CLI_DEMO_H
#define HALLS_CLI_DEMO_H

#include "db.h"

#include <stdbool.h>
#include <stdint.h>

/* The instant of local day (today + days) at hh:mm in zone; false when it does not exist. */
bool demo_instant(const char *zone, int64_t now, int days, int hour, int min, int64_t *out);
/* Days from today to the given weekday (0 Monday) in the given week; week 0 starts the day
 * after tomorrow, so that every room's notice is met. */
int demo_day(const char *zone, int64_t now, int wday, int week);

/* Fair access in the demo: date sets first (closures and rounds follow them), then
 * allowances, holds, waitlists and a finished round. */
enum herr demo_fair_make(struct txn *t, int64_t now);
enum herr demo_date_sets_make(struct txn *t, int64_t now);
enum herr demo_allowances_make(struct txn *t, int64_t now);
enum herr demo_holds_make(struct txn *t, int64_t now);
enum herr demo_waitlists_make(struct txn *t, int64_t now);
enum herr demo_rounds_make(struct txn *t, int64_t now);

#endif
