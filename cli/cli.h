/* The halls admin command: shared declarations.
 *
 * Each noun has its own file (cmd_venue.c holds cmd_venue_*); main.c holds the one
 * command table. A command's run function returns the process's exit status:
 * CLI_OK, CLI_REFUSED (a rule or bad input refused by the core, or a storage fault) or
 * CLI_USAGE (a bad flag, a missing option, a malformed number). */
#ifndef HALLS_CLI_H
#define HALLS_CLI_H

#include "halls.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum { CLI_OK = 0, CLI_REFUSED = 1, CLI_USAGE = 2 };

struct cli_cmd;

struct cli {
	struct db *db;
	const char *data_dir;
	bool json;
	int64_t now;
	const struct cli_cmd *cmd; /* the command being run, for its usage line */
};

/* Command flags. */
#define CMD_NODB   0x1 /* needs no data directory */
#define CMD_CREATE 0x2 /* creates the data directory when missing */

/* One row of the command table: `halls NOUN [VERB] ...`. */
struct cli_cmd {
	const char *noun;
	const char *verb; /* NULL: a one-word command such as `check` */
	const char *usage;
	int (*run)(struct cli *c, int argc, char **argv);
	const char *help;
	unsigned flags;
};

/* Commands, one file per noun. */
int cmd_venue_add(struct cli *c, int argc, char **argv);
int cmd_venue_list(struct cli *c, int argc, char **argv);
int cmd_venue_show(struct cli *c, int argc, char **argv);
int cmd_venue_set(struct cli *c, int argc, char **argv);
int cmd_venue_rm(struct cli *c, int argc, char **argv);
int cmd_room_add(struct cli *c, int argc, char **argv);
int cmd_room_list(struct cli *c, int argc, char **argv);
int cmd_room_show(struct cli *c, int argc, char **argv);
int cmd_room_set(struct cli *c, int argc, char **argv);
int cmd_room_rm(struct cli *c, int argc, char **argv);
int cmd_group_add(struct cli *c, int argc, char **argv);
int cmd_group_list(struct cli *c, int argc, char **argv);
int cmd_group_show(struct cli *c, int argc, char **argv);
int cmd_group_set(struct cli *c, int argc, char **argv);
int cmd_group_rm(struct cli *c, int argc, char **argv);
int cmd_user_add(struct cli *c, int argc, char **argv);
int cmd_user_list(struct cli *c, int argc, char **argv);
int cmd_user_show(struct cli *c, int argc, char **argv);
int cmd_user_set(struct cli *c, int argc, char **argv);
int cmd_user_rm(struct cli *c, int argc, char **argv);
int cmd_closure_add(struct cli *c, int argc, char **argv);
int cmd_closure_list(struct cli *c, int argc, char **argv);
int cmd_closure_show(struct cli *c, int argc, char **argv);
int cmd_closure_rm(struct cli *c, int argc, char **argv);
int cmd_booking_request(struct cli *c, int argc, char **argv);
int cmd_booking_approve(struct cli *c, int argc, char **argv);
int cmd_booking_decline(struct cli *c, int argc, char **argv);
int cmd_booking_cancel(struct cli *c, int argc, char **argv);
int cmd_booking_show(struct cli *c, int argc, char **argv);
int cmd_booking_list(struct cli *c, int argc, char **argv);
int cmd_booking_move(struct cli *c, int argc, char **argv);
int cmd_audit_list(struct cli *c, int argc, char **argv);
int cmd_admin_init(struct cli *c, int argc, char **argv);
int cmd_admin_check(struct cli *c, int argc, char **argv);
int cmd_admin_export(struct cli *c, int argc, char **argv);
int cmd_admin_import(struct cli *c, int argc, char **argv);
int cmd_admin_backup(struct cli *c, int argc, char **argv);

/* scrypt cost for new passwords: $HALLS_SCRYPT_LOG2N when set (1-30), else dflt. */
unsigned cmd_user_log2n(unsigned dflt);

/* Refuses (H_EEXISTS, sticky) when the data directory already has venues: for import
 * and the demo, which only fill an empty directory. */
enum herr cmd_admin_refuse_data(struct txn *t);

/* demo.c: fills an empty data directory with a believable borough (one write). */
int demo_fill(struct cli *c);

/* opt.c: long options only. Declare the options a command takes, then parse. */
enum opt_type {
	OPT_FLAG,  /* --public */
	OPT_VALUE, /* --name VALUE (the last one wins) */
	OPT_MULTI, /* --feature F --feature G */
};

struct opt {
	const char *name; /* without the dashes */
	enum opt_type type;
	/* Filled by opt_parse. */
	int count;
	const char *value;   /* the last value */
	const char **values; /* every value (OPT_MULTI), count of them */
};

/* Commands keep their options in a static const table and copy it before parsing. */
#define OPT_COUNT(tmpl) (sizeof(tmpl) / sizeof((tmpl)[0]))

/* Parses argv against opts (terminated by a NULL name). Arguments that are not options
 * go to args (at most nargs_max; more is a usage error); their count to *nargs.
 * --json anywhere sets c->json. Returns CLI_OK or CLI_USAGE (after saying why). */
int opt_parse(struct cli *c, int argc, char **argv, struct opt *opts, char **args, size_t nargs_max,
              size_t *nargs);
void opt_free(struct opt *opts);
struct opt *opt_find(struct opt *opts, const char *name);
const char *opt_str(struct opt *opts, const char *name);
bool opt_flag(struct opt *opts, const char *name);
/* Parse an integer option when present (else *out is untouched): CLI_OK or CLI_USAGE.
 * Ids must be positive; opt_uint allows 0 to max. */
int opt_id(struct cli *c, struct opt *opts, const char *name, uint64_t *out);
int opt_uint(struct cli *c, struct opt *opts, const char *name, uint64_t max, uint64_t *out);
/* A required option: CLI_USAGE when missing. */
int opt_need(struct cli *c, struct opt *opts, const char *name);
/* Puts the option, when given, into fields under key: as a string, or as an integer,
 * or (OPT_MULTI) as an array of strings or ids. */
int opt_to_json_str(struct opt *opts, const char *name, json_t *fields, const char *key);
int opt_to_json_uint(struct cli *c, struct opt *opts, const char *name, uint64_t max,
                     json_t *fields, const char *key);
void opt_to_json_strs(struct opt *opts, const char *name, json_t *fields, const char *key);
int opt_to_json_ids(struct cli *c, struct opt *opts, const char *name, json_t *fields,
                    const char *key);
/* Strict whole numbers: digits only, no sign, no overflow. 0 on success. */
int parse_u64(const char *s, uint64_t *out);
/* The one positional ID of `show ID`, `rm ID`...: CLI_OK or CLI_USAGE. */
int arg_id(struct cli *c, const char *what, const char *s, uint64_t *out);

/* out.c: output for people and for programs. */
struct table {
	size_t ncols;
	const char **headers; /* NULL: no header line */
	char **cells;         /* nrows * ncols, owned */
	size_t nrows, cap;
};
void table_init(struct table *t, size_t ncols, const char **headers);
/* Adds a row of ncols strings (copied; NULL prints as "-"). */
void table_add(struct table *t, ...);
void table_print(const struct table *t, FILE *f);
void table_free(struct table *t);

/* Prints one object: JSON (indented, sorted keys) or "key: value" lines. Steals o. */
void out_object(struct cli *c, json_t *o);
/* Prints a JSON array (steals it); --json only. */
void out_json(json_t *o);
/* Prints a short confirmation line for people, or the object under --json (steals o). */
void out_done(struct cli *c, json_t *o, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Reports a refusal or storage fault from err; returns CLI_REFUSED. */
int out_error(struct cli *c, const struct herror *err);
/* Reports a usage error with the command's usage line; returns CLI_USAGE. */
int out_usage(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "Tue 01 Dec 2026 19:00" and "19:00" in zone; out needs 32 bytes. */
void out_local(int64_t t, const char *zone, char out[32]);
void out_clock(int64_t t, const char *zone, char out[32]);
/* A comma-separated list of ids ("1, 4"), empty for none; the caller frees. */
char *out_ids(const uint64_t *ids, size_t n);

/* Time zones of the records that times belong to (zone.c). Each returns an allocated
 * IANA name; errors (no such room) are the core's. */
enum herr zone_of_venue(struct txn *t, uint64_t venue_id, char **out);
enum herr zone_of_room(struct txn *t, uint64_t room_id, char **out);
/* The same in a read transaction of its own. */
enum herr zone_read(struct cli *c, uint64_t venue_id, uint64_t room_id, char **out,
                    struct herror *err);
/* Parses a time option in zone: CLI_OK or CLI_REFUSED (after saying why). */
int opt_time(struct cli *c, struct opt *opts, const char *name, const char *zone, int64_t *out);

/* JSON forms with times: "start"/"end" as RFC 3339 in the venue's zone, "start_ts" and
 * "end_ts" as UTC seconds. The _zone forms take the zone; the others look it up in t. */
json_t *cmd_booking_json_zone(const struct booking *b, const char *zone);
json_t *cmd_booking_json(struct txn *t, const struct booking *b);
json_t *cmd_closure_json_zone(const struct closure *cl, const char *zone);
json_t *cmd_closure_json(struct txn *t, const struct closure *cl);

/* The operator at the console. */
extern const struct actor cli_console;

#endif
