#include "problem.h"

#include "record.h"
#include "xmalloc.h"

#include <stdio.h>

/* Built from the error table alone (static ASCII), so it always encodes. */
static char *problem_fixed(enum herr code)
{
	char buf[256];

	snprintf(buf, sizeof(buf),
	         "{\"detail\":\"%s\",\"status\":%d,\"title\":\"%s\",\"type\":\"/problems/%s\"}",
	         herr_title(code), herr_http_status(code), herr_title(code), herr_name(code));
	return xstrdup(buf);
}

char *problem_render(enum herr code, const struct herror *err, const json_t *extra)
{
	char type[96];
	json_t *p;
	char *text;

	snprintf(type, sizeof(type), "/problems/%s", herr_name(code));
	/* herror_set keeps detail valid UTF-8; json_pack still checks, and a NULL here falls
	 * back rather than reaching the wire. */
	p = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", herr_title(code), "status",
	              herr_http_status(code), "detail",
	              err != NULL && err->msg[0] ? err->msg : herr_title(code));
	if (p == NULL)
		return problem_fixed(code);
	if (code == H_ECONFLICT && err != NULL && err->nconflicts > 0)
		json_object_set_new(p, "conflicts", json_ids_new(err->conflicts, err->nconflicts));
	if (extra != NULL)
		json_object_update(p, (json_t *)extra);
	text = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(p);
	return text != NULL ? text : problem_fixed(code);
}
