/* Fair access on the clock: what lapses when its time is up, whether or not anyone makes
 * a request. hallsd runs fair_sweep on a timer and once at start, which catches up with
 * whatever lapsed while it was down; `halls sweep` runs it from the console. */
#ifndef HALLS_FAIR_CLOCK_H
#define HALLS_FAIR_CLOCK_H

#include "db.h"

#include <stdint.h>

/* Lapses every hold (hold_lapse.c) and every waitlist offer (waitlist.c) due by now, in
 * one write transaction t, with their messages and audit entries. *next_due: the earliest
 * time at which something else falls due (INT64_MAX: nothing is waiting). */
enum herr fair_sweep(struct txn *t, int64_t now, int64_t *next_due);

#endif
