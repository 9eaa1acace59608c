/* halls venue add|list|show|set|rm: the description cmd_record.c works from. */
#include "cli.h"

static const struct cmd_field cmd_venue_fields[] = {
    {.opt = "name", .key = "name", .type = FIELD_STR, .required = true},
    {.opt = "address", .key = "address", .type = FIELD_STR},
    {.opt = "tz", .key = "timezone", .type = FIELD_STR},
    {.opt = "hours", .key = "hours", .type = FIELD_STR},
    {.opt = "description", .key = "description", .type = FIELD_STR},
    {.opt = "accessibility", .key = "accessibility", .type = FIELD_STR},
    {.opt = "email", .key = "email", .type = FIELD_STR},
    {.opt = NULL},
};

static const struct cmd_column cmd_venue_columns[] = {
    {"ID", "id"}, {"NAME", "name"}, {"ZONE", "timezone"}, {"HOURS", "hours"}, {NULL, NULL},
};

const struct cmd_record cmd_venue_record = {
    .kind = &kind_venue,
    .fields = cmd_venue_fields,
    .columns = cmd_venue_columns,
};
