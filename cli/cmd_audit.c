/* halls audit [--booking ID] [--venue ID]: every change, who made it and why, oldest first;
 * which entries are about a venue is the core's (view_audit_each_page), as for the API. */
#include "cli.h"

#include <stdlib.h>

/* "console" for the operator, else the user's email (or id when removed). */
static char *cmd_audit_who(struct txn *t, uint64_t user_id)
{
	struct user u;
	char *who;

	if (user_id == 0)
		return xstrdup("console");
	if (user_get(t, user_id, &u) == H_OK)
		who = xstrdup(u.email);
	else
		who = xasprintf("user %llu", (unsigned long long)user_id);
	user_free(&u);
	return who;
}

static bool cmd_audit_one(const json_t *e, void *arg)
{
	struct run_list *l = arg;
	char id[24], object[24], at[32], *who;
	const char *note = json_str(e, "note");

	if (l->c->json) {
		json_array_append_new(l->array, json_deep_copy(e));
		return true;
	}
	snprintf(id, sizeof(id), "%lld", (long long)json_int(e, "id", 0));
	snprintf(object, sizeof(object), "%lld", (long long)json_int(e, "object_id", 0));
	time_format(json_int(e, "at", 0), TZ_DEFAULT, at);
	who = cmd_audit_who(&l->t, (uint64_t)json_int(e, "user_id", 0));
	table_add(&l->table, id, at, who, json_str(e, "kind"), object, json_str(e, "action"), note);
	free(who);
	return true;
}

int cmd_audit_list(struct cli *c, int argc, char **argv)
{
	static const char *headers[] = {"ID", "AT", "USER", "KIND", "OBJECT", "ACTION", "NOTE"};
	struct opt opts[] = {{.name = "booking", .type = OPT_VALUE},
	                     {.name = "venue", .type = OPT_VALUE},
	                     {.name = NULL}};
	const struct actor console = ACTOR_CONSOLE;
	uint64_t booking = 0, venue = 0;
	struct viewer v;
	struct run_list l;
	size_t nargs;
	enum herr ret;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK ||
	    (rc = opt_id(c, opts, "booking", &booking)) != CLI_OK ||
	    (rc = opt_id(c, opts, "venue", &venue)) != CLI_OK)
		return rc;
	if ((rc = run_list_begin(c, &l, 7, headers)) != CLI_OK)
		return rc;
	viewer_load(&l.t, &console, &v);
	ret = view_audit_each_page(&l.t, &v, booking, venue, NULL, cmd_audit_one, &l);
	viewer_free(&v);
	return run_list_end(&l, ret);
}
