/* halls rules [--venue ID]: which rules apply where, in words (rules.h), as GET
 * /api/v1/rules and the page /rules publish them. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* Each venue's name once, then its rules, one a line. */
static void rules_print(const json_t *rules)
{
	const char *venue = NULL;
	size_t i;
	json_t *rule;

	json_array_foreach(rules, i, rule)
	{
		const char *name = json_string_value(json_object_get(rule, "venue_name"));

		if (name == NULL)
			name = "Across the borough";
		if (venue == NULL || strcmp(venue, name) != 0) {
			printf("%s%s\n", venue == NULL ? "" : "\n", name);
			venue = name;
		}
		printf("  - %s\n", json_string_value(json_object_get(rule, "says")));
	}
}

int cmd_rules(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "venue", .type = OPT_VALUE},
	    {.name = NULL},
	};
	uint64_t venue = 0;
	struct herror err;
	json_t *o = NULL;
	struct txn t;
	size_t nargs;
	enum herr ret;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK ||
	    (rc = opt_id(c, opts, "venue", &venue)) != CLI_OK)
		return rc;
	herror_clear(&err);
	if (db_read_begin(c->db, &t, &err) != H_OK)
		return out_error(c, &err);
	ret = rules_list(&t, venue, &o);
	db_read_end(&t);
	if (ret != H_OK)
		return out_error(c, &err);
	if (c->json) {
		out_json(o); /* takes o */
		return CLI_OK;
	}
	rules_print(json_object_get(o, "rules"));
	json_decref(o);
	return CLI_OK;
}
