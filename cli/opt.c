/* A tiny, strict option parser: long options only, each declared by the command.
 *
 *   --name VALUE   --name=VALUE   --flag   --feature F --feature G   --  (ends options)
 *
 * Anything undeclared is a usage error, as is a malformed number. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const struct actor cli_console = {0};

struct opt *opt_find(struct opt *opts, const char *name)
{
	for (struct opt *o = opts; o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	fatal("option --%s is not declared", name);
}

/* Finds the declared option called name (of length len). */
static struct opt *opt_lookup(struct opt *opts, const char *name, size_t len)
{
	for (struct opt *o = opts; o->name != NULL; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static void opt_take(struct opt *o, const char *value)
{
	if (o->type == OPT_MULTI) {
		o->values = xrealloc(o->values, (size_t)(o->count + 1) * sizeof(*o->values));
		o->values[o->count] = value;
	}
	o->value = value;
	o->count++;
}

int opt_parse(struct cli *c, int argc, char **argv, struct opt *opts, char **args, size_t nargs_max,
              size_t *nargs)
{
	bool options = true;

	*nargs = 0;
	for (struct opt *o = opts; o->name != NULL; o++) {
		o->count = 0;
		o->value = NULL;
		o->values = NULL;
	}
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *name, *eq;
		struct opt *o;
		size_t len;

		if (options && strcmp(arg, "--") == 0) {
			options = false;
			continue;
		}
		if (!options || strncmp(arg, "--", 2) != 0) {
			if (*nargs >= nargs_max)
				return out_usage(c, "unexpected argument \"%s\"", arg);
			args[(*nargs)++] = argv[i];
			continue;
		}
		name = arg + 2;
		eq = strchr(name, '=');
		len = eq != NULL ? (size_t)(eq - name) : strlen(name);
		o = opt_lookup(opts, name, len);
		if (o == NULL && eq == NULL && strcmp(name, "json") == 0) {
			c->json = true;
			continue;
		}
		if (o == NULL)
			return out_usage(c, "unknown option --%.*s", (int)len, name);
		if (o->type == OPT_FLAG) {
			if (eq != NULL)
				return out_usage(c, "--%s takes no value", o->name);
			opt_take(o, "");
			continue;
		}
		if (eq != NULL) {
			opt_take(o, eq + 1);
			continue;
		}
		if (i + 1 >= argc)
			return out_usage(c, "--%s needs a value", o->name);
		opt_take(o, argv[++i]);
	}
	return CLI_OK;
}

void opt_free(struct opt *opts)
{
	for (struct opt *o = opts; o->name != NULL; o++) {
		free(o->values);
		o->values = NULL;
	}
}

const char *opt_str(struct opt *opts, const char *name)
{
	return opt_find(opts, name)->value;
}

bool opt_flag(struct opt *opts, const char *name)
{
	return opt_find(opts, name)->count > 0;
}

int opt_need(struct cli *c, struct opt *opts, const char *name)
{
	if (opt_find(opts, name)->count == 0)
		return out_usage(c, "--%s is required", name);
	return CLI_OK;
}

int parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = (uint64_t)v;
	return 0;
}

/* Ids are stored as JSON integers, so they stay below 2^63. */
#define ID_MAX ((uint64_t)INT64_MAX)

int arg_id(struct cli *c, const char *what, const char *s, uint64_t *out)
{
	if (s == NULL)
		return out_usage(c, "%s is required", what);
	if (parse_u64(s, out) != 0 || *out == 0 || *out > ID_MAX)
		return out_usage(c, "%s must be a positive whole number, not \"%s\"", what, s);
	return CLI_OK;
}

int arg_only_id(struct cli *c, int argc, char **argv, uint64_t *out)
{
	struct opt opts[] = {{.name = NULL}};
	char *args[1];
	size_t nargs;
	int rc = opt_parse(c, argc, argv, opts, args, 1, &nargs);

	return rc != CLI_OK ? rc : arg_id(c, "ID", nargs ? args[0] : NULL, out);
}

int opt_id(struct cli *c, struct opt *opts, const char *name, uint64_t *out)
{
	struct opt *o = opt_find(opts, name);
	uint64_t v;

	if (o->count == 0)
		return CLI_OK;
	if (parse_u64(o->value, &v) != 0 || v == 0 || v > ID_MAX)
		return out_usage(c, "--%s must be a positive whole number (an id), not \"%s\"",
		                 name, o->value);
	*out = v;
	return CLI_OK;
}

int opt_uint(struct cli *c, struct opt *opts, const char *name, uint64_t max, uint64_t *out)
{
	struct opt *o = opt_find(opts, name);
	uint64_t v;

	if (o->count == 0)
		return CLI_OK;
	if (parse_u64(o->value, &v) != 0 || v > max)
		return out_usage(c, "--%s must be a whole number up to %llu, not \"%s\"", name,
		                 (unsigned long long)max, o->value);
	*out = v;
	return CLI_OK;
}

int opt_to_json_str(struct opt *opts, const char *name, json_t *fields, const char *key)
{
	struct opt *o = opt_find(opts, name);

	if (o->count > 0)
		json_object_set_new(fields, key, json_stringn_nocheck(o->value, strlen(o->value)));
	return CLI_OK;
}

int opt_to_json_uint(struct cli *c, struct opt *opts, const char *name, uint64_t max,
                     json_t *fields, const char *key)
{
	uint64_t v = 0;
	int rc = opt_uint(c, opts, name, max, &v);

	if (rc == CLI_OK && opt_find(opts, name)->count > 0)
		json_object_set_new(fields, key, json_integer((json_int_t)v));
	return rc;
}

int opt_to_json_id(struct cli *c, struct opt *opts, const char *name, json_t *fields,
                   const char *key)
{
	uint64_t v = 0;
	int rc = opt_id(c, opts, name, &v);

	if (v != 0)
		json_object_set_new(fields, key, json_integer((json_int_t)v));
	return rc;
}

void opt_to_json_strs(struct opt *opts, const char *name, json_t *fields, const char *key)
{
	struct opt *o = opt_find(opts, name);
	json_t *a;

	if (o->count == 0)
		return;
	a = json_array();
	for (int i = 0; i < o->count; i++)
		json_array_append_new(a, json_stringn_nocheck(o->values[i], strlen(o->values[i])));
	json_object_set_new(fields, key, a);
}

int opt_to_json_ids(struct cli *c, struct opt *opts, const char *name, json_t *fields,
                    const char *key)
{
	struct opt *o = opt_find(opts, name);
	json_t *a;
	uint64_t v;

	if (o->count == 0)
		return CLI_OK;
	a = json_array();
	for (int i = 0; i < o->count; i++) {
		if (parse_u64(o->values[i], &v) != 0 || v == 0 || v > ID_MAX) {
			json_decref(a);
			return out_usage(c,
			                 "--%s must be a positive whole number (an id), not \"%s\"",
			                 name, o->values[i]);
		}
		json_array_append_new(a, json_integer((json_int_t)v));
	}
	json_object_set_new(fields, key, a);
	return CLI_OK;
}

int opt_time(struct cli *c, struct opt *opts, const char *name, const char *zone, int64_t *out)
{
	struct opt *o = opt_find(opts, name);
	char msg[sizeof(((struct herror *)0)->msg)];
	struct herror err;

	if (o->count == 0)
		return CLI_OK;
	herror_clear(&err);
	if (time_parse(o->value, zone, out, &err) == H_OK)
		return CLI_OK;
	memcpy(msg, err.msg, sizeof(msg));
	herror_set(&err, err.code, "--%s: %s", name, msg);
	return out_error(c, &err);
}
