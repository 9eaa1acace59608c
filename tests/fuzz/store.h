/* The throwaway stores the harnesses fuzz against: made in a temp dir, committing without
 * fsync (durability is not under test, and each commit would cost a flush), removed with
 * everything in them. */
#ifndef HALLS_FUZZ_STORE_H
#define HALLS_FUZZ_STORE_H

#include "halls.h"

/* A new store in a fresh dir under /tmp; dir (64 bytes) receives its path. Aborts,
 * naming harness, when it cannot be made. */
struct db *fuzz_store_open(const char *harness, char dir[64]);
/* Opens an existing store the same way (one `halls init --demo` made, say). */
struct db *fuzz_store_reopen(const char *harness, const char *dir);
/* Closes db (may be NULL) and removes dir with everything in it (dir may be ""). */
void fuzz_store_remove(struct db *db, const char *dir);
/* Creates a record of kind k from JSON fields text, as the console; its id. Aborts on a
 * refusal: set-up that fails is a broken harness, not a finding. */
uint64_t fuzz_store_add(struct db *db, const struct kind *k, const char *fields, int64_t now);

#endif
