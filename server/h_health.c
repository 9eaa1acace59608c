/* GET /healthz: liveness, the schema version and the change counter. */
#include "server.h"

enum herr h_health(struct request *r)
{
	struct txn t;
	enum herr ret = db_read_begin(r->srv->db, &t, &r->err);

	if (ret != H_OK)
		return ret;
	r->reply =
	    json_pack("{s:s, s:i, s:s, s:I}", "status", "ok", "schema", SCHEMA_VERSION, "version",
	              HALLS_VERSION, "change", (json_int_t)txn_change_counter(&t));
	db_read_end(&t);
	return H_OK;
}
