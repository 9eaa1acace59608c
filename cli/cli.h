/* The halls admin command: shared declarations.
 *
 * Each noun has its own file (cmd_venue.c holds cmd_venue_*); main.c holds the one
 * command table. The nouns with a core struct kind (venue, room, group, user) share one
 * implementation of their verbs (cmd_record.c); their files hold only a description.
 * A command's run function returns the process's exit status:
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
struct cmd_record;
struct opt;

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
	const struct cmd_record *record; /* cmd_record_*: the noun they act on */
};

/* cmd_record.c: add, set, show, list and rm of the record nouns. One description per
 * noun says how its options become the fields of kind->save and how list shows it. */
enum cmd_field_type {
	FIELD_STR,  /* --name TEXT: a string */
	FIELD_UINT, /* --capacity N: a whole number up to max */
	FIELD_ID,   /* --venue ID: one id */
	FIELD_STRS, /* --feature F...: an array of strings */
	FIELD_IDS,  /* --group ID...: an array of ids */
	FIELD_FLAG, /* --password-stdin: no field; the noun's prepare hook reads it */
};

struct cmd_field {
	const char *opt; /* without the dashes; NULL ends the table */
	const char *key; /* the field of kind->save */
	enum cmd_field_type type;
	bool required; /* by add */
	uint64_t max;  /* FIELD_UINT */
};

struct cmd_column {
	const char *header; /* NULL ends the table */
	const char *key;    /* the record's JSON field shown, else asked of the cell hook */
};

/* list's one optional filter: `--venue ID` lists the records within that one
 * (kind->each_within), which the core refuses when there is none ("there is no venue
 * ID"). */
struct cmd_filter {
	const char *opt;
};

struct cmd_record {
	const struct kind *kind;
	const struct cmd_field *fields;   /* the options of add and set */
	const struct cmd_column *columns; /* of list, for people */
	const struct cmd_filter *filter;  /* NULL: list takes no option */
	/* Optional: after the fields are built, before the write (user: the password); id is
	 * the record set, 0 for add. */
	int (*prepare)(struct cli *c, struct opt *opts, uint64_t id, json_t *fields);
	/* Optional: the text of a column that is not a field of the record (allocated). */
	char *(*cell)(struct txn *t, const json_t *o, const char *key);
};

int cmd_record_add(struct cli *c, int argc, char **argv);
int cmd_record_set(struct cli *c, int argc, char **argv);
int cmd_record_show(struct cli *c, int argc, char **argv);
int cmd_record_list(struct cli *c, int argc, char **argv);
int cmd_record_rm(struct cli *c, int argc, char **argv);
extern const struct cmd_record cmd_venue_record, cmd_room_record, cmd_group_record, cmd_user_record;

/* The other commands, one file per noun. */
int cmd_closure_add(struct cli *c, int argc, char **argv);
int cmd_closure_list(struct cli *c, int argc, char **argv);
/* cmd_rules.c */
int cmd_rules(struct cli *c, int argc, char **argv);
int cmd_closure_show(struct cli *c, int argc, char **argv);
int cmd_closure_set(struct cli *c, int argc, char **argv);
int cmd_closure_rm(struct cli *c, int argc, char **argv);
int cmd_date_set_add(struct cli *c, int argc, char **argv);
int cmd_date_set_list(struct cli *c, int argc, char **argv);
int cmd_date_set_show(struct cli *c, int argc, char **argv);
int cmd_date_set_set(struct cli *c, int argc, char **argv);
int cmd_date_set_rm(struct cli *c, int argc, char **argv);
int cmd_date_set_import(struct cli *c, int argc, char **argv);
int cmd_waitlist_join(struct cli *c, int argc, char **argv);
int cmd_waitlist_list(struct cli *c, int argc, char **argv);
int cmd_waitlist_show(struct cli *c, int argc, char **argv);
int cmd_waitlist_accept(struct cli *c, int argc, char **argv);
int cmd_waitlist_decline(struct cli *c, int argc, char **argv);
int cmd_waitlist_leave(struct cli *c, int argc, char **argv);
int cmd_allowance_add(struct cli *c, int argc, char **argv);
int cmd_allowance_set(struct cli *c, int argc, char **argv);
int cmd_allowance_list(struct cli *c, int argc, char **argv);
int cmd_allowance_show(struct cli *c, int argc, char **argv);
int cmd_allowance_rm(struct cli *c, int argc, char **argv);
int cmd_allowance_use(struct cli *c, int argc, char **argv);
int cmd_round_open(struct cli *c, int argc, char **argv);
int cmd_round_list(struct cli *c, int argc, char **argv);
int cmd_round_show(struct cli *c, int argc, char **argv);
int cmd_round_apply(struct cli *c, int argc, char **argv);
int cmd_round_allocate(struct cli *c, int argc, char **argv);
int cmd_round_result(struct cli *c, int argc, char **argv);
int cmd_round_verify(struct cli *c, int argc, char **argv);
int cmd_booking_request(struct cli *c, int argc, char **argv);
/* The options a booking request and a series share (--room, --group, --title,
 * --description, --attendees, --public, and --start/--end read in the room's zone, which
 * *zone receives, malloc'd), after checking the required ones are given. */
int cmd_booking_opts(struct cli *c, struct opt *opts, const char *const *required, size_t nreq,
                     struct booking *b, char **zone);
/* Option name, when given, as a JSON number under key in body, for the core to judge
 * (its range, its sign); text that is not a whole number is a usage error. */
int cmd_booking_number(struct cli *c, struct opt *opts, const char *name, json_t *body,
                       const char *key);
int cmd_booking_approve(struct cli *c, int argc, char **argv);
int cmd_booking_decline(struct cli *c, int argc, char **argv);
int cmd_booking_cancel(struct cli *c, int argc, char **argv);
int cmd_booking_show(struct cli *c, int argc, char **argv);
int cmd_booking_list(struct cli *c, int argc, char **argv);
int cmd_booking_move(struct cli *c, int argc, char **argv);
int cmd_series_add(struct cli *c, int argc, char **argv);
int cmd_series_show(struct cli *c, int argc, char **argv);
int cmd_series_list(struct cli *c, int argc, char **argv);
int cmd_series_approve(struct cli *c, int argc, char **argv);
int cmd_series_decline(struct cli *c, int argc, char **argv);
int cmd_series_cancel(struct cli *c, int argc, char **argv);
int cmd_series_set(struct cli *c, int argc, char **argv);
int cmd_audit_list(struct cli *c, int argc, char **argv);
int cmd_report_usage(struct cli *c, int argc, char **argv);
int cmd_token_issue(struct cli *c, int argc, char **argv);
int cmd_token_list(struct cli *c, int argc, char **argv);
int cmd_token_revoke(struct cli *c, int argc, char **argv);
int cmd_token_purge(struct cli *c, int argc, char **argv);
typedef enum herr (*token_revoke_fn)(struct txn *t, const struct actor *a, uint64_t id,
                                     int64_t now);
/* `token revoke ID` and `feed-token revoke ID`: revoke, then say so as kind. */
int cmd_tokens_revoke(struct cli *c, int argc, char **argv, token_revoke_fn revoke,
                      const char *kind);
int cmd_feed_token_issue(struct cli *c, int argc, char **argv);
int cmd_feed_token_list(struct cli *c, int argc, char **argv);
int cmd_feed_token_revoke(struct cli *c, int argc, char **argv);
int cmd_admin_init(struct cli *c, int argc, char **argv);
int cmd_admin_check(struct cli *c, int argc, char **argv);
int cmd_admin_export(struct cli *c, int argc, char **argv);
int cmd_admin_import(struct cli *c, int argc, char **argv);
int cmd_admin_backup(struct cli *c, int argc, char **argv);
int cmd_import_ics(struct cli *c, int argc, char **argv);
int cmd_outbox_list(struct cli *c, int argc, char **argv);
int cmd_sweep(struct cli *c, int argc, char **argv);
int cmd_outbox_show(struct cli *c, int argc, char **argv);
int cmd_outbox_retry(struct cli *c, int argc, char **argv);
int cmd_outbox_drop(struct cli *c, int argc, char **argv);

/* cmd_user.c: an invitation, and a reset link (`halls user invite|reset`). */
int cmd_user_invite(struct cli *c, int argc, char **argv);
int cmd_user_reset(struct cli *c, int argc, char **argv);

/* scrypt cost for new passwords: $HALLS_SCRYPT_LOG2N when set (1-30), else dflt. */
unsigned cmd_user_log2n(unsigned dflt);

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
int opt_to_json_id(struct cli *c, struct opt *opts, const char *name, json_t *fields,
                   const char *key);
/* Strict whole numbers: digits only, no sign, no overflow. 0 on success. */
int parse_u64(const char *s, uint64_t *out);
/* The one positional ID of `show ID`, `rm ID`...: CLI_OK or CLI_USAGE. */
int arg_id(struct cli *c, const char *what, const char *s, uint64_t *out);
/* The whole command line of `show ID` and `rm ID`: that ID and no option. */
int arg_only_id(struct cli *c, int argc, char **argv, uint64_t *out);

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
/* The same with the ncols strings in an array. */
void table_add_row(struct table *t, const char *const *cells);
void table_print(const struct table *t, FILE *f);
void table_free(struct table *t);

/* Prints one object: JSON (indented, sorted keys) or "key: value" lines. Steals o. */
void out_object(struct cli *c, json_t *o);
/* Prints a JSON array (steals it); --json only. */
void out_json(json_t *o);
/* Prints a short confirmation line for people, or the object under --json (steals o). */
void out_done(struct cli *c, json_t *o, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Confirms a removal: "removed venue 4", or {"kind", "id", "removed": true}. */
void out_removed(struct cli *c, const char *kind, uint64_t id);
/* The text people see for the value of field key (allocated). */
char *out_text(const char *key, const json_t *v);
/* Reports a refusal or storage fault from err; returns CLI_REFUSED. */
int out_error(struct cli *c, const struct herror *err);
/* out_error with more members (taken) in the --json object; the words alone otherwise. */
int out_error_with(struct cli *c, const struct herror *err, json_t *extra);
/* Reports a usage error with the command's usage line; returns CLI_USAGE. */
int out_usage(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "halls: ..." on stderr, after stdout is flushed (the order a terminal shows). */
void out_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "Tue 01 Dec 2026 19:00" and "19:00" in zone; out needs 32 bytes. */
void out_local(int64_t t, const char *zone, char out[32]);
void out_clock(int64_t t, const char *zone, char out[32]);
/* A comma-separated list of ids ("1, 4"), empty for none; the caller frees. */
char *out_ids(const uint64_t *ids, size_t n);

/* run.c: the transaction of one command, and what it prints. */
/* Runs fn in one write transaction; fn leaves what it made in *result (when result is
 * not NULL), which is reset before each of its runs (db_write may run it again).
 * CLI_OK with *result, else CLI_REFUSED after saying why. */
int run_write(struct cli *c, db_write_fn fn, void *arg, json_t **result);
/* `rm ID`: removes record ID with remove in one write and confirms it. */
int run_rm(struct cli *c, int argc, char **argv, const char *kind,
           enum herr (*remove)(struct txn *t, const struct actor *a, uint64_t id, int64_t now));
/* `show ID`: prints the object show makes of record ID in a read transaction. */
int run_show(struct cli *c, int argc, char **argv,
             enum herr (*show)(struct txn *t, uint64_t id, json_t **out));
/* run_show for a record whose showing depends on the time (the CLI's clock, HALLS_NOW):
 * an allowance's use this period, a round's seed once its deadline has passed. */
int run_show_at(struct cli *c, int argc, char **argv,
                enum herr (*show)(struct txn *t, uint64_t id, int64_t now, json_t **out));

/* A listing: a read transaction, then a table for people or an array for programs. */
struct run_list {
	struct cli *c;
	struct txn t;
	struct herror err;  /* t's */
	json_t *array;      /* --json: add each record */
	struct table table; /* else: add each row */
};
/* Begins the read transaction: CLI_OK, else CLI_REFUSED after saying why. */
int run_list_begin(struct cli *c, struct run_list *l, size_t ncols, const char **headers);
/* Ends it and prints the listing, or the error when ret is not H_OK; frees l. */
int run_list_end(struct run_list *l, enum herr ret);

/* Parses a time option in zone: CLI_OK or CLI_REFUSED (after saying why). */
int opt_time(struct cli *c, struct opt *opts, const char *name, const char *zone, int64_t *out);

/* JSON forms with times: "start"/"end" as RFC 3339 in the venue's zone, "start_ts" and
 * "end_ts" as UTC seconds. The _zone forms take the zone; the others look it up in t. */
json_t *cmd_booking_json(struct txn *t, const struct booking *b);
json_t *cmd_closure_json(struct txn *t, const struct closure *cl);
/* A series: series_to_json's fields, with "start" and "end" (its first date) and every
 * "..._at" as RFC 3339 in the series' zone. */

/* The operator at the console. */
extern const struct actor cli_console;

#endif
