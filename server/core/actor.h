/* Who is acting, and what they may do. Every permission rule lives in policy.c. */
#ifndef HALLS_ACTOR_H
#define HALLS_ACTOR_H

#include <stdint.h>

/* user_id 0 is the operator at the console: `halls` run by someone who can already
 * read and write the data directory, and so has every right. */
struct actor {
	uint64_t user_id;
};

#define ACTOR_CONSOLE ((struct actor){0})

#endif
