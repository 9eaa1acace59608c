/* The time zone a time on the command line is read in: the venue's, reached through the
 * room when the time is about a room. */
#include "cli.h"

#include <stdlib.h>

enum herr zone_of_venue(struct txn *t, uint64_t venue_id, char **out)
{
	struct venue v;
	enum herr ret = venue_get(t, venue_id, &v);

	*out = ret == H_OK ? xstrdup(v.tz) : NULL;
	venue_free(&v);
	return ret;
}

enum herr zone_of_room(struct txn *t, uint64_t room_id, char **out)
{
	struct room r;
	enum herr ret = room_get(t, room_id, &r);

	*out = NULL;
	if (ret == H_OK)
		ret = zone_of_venue(t, r.venue_id, out);
	room_free(&r);
	return ret;
}

enum herr zone_read(struct cli *c, uint64_t venue_id, uint64_t room_id, char **out,
                    struct herror *err)
{
	struct txn t;
	enum herr ret;

	*out = NULL;
	if (venue_id == 0 && room_id == 0) {
		*out = xstrdup(TZ_DEFAULT);
		return H_OK;
	}
	ret = db_read_begin(c->db, &t, err);
	if (ret != H_OK)
		return ret;
	ret = room_id != 0 ? zone_of_room(&t, room_id, out) : zone_of_venue(&t, venue_id, out);
	db_read_end(&t);
	return ret;
}
