/* Problem bodies (RFC 9457): the one way hallsd says what went wrong. */
#ifndef HALLS_PROBLEM_H
#define HALLS_PROBLEM_H

#include "err.h"

#include <jansson.h>

/* The application/problem+json body for a failure: type, title, status, detail (err's
 * sentence, or the title when it has none), conflicts for a 409, and extra's members.
 * Never NULL and never invalid: a body that cannot be encoded (a member that is not
 * valid UTF-8) is replaced by the bare type, title and status, so the reply path cannot
 * fail. The caller frees the result. */
char *problem_render(enum herr code, const struct herror *err, const json_t *extra);

#endif
