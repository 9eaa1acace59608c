/* GET /api/v1/rules[?venue=ID]: which rules apply where, in words (rules.h). Public:
 * the rules a manager works by are the residents' to read. */
#include "server.h"

enum herr h_rules(struct request *r)
{
	static const char *const known[] = {"venue", NULL};
	uint64_t venue_id = 0;
	struct txn t;
	enum herr ret;

	if ((ret = request_query_known(r, known)) != H_OK ||
	    (ret = request_query_id(r, "venue", &venue_id)) != H_OK ||
	    (ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	ret = rules_list(&t, venue_id, &r->reply);
	db_read_end(&t);
	return ret;
}
