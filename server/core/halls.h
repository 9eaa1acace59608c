/* Everything the front ends (hallsd and halls) use from the core. */
#ifndef HALLS_H
#define HALLS_H

#include "account.h"
#include "actor.h"
#include "audit.h"
#include "auth.h"
#include "avail.h"
#include "booking.h"
#include "check.h"
#include "closure.h"
#include "db.h"
#include "dump.h"
#include "err.h"
#include "feed.h"
#include "group.h"
#include "hours.h"
#include "mail.h"
#include "ics.h"
#include "kind.h"
#include "outbox.h"
#include "place.h"
#include "policy.h"
#include "record.h"
#include "room.h"
#include "series.h"
#include "text.h"
#include "token.h"
#include "tz.h"
#include "user.h"
#include "venue.h"
#include "view.h"
#include "walk.h"
#include "xmalloc.h"

#define HALLS_VERSION "0.1.0"

#endif
