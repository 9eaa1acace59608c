/* Who is acting. What an actor may do is policy.c's, what a reader may see view.c's. */
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
