/* halls outbox list|show|retry|drop: the messages halls has to send (outbox.h), what
 * became of each, and the operator's two remedies for one that failed: try it again, or
 * give it up. hallsd's delivery thread (server/deliver.c) does the sending; these
 * commands read the same store while it runs.
 *
 * Retry and drop are delivery records, not changes anything cached depends on, so they
 * are written with db_write_aside, as the delivery thread writes its own. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* The longest subject and error a row of the table shows, in characters; show has them
 * whole. */
#define CMD_OUTBOX_CELL_MAX 60

/* s cut to at most max UTF-8 characters, with "..." when cut (allocated). */
static char *cmd_outbox_cut(const char *s, size_t max)
{
	size_t chars = 0, i = 0;

	if (s == NULL)
		return NULL;
	for (; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && chars++ == max)
			break;
	}
	if (s[i] == '\0')
		return xstrdup(s);
	return xasprintf("%.*s...", (int)i, s);
}

static bool cmd_outbox_list_one(const struct outbox_msg *m, void *arg)
{
	struct run_list *l = arg;
	char id[24], created[32], attempts[16], *subject, *error;

	if (l->c->json) {
		json_array_append_new(l->array, outbox_msg_to_json(m));
		return true;
	}
	snprintf(id, sizeof(id), "%llu", (unsigned long long)m->id);
	snprintf(attempts, sizeof(attempts), "%u", m->attempts);
	time_format(m->created_at, TZ_DEFAULT, created);
	subject = cmd_outbox_cut(m->subject, CMD_OUTBOX_CELL_MAX);
	error = cmd_outbox_cut(m->last_error, CMD_OUTBOX_CELL_MAX);
	table_add(&l->table, id, outbox_state_name(m->state), m->kind, m->to, subject, created,
	          attempts, error);
	free(subject);
	free(error);
	return true;
}

int cmd_outbox_list(struct cli *c, int argc, char **argv)
{
	static const char *headers[] = {"ID",      "STATE",   "KIND",     "TO",
	                                "SUBJECT", "CREATED", "ATTEMPTS", "LAST ERROR"};
	struct opt opts[] = {{.name = "state", .type = OPT_VALUE}, {.name = NULL}};
	enum outbox_state state;
	const char *name;
	struct run_list l;
	int want = -1;
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK)
		return rc;
	name = opt_str(opts, "state");
	if (name != NULL && !outbox_state_parse(name, &state))
		rc = out_usage(c, "--state must be waiting, sent or failed, not \"%s\"", name);
	else if (name != NULL)
		want = (int)state;
	opt_free(opts);
	if (rc != CLI_OK || (rc = run_list_begin(c, &l, 8, headers)) != CLI_OK)
		return rc;
	return run_list_end(&l, outbox_each(&l.t, want, cmd_outbox_list_one, &l));
}

/* Writes the message's bytes exactly as the relay receives them. */
static int cmd_outbox_raw(const struct outbox_msg *m)
{
	size_t n = m->raw != NULL ? strlen(m->raw) : 0;

	if (fwrite(m->raw != NULL ? m->raw : "", 1, n, stdout) != n) {
		perror("halls: stdout");
		return CLI_REFUSED;
	}
	return CLI_OK;
}

int cmd_outbox_show(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = "raw", .type = OPT_FLAG}, {.name = NULL}};
	struct outbox_msg m;
	struct herror err;
	struct txn t;
	enum herr ret;
	char *args[1];
	uint64_t id;
	size_t nargs;
	bool raw;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) != CLI_OK)
		return rc;
	raw = opt_flag(opts, "raw");
	opt_free(opts);
	if ((rc = arg_id(c, "ID", nargs ? args[0] : NULL, &id)) != CLI_OK)
		return rc;
	herror_clear(&err);
	if (db_read_begin(c->db, &t, &err) != H_OK)
		return out_error(c, &err);
	ret = outbox_get(&t, id, &m);
	db_read_end(&t);
	if (ret != H_OK)
		rc = out_error(c, &err);
	else if (raw)
		rc = cmd_outbox_raw(&m);
	else
		out_object(c, outbox_msg_to_json(&m));
	outbox_msg_free(&m);
	return rc;
}

/* One remedy (retry or drop) of message id, and the message as it is after it. */
struct cmd_outbox_op {
	uint64_t id;
	int64_t now;
	bool drop;
	json_t *after; /* retry: the message, for --json */
};

static enum herr cmd_outbox_op_run(struct txn *t, void *arg)
{
	struct cmd_outbox_op *op = arg;
	struct outbox_msg m;
	enum herr ret;

	/* db_write_aside may run this again after growing the map. */
	json_decref(op->after);
	op->after = NULL;
	if (op->drop)
		return outbox_drop(t, op->id);
	if ((ret = outbox_retry(t, op->id, op->now)) != H_OK ||
	    (ret = outbox_get(t, op->id, &m)) != H_OK)
		return ret;
	op->after = outbox_msg_to_json(&m);
	outbox_msg_free(&m);
	return H_OK;
}

static int cmd_outbox_op(struct cli *c, int argc, char **argv, struct cmd_outbox_op *op)
{
	struct herror err;
	int rc;

	op->now = c->now;
	if ((rc = arg_only_id(c, argc, argv, &op->id)) != CLI_OK)
		return rc;
	herror_clear(&err);
	if (db_write_aside(c->db, cmd_outbox_op_run, op, &err) != H_OK) {
		json_decref(op->after);
		op->after = NULL;
		return out_error(c, &err);
	}
	return CLI_OK;
}

int cmd_outbox_retry(struct cli *c, int argc, char **argv)
{
	struct cmd_outbox_op op = {.drop = false};
	int rc = cmd_outbox_op(c, argc, argv, &op);

	if (rc != CLI_OK)
		return rc;
	out_done(c, op.after, "message %llu will be sent again as soon as hallsd can",
	         (unsigned long long)op.id);
	return CLI_OK;
}

int cmd_outbox_drop(struct cli *c, int argc, char **argv)
{
	struct cmd_outbox_op op = {.drop = true};
	int rc = cmd_outbox_op(c, argc, argv, &op);

	if (rc != CLI_OK)
		return rc;
	out_removed(c, "message", op.id);
	return CLI_OK;
}
