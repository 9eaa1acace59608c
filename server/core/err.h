/* Every way a halls operation can fail, with a stable name per kind of failure.
 *
 * Core functions return an enum herr and fill a struct herror with a sentence a group
 * secretary understands. Front ends map the code, never the sentence: the CLI to an exit
 * status, hallsd to an HTTP status and a problem type. */
#ifndef HALLS_ERR_H
#define HALLS_ERR_H

#include <stddef.h>
#include <stdint.h>

enum herr {
	H_OK = 0,
	H_EINVAL,         /* malformed input: a bad time, an empty name, bad UTF-8 */
	H_ENOTFOUND,      /* no such venue, room, booking... */
	H_EEXISTS,        /* a unique value is taken (a user's email) */
	H_EAUTH,          /* bad or missing credentials */
	H_EFORBIDDEN,     /* the actor may not do this */
	H_ECROSSSITE,     /* HTTP: a write signed in by cookie that did not come from this site */
	H_ECONFLICT,      /* overlaps an approved booking, buffers included */
	H_ESTATE,         /* the booking's status does not allow this change */
	H_RULE_ORDER,     /* end is not after start */
	H_RULE_LENGTH,    /* shorter or longer than the room allows */
	H_RULE_HOURS,     /* outside the venue's opening hours */
	H_RULE_CLOSED,    /* the room or venue is closed then */
	H_RULE_CAPACITY,  /* more attendees than the room holds */
	H_RULE_NOTICE,    /* starts too soon */
	H_RULE_HORIZON,   /* starts too far ahead */
	H_RULE_INUSE,     /* a record still referenced cannot be removed */
	H_RULE_SERIES,    /* a series with more occurrences than the room allows */
	H_RULE_HELD,      /* the slot is held by another group's provisional hold */
	H_RULE_OFFERED,   /* the slot is offered to a group on its waitlist */
	H_RULE_ALLOWANCE, /* over the group's allowance of hours */
	H_EMETHOD,        /* HTTP: the path exists, the method does not */
	H_EMEDIA,         /* HTTP: the body is not JSON */
	H_ETOOMANY,       /* too many attempts: wait and try again */
	H_EGONE,          /* an account link that is expired, used or unknown (one answer) */
	H_ETOOLARGE,      /* HTTP: the request body is over the limit */
	H_EHEADERS,       /* HTTP: the request line and headers are over the limit */
	H_ELENGTH,        /* HTTP: a body without Content-Length (chunked) */
	H_ETIMEOUT,       /* HTTP: the request did not arrive in time */
	H_ENOTIMPL,       /* HTTP: a method hallsd does not serve at all */
	H_EBUSY,          /* HTTP: too many connections open; try again shortly */
	H_EUNAVAILABLE,   /* HTTP: /healthz: the store cannot be read */
	H_EFULL,          /* storage is full and cannot grow */
	H_ESTORAGE,       /* LMDB failed: I/O error, corruption */
	H_ESCHEMA,        /* the data directory has a layout this build does not know */
	H_ERR_COUNT
};

#define HERR_MAX_CONFLICTS 16

struct herror {
	enum herr code;
	char msg[512];
	/* For H_ECONFLICT (and approvals that leave pending requests conflicting): the
	 * bookings involved, so a front end can name the ones its caller may see. */
	uint64_t conflicts[HERR_MAX_CONFLICTS];
	size_t nconflicts;
};

/* Sets err (when not NULL) and returns code, so callers can write
 * `return herror_set(err, H_EINVAL, "...")`. */
enum herr herror_set(struct herror *err, enum herr code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void herror_clear(struct herror *err);
void herror_add_conflict(struct herror *err, uint64_t booking_id);

/* Stable machine name, e.g. "outside-opening-hours"; used as the problem type. */
const char *herr_name(enum herr code);
/* Short human title, e.g. "Outside opening hours". */
const char *herr_title(enum herr code);
/* The HTTP status that answers this failure. */
int herr_http_status(enum herr code);
/* True for failures caused by what the caller asked (exit 1), false for storage faults. */
int herr_is_refusal(enum herr code);

#endif
