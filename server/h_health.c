/* GET /healthz: liveness, the schema version and the change counter. A store that
 * cannot be read is 503, so that a load balancer or monitor takes this server out. */
#include "server.h"

#include <string.h>

enum herr h_health(struct request *r)
{
	struct txn t;
	enum herr ret = db_read_begin(r->srv->db, &t, &r->err);

	if (ret != H_OK) {
		char why[sizeof(r->err.msg)];

		memcpy(why, r->err.msg, sizeof(why));
		return herror_set(&r->err, H_EUNAVAILABLE, "%s", why);
	}
	r->reply =
	    json_pack("{s:s, s:i, s:s, s:I}", "status", "ok", "schema", SCHEMA_VERSION, "version",
	              HALLS_VERSION, "change", (json_int_t)txn_change_counter(&t));
	db_read_end(&t);
	return H_OK;
}
