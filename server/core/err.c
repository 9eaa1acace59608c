#include "err.h"

#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	const char *title;
	int status;
} herr_table[H_ERR_COUNT] = {
    [H_OK] = {"ok", "OK", 200},
    [H_EINVAL] = {"invalid-input", "Invalid input", 400},
    [H_ENOTFOUND] = {"not-found", "Not found", 404},
    [H_EEXISTS] = {"already-exists", "Already exists", 409},
    [H_EAUTH] = {"unauthorized", "Not signed in", 401},
    [H_EFORBIDDEN] = {"forbidden", "Not allowed", 403},
    [H_ECROSSSITE] = {"cross-site-request", "Not from this site", 403},
    [H_ECONFLICT] = {"conflict", "The room is already booked", 409},
    [H_ESTATE] = {"invalid-state", "Not possible in this booking's state", 409},
    [H_RULE_ORDER] = {"end-before-start", "The end is not after the start", 422},
    [H_RULE_LENGTH] = {"length-out-of-range", "Booking length not allowed", 422},
    [H_RULE_HOURS] = {"outside-opening-hours", "Outside opening hours", 422},
    [H_RULE_CLOSED] = {"closed", "Closed at that time", 422},
    [H_RULE_CAPACITY] = {"over-capacity", "More people than the room holds", 422},
    [H_RULE_NOTICE] = {"too-short-notice", "Too short notice", 422},
    [H_RULE_HORIZON] = {"too-far-ahead", "Too far ahead", 422},
    [H_RULE_INUSE] = {"in-use", "Still in use", 409},
    [H_RULE_SERIES] = {"too-many-occurrences", "Too many dates in one series", 422},
    [H_RULE_HELD] = {"slot-held", "Held for another request", 409},
    [H_RULE_OFFERED] = {"slot-offered", "Offered to a group on the waitlist", 409},
    [H_RULE_ALLOWANCE] = {"over-allowance", "Over the group's allowance", 422},
    [H_EMETHOD] = {"method-not-allowed", "Method not allowed", 405},
    [H_EMEDIA] = {"unsupported-media-type", "Send JSON", 415},
    [H_ETOOMANY] = {"too-many-attempts", "Too many attempts", 429},
    [H_EGONE] = {"link-expired", "The link has expired", 410},
    [H_ETOOLARGE] = {"body-too-large", "Request body too large", 413},
    [H_EHEADERS] = {"headers-too-large", "Request headers too large", 431},
    [H_ELENGTH] = {"length-required", "Content-Length required", 411},
    [H_ETIMEOUT] = {"request-timeout", "The request took too long to arrive", 408},
    [H_ENOTIMPL] = {"not-implemented", "Method not implemented", 501},
    [H_EBUSY] = {"busy", "Too many connections; try again shortly", 503},
    [H_EUNAVAILABLE] = {"unavailable", "Not serving: the store cannot be read", 503},
    [H_EFULL] = {"storage-full", "Storage is full", 503},
    [H_ESTORAGE] = {"storage-error", "Storage error", 500},
    [H_ESCHEMA] = {"schema-mismatch", "Unknown data layout", 500},
};

enum herr herror_set(struct herror *err, enum herr code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	/* Messages carry request text and stored text: the sentence that reaches a JSON
	 * encoder or a terminal must be valid UTF-8, whatever went into it. */
	va_start(ap, fmt);
	text_vformat(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void herror_clear(struct herror *err)
{
	if (err != NULL)
		memset(err, 0, sizeof(*err));
}

void herror_add_conflict(struct herror *err, uint64_t booking_id)
{
	if (err != NULL && err->nconflicts < HERR_MAX_CONFLICTS)
		err->conflicts[err->nconflicts++] = booking_id;
}

const char *herr_name(enum herr code)
{
	return (unsigned)code < H_ERR_COUNT ? herr_table[code].name : "unknown";
}

const char *herr_title(enum herr code)
{
	return (unsigned)code < H_ERR_COUNT ? herr_table[code].title : "Unknown error";
}

int herr_http_status(enum herr code)
{
	return (unsigned)code < H_ERR_COUNT ? herr_table[code].status : 500;
}

int herr_is_refusal(enum herr code)
{
	return code != H_OK && code != H_EFULL && code != H_ESTORAGE && code != H_ESCHEMA;
}
