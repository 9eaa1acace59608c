/* halls room add|list|show|set|rm: the description cmd_record.c works from. */
#include "cli.h"

/* Only that a number is a number; the core checks the limits of each. */
#define CMD_ROOM_MAX ((uint64_t)INT64_MAX)

static const struct cmd_field cmd_room_fields[] = {
    {.opt = "venue", .key = "venue_id", .type = FIELD_ID, .required = true},
    {.opt = "name", .key = "name", .type = FIELD_STR, .required = true},
    {.opt = "capacity",
     .key = "capacity",
     .type = FIELD_UINT,
     .required = true,
     .max = CMD_ROOM_MAX},
    {.opt = "setup", .key = "setup_minutes", .type = FIELD_UINT, .max = CMD_ROOM_MAX},
    {.opt = "cleanup", .key = "cleanup_minutes", .type = FIELD_UINT, .max = CMD_ROOM_MAX},
    {.opt = "min-length", .key = "min_minutes", .type = FIELD_UINT, .max = CMD_ROOM_MAX},
    {.opt = "max-length", .key = "max_minutes", .type = FIELD_UINT, .max = CMD_ROOM_MAX},
    {.opt = "notice", .key = "notice_minutes", .type = FIELD_UINT, .max = CMD_ROOM_MAX},
    {.opt = "horizon", .key = "horizon_days", .type = FIELD_UINT, .max = CMD_ROOM_MAX},
    {.opt = "max-occurrences", .key = "max_occurrences", .type = FIELD_UINT, .max = CMD_ROOM_MAX},
    {.opt = "approval", .key = "approval", .type = FIELD_STR},
    {.opt = "feature", .key = "features", .type = FIELD_STRS},
    {.opt = "hold-hours", .key = "hold_hours", .type = FIELD_UINT, .max = CMD_ROOM_MAX},
    {.opt = "hold-lapse", .key = "hold_lapse", .type = FIELD_STR},
    {.opt = "offer-hours", .key = "offer_hours", .type = FIELD_UINT, .max = CMD_ROOM_MAX},
    {.opt = "waitlist-priority", .key = "waitlist_priority", .type = FIELD_STRS},
    {.opt = "description", .key = "description", .type = FIELD_STR},
    {.opt = NULL},
};

static const struct cmd_column cmd_room_columns[] = {
    {"ID", "id"},
    {"VENUE", "venue_id"},
    {"NAME", "name"},
    {"CAPACITY", "capacity"},
    {"APPROVAL", "approval"},
    {"FEATURES", "features"},
    {NULL, NULL},
};

static const struct cmd_filter cmd_room_filter = {"venue"};

const struct cmd_record cmd_room_record = {
    .kind = &kind_room,
    .fields = cmd_room_fields,
    .columns = cmd_room_columns,
    .filter = &cmd_room_filter,
};
