/* Permissions: who may do what, in one place for the CLI and the API alike. Each
 * function returns H_OK or sets H_EFORBIDDEN (H_EAUTH for an unknown user) on t. */
#ifndef HALLS_POLICY_H
#define HALLS_POLICY_H

#include "actor.h"
#include "db.h"

enum herr policy_admin(struct txn *t, const struct actor *a);
/* Admins and managers of the venue. */
enum herr policy_manage_venue(struct txn *t, const struct actor *a, uint64_t venue_id);
/* Admins, members of the group, and managers of venue_id (booking on a group's behalf). */
enum herr policy_act_for_group(struct txn *t, const struct actor *a, uint64_t group_id,
                               uint64_t venue_id);
/* True without setting an error (for decisions such as "approve at once?"). */
bool policy_is_venue_manager(struct txn *t, const struct actor *a, uint64_t venue_id);

#endif
