/* Export and import: every record as JSON lines, in a stable order, and back. */
#ifndef HALLS_DUMP_H
#define HALLS_DUMP_H

#include "db.h"

#include <stdio.h>

/* One line per record: {"kind":"venue","record":{...}}. Kinds in dependency order
 * (venue, room, group, user, closure, booking, audit), ids ascending. */
enum herr dump_export(struct txn *t, FILE *out);
/* Refuses (H_EEXISTS, sticky) when the store already has venues: a whole store is
 * loaded (an import, the demo) only into an empty one, so that nothing it brings can
 * collide with or hide among what is there. */
enum herr dump_refuse_filled(struct txn *t);
/* Loads one exported line, keeping its id, and rebuilds its indexes. */
enum herr dump_import_line(struct txn *t, const char *line, struct herror *err);

#endif
