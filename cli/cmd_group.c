/* halls group add|list|show|set|rm: the description cmd_record.c works from. */
#include "cli.h"

static const struct cmd_field cmd_group_fields[] = {
    {.opt = "name", .key = "name", .type = FIELD_STR, .required = true},
    {.opt = "kind", .key = "kind", .type = FIELD_STR},
    {.opt = "contact", .key = "contact", .type = FIELD_STR},
    {.opt = "description", .key = "description", .type = FIELD_STR},
    {.opt = "trusted-at", .key = "trusted_at", .type = FIELD_IDS},
    {.opt = NULL},
};

static const struct cmd_column cmd_group_columns[] = {
    {"ID", "id"}, {"KIND", "kind"}, {"NAME", "name"}, {"TRUSTED AT", "trusted_at"}, {NULL, NULL},
};

const struct cmd_record cmd_group_record = {
    .kind = &kind_group,
    .fields = cmd_group_fields,
    .columns = cmd_group_columns,
};
