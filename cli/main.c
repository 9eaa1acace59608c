/* halls: the administrator's command. It opens the data directory's LMDB environment
 * directly (safe while hallsd runs) and goes through the same core rules as the API,
 * acting as the console operator, who has every right.
 *
 *   halls [--data DIR] [--json] COMMAND ...
 *
 * Exit status: 0 done; 1 refused by a rule, by bad input, or a storage fault; 2 usage. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_DATA "halls-data"

static int main_help(struct cli *c, int argc, char **argv);

/* Every command, in the order `halls help` lists them. */
static const struct cli_cmd main_cmds[] = {
    {"init", NULL, "init [--demo]", cmd_admin_init,
     "Create the data directory; --demo fills an empty one with a believable borough.", CMD_CREATE,
     NULL},
    {"check", NULL, "check", cmd_admin_check,
     "Verify every invariant of the data; exit 1 when anything is wrong.", 0, NULL},
    {"export", NULL, "export", cmd_admin_export,
     "Write every record as JSON lines to standard output.", 0, NULL},
    {"import", NULL, "import FILE", cmd_admin_import,
     "Load an export into a data directory that has no venues yet, all or nothing.", CMD_CREATE,
     NULL},
    {"import-ics", NULL, "import-ics FILE --room ID --group ID [--approve] [--dry-run]",
     cmd_import_ics,
     "Bring bookings over from another calendar's iCalendar export (one-off and recurring "
     "events) into one room for one group, reporting each event not placed and why.",
     0, NULL},
    {"backup", NULL, "backup DIR", cmd_admin_backup,
     "Copy the data, compacted, into DIR while others keep working.", 0, NULL},
    {"rules", NULL, "rules [--venue ID]", cmd_rules,
     "Say which rules apply where, in words: what the API and the rules page publish.", 0, NULL},

    {"venue", "add",
     "venue add --name NAME [--address TEXT] [--tz ZONE] [--hours HOURS] "
     "[--description TEXT] [--accessibility TEXT] [--email ADDRESS]",
     cmd_record_add,
     "Add a venue; HOURS as \"mon-fri 09:00-22:00; sat 10:00-16:00\" (default: always open), "
     "ZONE an IANA zone (default Europe/London), ADDRESS its bookings email (the organizer of "
     "the invitations booking messages carry).",
     0, &cmd_venue_record},
    {"venue", "list", "venue list", cmd_record_list, "List the venues.", 0, &cmd_venue_record},
    {"venue", "show", "venue show ID", cmd_record_show, "Show one venue.", 0, &cmd_venue_record},
    {"venue", "set",
     "venue set ID [--name NAME] [--address TEXT] [--tz ZONE] [--hours HOURS] "
     "[--description TEXT] [--accessibility TEXT] [--email ADDRESS]",
     cmd_record_set, "Change a venue's details.", 0, &cmd_venue_record},
    {"venue", "rm", "venue rm ID", cmd_record_rm,
     "Remove a venue nothing refers to: no rooms, closures, managers or groups trusted there.", 0,
     &cmd_venue_record},

    {"room", "add",
     "room add --venue ID --name NAME --capacity N [--setup MIN] [--cleanup MIN] "
     "[--min-length MIN] [--max-length MIN] [--notice MIN] [--horizon DAYS] "
     "[--max-occurrences N] [--approval manual|auto|trusted] [--feature F]... "
     "[--hold-hours H] [--hold-lapse release|keep] [--offer-hours H] "
     "[--waitlist-priority KIND]... [--description TEXT]",
     cmd_record_add,
     "Add a room to a venue, with its capacity, buffers, length limits, notice, horizon, "
     "approval policy, holds and waitlist.",
     0, &cmd_room_record},
    {"room", "list", "room list [--venue ID]", cmd_record_list, "List rooms, of one venue or all.",
     0, &cmd_room_record},
    {"room", "show", "room show ID", cmd_record_show, "Show one room and its rules.", 0,
     &cmd_room_record},
    {"room", "set",
     "room set ID [--venue ID] [--name NAME] [--capacity N] [--setup MIN] [--cleanup MIN] "
     "[--min-length MIN] [--max-length MIN] [--notice MIN] [--horizon DAYS] "
     "[--max-occurrences N] [--approval manual|auto|trusted] [--feature F]... "
     "[--hold-hours H] [--hold-lapse release|keep] [--offer-hours H] "
     "[--waitlist-priority KIND]... [--description TEXT]",
     cmd_record_set, "Change a room's details or rules; --feature replaces the whole list.", 0,
     &cmd_room_record},
    {"room", "rm", "room rm ID", cmd_record_rm,
     "Remove a room that has no closures and no bookings, in any state.", 0, &cmd_room_record},

    {"group", "add",
     "group add --name NAME [--kind charity|community|school|commercial|council] "
     "[--contact TEXT] [--description TEXT] [--trusted-at VENUE_ID]...",
     cmd_record_add, "Add a group that books rooms; --trusted-at marks venues that trust it.", 0,
     &cmd_group_record},
    {"group", "list", "group list", cmd_record_list, "List the groups.", 0, &cmd_group_record},
    {"group", "show", "group show ID", cmd_record_show, "Show one group.", 0, &cmd_group_record},
    {"group", "set",
     "group set ID [--name NAME] [--kind KIND] [--contact TEXT] [--description TEXT] "
     "[--trusted-at VENUE_ID]...",
     cmd_record_set, "Change a group's details; --trusted-at replaces the whole list.", 0,
     &cmd_group_record},
    {"group", "rm", "group rm ID", cmd_record_rm,
     "Remove a group that has no members and no bookings, in any state.", 0, &cmd_group_record},

    {"user", "add",
     "user add --name NAME --email EMAIL --role admin|manager|member [--venue ID]... "
     "[--group ID]... [--password-stdin]",
     cmd_record_add,
     "Add a person who signs in: managers need --venue, members --group; "
     "--password-stdin reads the password from one line of standard input.",
     0, &cmd_user_record},
    {"user", "list", "user list", cmd_record_list, "List the users.", 0, &cmd_user_record},
    {"user", "show", "user show ID", cmd_record_show, "Show one user.", 0, &cmd_user_record},
    {"user", "set",
     "user set ID [--name NAME] [--email EMAIL] [--role ROLE] [--venue ID]... [--group ID]... "
     "[--password-stdin]",
     cmd_record_set, "Change a user; --venue and --group replace the whole lists.", 0,
     &cmd_user_record},
    {"user", "rm", "user rm ID", cmd_record_rm, "Remove a user.", 0, &cmd_user_record},
    {"user", "invite",
     "user invite --email EMAIL --name NAME --role admin|manager|member [--venue ID]... "
     "[--group ID]...",
     cmd_user_invite,
     "Invite someone by email: a message with a link to set their own password (7 days), "
     "queued in the outbox; an account without a password is invited again.",
     0, NULL},
    {"user", "reset", "user reset EMAIL", cmd_user_reset,
     "Send an account a link to choose a new password (one hour), queued in the outbox.", 0, NULL},

    {"closure", "add",
     "closure add (--venue ID | --room ID) (--from T --to T | --date-set ID) --reason TEXT",
     cmd_closure_add,
     "Close a venue or a room for an interval, or on every day of a date set (following its "
     "changes); existing bookings are kept, new ones refused.",
     0, NULL},
    {"closure", "set", "closure set ID [--from T] [--to T] [--reason TEXT]", cmd_closure_set,
     "Change a closure's interval or reason.", 0, NULL},
    {"closure", "list", "closure list [--venue ID | --room ID]", cmd_closure_list,
     "List closures, of one venue or room or all.", 0, NULL},
    {"closure", "show", "closure show ID", cmd_closure_show, "Show one closure.", 0, NULL},
    {"closure", "rm", "closure rm ID", cmd_closure_rm, "Remove a closure.", 0, NULL},
    {"allowance", "add",
     "allowance add --group ID [--venue ID] [--room ID]... --period week|month|term|year "
     "[--term [NAME=]START..END]... (--hours H | --minutes M) [--over refuse|approval] "
     "[--note TEXT]",
     cmd_allowance_add,
     "Give a group an allowance of hours per period, at a venue (some rooms or all) or across "
     "the borough; requests over it are refused, or sent for approval with --over approval.",
     0, NULL},
    {"allowance", "set",
     "allowance set ID [--room ID]... [--period P] [--term [NAME=]START..END]... [--hours H | "
     "--minutes M] [--over refuse|approval] [--note TEXT]",
     cmd_allowance_set, "Change an allowance; its group and venue stay.", 0, NULL},
    {"allowance", "list", "allowance list [--venue ID] [--group ID]", cmd_allowance_list,
     "List allowances, of one venue or group or all.", 0, NULL},
    {"allowance", "show", "allowance show ID", cmd_allowance_show,
     "Show one allowance with its use this period.", 0, NULL},
    {"allowance", "rm", "allowance rm ID", cmd_allowance_rm, "Remove an allowance.", 0, NULL},
    {"allowance", "use", "allowance use [--group ID] [--venue ID] [--at T]", cmd_allowance_use,
     "Each allowance's use in the period containing T (default now): hours used of the "
     "limit.",
     0, NULL},

    {"date-set", "add",
     "date-set add --name TEXT [--venue ID] [--description TEXT] [--date \"YYYY-MM-DD "
     "[LABEL]\"]...",
     cmd_date_set_add,
     "Make a named set of dates (school holidays, bank holidays); without --venue, for the "
     "whole borough (admins).",
     0, NULL},
    {"date-set", "list", "date-set list [--venue ID]", cmd_date_set_list,
     "List date sets (with --venue, the venue's and the borough's).", 0, NULL},
    {"date-set", "show", "date-set show ID", cmd_date_set_show, "Show a date set and its dates.", 0,
     NULL},
    {"date-set", "set",
     "date-set set ID [--name TEXT] [--description TEXT] [--add \"YYYY-MM-DD [LABEL]\"]... "
     "[--remove YYYY-MM-DD]...",
     cmd_date_set_set, "Change a date set; closures that follow it follow its new dates.", 0, NULL},
    {"date-set", "rm", "date-set rm ID", cmd_date_set_rm,
     "Remove a date set that no closure follows and no series skips.", 0, NULL},
    {"date-set", "import",
     "date-set import FILE [--name TEXT] [--venue ID] [--description TEXT] [--into ID]",
     cmd_date_set_import,
     "Make a date set from the all-day events of an .ics file (or add them to set --into).", 0,
     NULL},
    {"waitlist", "join", "waitlist join --room ID --group ID --start T --end T [--title TEXT]",
     cmd_waitlist_join, "Put a group on the waitlist of a slot that is taken.", 0, NULL},
    {"waitlist", "list", "waitlist list [--room ID] [--group ID] [--venue ID] [--state STATE]",
     cmd_waitlist_list, "List waitlist entries and their offers.", 0, NULL},
    {"waitlist", "show", "waitlist show ID", cmd_waitlist_show, "Show one waitlist entry.", 0,
     NULL},
    {"waitlist", "accept", "waitlist accept ID [--title TEXT] [--description TEXT] [--attendees N]",
     cmd_waitlist_accept, "Take up an open offer: the group's request is made.", 0, NULL},
    {"waitlist", "decline", "waitlist decline ID", cmd_waitlist_decline,
     "Decline an open offer: the next group gets it.", 0, NULL},
    {"waitlist", "leave", "waitlist leave ID", cmd_waitlist_leave, "Leave a waitlist.", 0, NULL},
    {"round", "open",
     "round open --venue ID --name NAME --slot ROOM:DAY:HH:MM-HH:MM... --from DATE --to DATE "
     "--deadline T [--class kind=K,K | held=ROUND | trusted [/WORDS]]... [--skip-date-set ID]... "
     "[--approve]",
     cmd_round_open,
     "Open an allocation round for weekly slots; its seed's SHA-256 is published now, the seed "
     "after the deadline.",
     0, NULL},
    {"round", "list", "round list [--venue ID]", cmd_round_list, "List allocation rounds.", 0,
     NULL},
    {"round", "show", "round show ID", cmd_round_show,
     "Show a round: its slots, classes, deadline and commitment.", 0, NULL},
    {"round", "apply", "round apply ID --group ID --pref SLOT...", cmd_round_apply,
     "Apply for a group, with the round's slots most wanted first.", 0, NULL},
    {"round", "allocate", "round allocate ID", cmd_round_allocate,
     "After the deadline: allocate the slots by the published rules and make the series.", 0, NULL},
    {"round", "result", "round result ID [--inputs]", cmd_round_result,
     "Show an allocated round's result with every explanation (or the inputs it used).", 0, NULL},
    {"round", "verify", "round verify (ID | --inputs FILE --result FILE)", cmd_round_verify,
     "Re-run an allocation from its published inputs and compare it with the published result.",
     CMD_NODB, NULL},

    {"booking", "request",
     "booking request --room ID --group ID --start T --end T --title TEXT "
     "[--description TEXT] [--attendees N] [--public] [--approve]",
     cmd_booking_request,
     "Request a room for a group; every rule applies, and the room's policy (or --approve) "
     "decides whether it is approved at once.",
     0, NULL},
    {"booking", "approve", "booking approve ID [--note TEXT] [--override-allowance]",
     cmd_booking_approve,
     "Approve a pending request if the room is still free; names the pending requests it "
     "now conflicts with. --override-allowance approves over the group's allowance of hours "
     "(recorded in the audit log).",
     0, NULL},
    {"booking", "decline", "booking decline ID [--note TEXT]", cmd_booking_decline,
     "Decline a pending request.", 0, NULL},
    {"booking", "cancel", "booking cancel ID [--note TEXT]", cmd_booking_cancel,
     "Cancel a pending or approved booking that has not yet taken place.", 0, NULL},
    {"booking", "show", "booking show ID", cmd_booking_show, "Show one booking.", 0, NULL},
    {"booking", "list",
     "booking list [--room ID] [--venue ID] [--group ID] [--status S] [--from T] [--to T]",
     cmd_booking_list, "List bookings in start order (those overlapping --from/--to).", 0, NULL},
    {"booking", "move",
     "booking move ID [--start T] [--end T] [--title TEXT] [--attendees N] "
     "[--public|--private]",
     cmd_booking_move,
     "Move or edit a booking (--start alone keeps its length); every rule is checked again. "
     "An approved booking stays approved: the console decides for every venue.",
     0, NULL},

    {"series", "add",
     "series add --room ID --group ID --title TEXT --start T --end T --rrule RULE "
     "[--description TEXT] [--attendees N] [--public] [--approve] [--skip-conflicts] "
     "[--skip-date-set ID]...",
     cmd_series_add,
     "Book a room for a group on every date of an RFC 5545 rule (\"FREQ=WEEKLY;BYDAY=TU;"
     "UNTIL=20270630\"); --start/--end are the first date's times. Any date that cannot be "
     "booked refuses the whole series, unless --skip-conflicts leaves it out.",
     0, NULL},
    {"series", "show", "series show ID", cmd_series_show, "Show a series and each of its dates.", 0,
     NULL},
    {"series", "list", "series list [--room ID] [--group ID]", cmd_series_list,
     "List the series, of one room or group or all.", 0, NULL},
    {"series", "approve", "series approve ID [--from T] [--note TEXT]", cmd_series_approve,
     "Approve the pending dates of a series (from T on); lists those that now conflict and "
     "stay pending.",
     0, NULL},
    {"series", "decline", "series decline ID [--from T] [--note TEXT]", cmd_series_decline,
     "Decline the pending dates of a series (from T on).", 0, NULL},
    {"series", "cancel", "series cancel ID [--from T] [--note TEXT]", cmd_series_cancel,
     "Cancel the pending and approved dates of a series (from T on: \"this and following\").", 0,
     NULL},
    {"series", "set",
     "series set ID [--title TEXT] [--description TEXT] [--attendees N] [--public yes|no]",
     cmd_series_set, "Change a series' details, and those of its dates still pending or approved.",
     0, NULL},

    {"token", "issue", "token issue --user ID [--label TEXT] [--days N]", cmd_token_issue,
     "Issue a personal API token for a user, for N days (default and most: "
     "$HALLS_TOKEN_MAX_DAYS, else 365); the secret is shown only now.",
     0, NULL},
    {"token", "list", "token list --user ID", cmd_token_list,
     "List a user's tokens (sessions and API tokens), never their secrets.", 0, NULL},
    {"token", "revoke", "token revoke ID", cmd_token_revoke,
     "Revoke a token: it stops working at once.", 0, NULL},
    {"token", "purge", "token purge", cmd_token_purge,
     "Delete the tokens that can never work again: expired, ended by a new password or "
     "role, or of removed users.",
     0, NULL},

    {"feed-token", "issue", "feed-token issue --user ID (--group ID | --manager) [--label TEXT]",
     cmd_feed_token_issue,
     "Issue a private calendar feed token: a group's bookings (the user must be a member) or "
     "those at the venues the user manages; the secret is shown only now.",
     0, NULL},
    {"feed-token", "list", "feed-token list [--user ID]", cmd_feed_token_list,
     "List feed tokens, of one user or everyone's, never their secrets.", 0, NULL},
    {"feed-token", "revoke", "feed-token revoke ID", cmd_feed_token_revoke,
     "Revoke a feed token: its feed answers 404 at once.", 0, NULL},

    {"outbox", "list", "outbox list [--state waiting|sent|failed]", cmd_outbox_list,
     "List the messages to send and sent: state, kind, recipient, subject, attempts and the "
     "relay's last words. hallsd --smtp sends them; without it they wait.",
     0, NULL},
    {"outbox", "show", "outbox show ID [--raw]", cmd_outbox_show,
     "Show one message's record, or with --raw its exact bytes as the relay receives them.", 0,
     NULL},
    {"outbox", "retry", "outbox retry ID", cmd_outbox_retry,
     "Try a failed or waiting message again now, its attempts counted afresh.", 0, NULL},
    {"outbox", "drop", "outbox drop ID", cmd_outbox_drop,
     "Give up a message that was not sent; a sent message stays on record.", 0, NULL},

    {"sweep", NULL, "sweep", cmd_sweep,
     "Lapse now every provisional hold and waitlist offer whose time is up, as hallsd's "
     "clock does, and show each hold that lapsed.",
     0, NULL},

    {"audit", NULL, "audit [--booking ID] [--venue ID]", cmd_audit_list,
     "Show the audit log: every change, who made it and why.", 0, NULL},
    {"report", "usage",
     "report usage --from DATE --to DATE [--venue ID] [--kind KIND] "
     "[--format text|csv|json] [--table TABLE]",
     cmd_report_usage,
     "Hours booked, occupancy, groups served, cancellations and declines over the local dates "
     "[from, to): one table (summary, venues (default), rooms, groups, kinds, months, "
     "reasons) for people or as CSV, or the whole report as JSON.",
     0, NULL},
    {"help", NULL, "help [COMMAND]", main_help, "Show the commands, or those of one noun.",
     CMD_NODB, NULL},
};

#define MAIN_NCMDS (sizeof(main_cmds) / sizeof(main_cmds[0]))

static void main_list(FILE *f, const char *noun, bool with_help)
{
	for (size_t i = 0; i < MAIN_NCMDS; i++) {
		const struct cli_cmd *e = &main_cmds[i];

		if (noun != NULL && strcmp(e->noun, noun) != 0)
			continue;
		fprintf(f, "  halls %s\n", e->usage);
		if (with_help)
			fprintf(f, "        %s\n", e->help);
	}
}

static void main_usage(FILE *f)
{
	fprintf(f, "usage: halls [--data DIR] [--json] COMMAND ...\n"
	           "       halls --help | --version\n"
	           "The data directory is DIR, else $HALLS_DATA, else ./" DEFAULT_DATA ".\n"
	           "Times (T) are RFC 3339 (2026-12-01T19:00:00Z), local wall-clock time in the "
	           "venue's zone (2026-12-01T19:00), or a date alone, its local midnight "
	           "(2026-12-01).\n"
	           "Commands:\n");
	main_list(f, NULL, false);
}

/* The row for argv (noun, then verb when the noun has verbs), or NULL. */
static const struct cli_cmd *main_find(int argc, char **argv)
{
	for (size_t i = 0; i < MAIN_NCMDS; i++) {
		const struct cli_cmd *e = &main_cmds[i];

		if (strcmp(e->noun, argv[0]) != 0)
			continue;
		if (e->verb == NULL)
			return e;
		if (argc > 1 && strcmp(e->verb, argv[1]) == 0)
			return e;
	}
	return NULL;
}

static bool main_is_noun(const char *word)
{
	for (size_t i = 0; i < MAIN_NCMDS; i++)
		if (strcmp(main_cmds[i].noun, word) == 0)
			return true;
	return false;
}

/* An unknown command: say what is close to it. */
static int main_unknown(int argc, char **argv)
{
	size_t n = strlen(argv[0]), found = 0;

	if (main_is_noun(argv[0])) {
		if (argc > 1)
			fprintf(stderr, "halls: unknown command: %s %s; possibilities are:\n",
			        argv[0], argv[1]);
		else
			fprintf(stderr, "halls: %s needs a verb; possibilities are:\n", argv[0]);
		main_list(stderr, argv[0], false);
		return CLI_USAGE;
	}
	for (size_t i = 0; i < MAIN_NCMDS; i++)
		if (strncmp(main_cmds[i].noun, argv[0], n) == 0)
			found++;
	if (found == 0) {
		fprintf(stderr, "halls: unknown command: %s (try `halls help`)\n", argv[0]);
		return CLI_USAGE;
	}
	fprintf(stderr, "halls: unknown command: %s; possibilities are:\n", argv[0]);
	for (size_t i = 0; i < MAIN_NCMDS; i++)
		if (strncmp(main_cmds[i].noun, argv[0], n) == 0)
			fprintf(stderr, "  halls %s\n", main_cmds[i].usage);
	return CLI_USAGE;
}

static int main_help(struct cli *c, int argc, char **argv)
{
	const struct cli_cmd *e;

	(void)c;
	if (argc == 0) {
		main_usage(stdout);
		return CLI_OK;
	}
	if (!main_is_noun(argv[0]))
		return main_unknown(argc, argv);
	e = main_find(argc, argv);
	if (e != NULL && (e->verb != NULL || argc == 1)) {
		printf("usage: halls %s\n%s\n", e->usage, e->help);
		return CLI_OK;
	}
	if (argc > 1)
		return main_unknown(argc, argv);
	main_list(stdout, argv[0], true);
	return CLI_OK;
}

/* HALLS_NOW (UTC seconds) pins the clock, for tests. */
static int main_now(struct cli *c)
{
	const char *env = getenv("HALLS_NOW");
	uint64_t v;

	c->now = (int64_t)time(NULL);
	if (env == NULL || *env == '\0')
		return CLI_OK;
	if (parse_u64(env, &v) != 0 || v >= (uint64_t)TIME_MAX) {
		fprintf(stderr,
		        "halls: HALLS_NOW must be UTC seconds from 1970 to 2199, not \"%s\"\n",
		        env);
		return CLI_USAGE;
	}
	c->now = (int64_t)v;
	return CLI_OK;
}

int main(int argc, char **argv)
{
	struct cli c = {0};
	const struct cli_cmd *e;
	struct herror err;
	int i, skip, rc;

	c.data_dir = getenv("HALLS_DATA");
	if (c.data_dir == NULL || *c.data_dir == '\0')
		c.data_dir = DEFAULT_DATA;
	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			c.json = true;
		} else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
			c.data_dir = argv[++i];
		} else if (strncmp(argv[i], "--data=", 7) == 0) {
			c.data_dir = argv[i] + 7;
		} else if (strcmp(argv[i], "--help") == 0) {
			main_usage(stdout);
			return CLI_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("halls %s\n", HALLS_VERSION);
			return CLI_OK;
		} else {
			fprintf(stderr, "halls: unknown option %s\n", argv[i]);
			main_usage(stderr);
			return CLI_USAGE;
		}
	}
	if (i == argc) {
		main_usage(stderr);
		return CLI_USAGE;
	}
	if ((rc = main_now(&c)) != CLI_OK)
		return rc;
	e = main_find(argc - i, argv + i);
	if (e == NULL)
		return main_unknown(argc - i, argv + i);
	skip = e->verb != NULL ? 2 : 1;
	c.cmd = e;
	for (int j = i + skip; j < argc && strcmp(argv[j], "--") != 0; j++)
		if (strcmp(argv[j], "--help") == 0) {
			printf("usage: halls %s\n%s\n", e->usage, e->help);
			return CLI_OK;
		}
	if (!(e->flags & CMD_NODB)) {
		herror_clear(&err);
		if (db_open(&c.db, c.data_dir, (e->flags & CMD_CREATE) != 0, NULL, &err) != H_OK)
			return out_error(&c, &err);
	}
	rc = e->run(&c, argc - i - skip, argv + i + skip);
	db_close(c.db);
	if (fflush(stdout) != 0 && rc == CLI_OK) {
		perror("halls: stdout");
		rc = CLI_REFUSED;
	}
	return rc;
}
