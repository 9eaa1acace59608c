/* `halls check`: verifies every invariant of a data directory. */
#ifndef HALLS_CHECK_H
#define HALLS_CHECK_H

#include "db.h"

/* Calls report for each problem found; returns the number found (0: clean). Reads only. */
size_t check_run(struct txn *t, void (*report)(const char *problem, void *arg), void *arg);

#endif
