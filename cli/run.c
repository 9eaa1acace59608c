/* The transaction of one command and what it prints: a write and its result, a removal,
 * one record read and shown, or a listing. Every noun's commands go through these, so that a
 * refusal, a storage fault and the output look the same whatever the noun. */
#include "cli.h"

#include <stdlib.h>

struct run_write_op {
	db_write_fn fn;
	void *arg;
	json_t **result;
};

/* The result of an earlier run belongs to a transaction that was thrown away. */
static enum herr run_write_once(struct txn *t, void *arg)
{
	struct run_write_op *op = arg;

	if (op->result != NULL) {
		json_decref(*op->result);
		*op->result = NULL;
	}
	return op->fn(t, op->arg);
}

int run_write(struct cli *c, db_write_fn fn, void *arg, json_t **result)
{
	struct run_write_op op = {fn, arg, result};
	struct herror err;

	herror_clear(&err);
	if (db_write(c->db, run_write_once, &op, &err) == H_OK)
		return CLI_OK;
	if (result != NULL) {
		json_decref(*result);
		*result = NULL;
	}
	return out_error(c, &err);
}

struct run_rm_op {
	enum herr (*remove)(struct txn *t, const struct actor *a, uint64_t id, int64_t now);
	uint64_t id;
	int64_t now;
};

static enum herr run_rm_once(struct txn *t, void *arg)
{
	struct run_rm_op *op = arg;

	return op->remove(t, &cli_console, op->id, op->now);
}

int run_rm(struct cli *c, int argc, char **argv, const char *kind,
           enum herr (*remove)(struct txn *t, const struct actor *a, uint64_t id, int64_t now))
{
	struct run_rm_op op = {remove, 0, c->now};
	int rc;

	if ((rc = arg_only_id(c, argc, argv, &op.id)) != CLI_OK ||
	    (rc = run_write(c, run_rm_once, &op, NULL)) != CLI_OK)
		return rc;
	out_removed(c, kind, op.id);
	return CLI_OK;
}

/* `show ID` for run_show and run_show_at: exactly one of show and show_at. */
static int run_show_one(struct cli *c, int argc, char **argv,
                        enum herr (*show)(struct txn *t, uint64_t id, json_t **out),
                        enum herr (*show_at)(struct txn *t, uint64_t id, int64_t now, json_t **out))
{
	struct herror err;
	json_t *o = NULL;
	struct txn t;
	enum herr ret;
	uint64_t id;
	int rc;

	if ((rc = arg_only_id(c, argc, argv, &id)) != CLI_OK)
		return rc;
	herror_clear(&err);
	if (db_read_begin(c->db, &t, &err) != H_OK)
		return out_error(c, &err);
	ret = show != NULL ? show(&t, id, &o) : show_at(&t, id, c->now, &o);
	db_read_end(&t);
	if (ret != H_OK) {
		json_decref(o);
		return out_error(c, &err);
	}
	out_object(c, o);
	return CLI_OK;
}

int run_show(struct cli *c, int argc, char **argv,
             enum herr (*show)(struct txn *t, uint64_t id, json_t **out))
{
	return run_show_one(c, argc, argv, show, NULL);
}

int run_show_at(struct cli *c, int argc, char **argv,
                enum herr (*show)(struct txn *t, uint64_t id, int64_t now, json_t **out))
{
	return run_show_one(c, argc, argv, NULL, show);
}

int run_list_begin(struct cli *c, struct run_list *l, size_t ncols, const char **headers)
{
	l->c = c;
	herror_clear(&l->err);
	if (db_read_begin(c->db, &l->t, &l->err) != H_OK)
		return out_error(c, &l->err);
	l->array = json_array();
	table_init(&l->table, ncols, headers);
	return CLI_OK;
}

int run_list_end(struct run_list *l, enum herr ret)
{
	int rc = CLI_OK;

	db_read_end(&l->t);
	if (ret != H_OK) {
		rc = out_error(l->c, &l->err);
	} else if (l->c->json) {
		out_json(l->array);
		l->array = NULL;
	} else {
		table_print(&l->table, stdout);
	}
	json_decref(l->array);
	l->array = NULL;
	table_free(&l->table);
	return rc;
}
