/* HTTPS: the TLS context every new connection takes its session from.
 *
 * TLS 1.2 and 1.3 only. For TLS 1.2, forward-secret AEAD suites only (Mozilla's
 * "intermediate" list); TLS 1.3's suites are all fine. SIGHUP builds a new context from
 * the files, so a renewed certificate is served without a restart; connections already
 * open keep the context they started with (OpenSSL counts its references). */
#include "server.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#define TLS12_CIPHERS                                                                              \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"                               \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"                               \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

static void tls_report(const char *what, const char *file)
{
	unsigned long e = ERR_get_error();
	char why[256] = "unknown error";

	if (e != 0)
		ERR_error_string_n(e, why, sizeof(why));
	ERR_clear_error();
	fprintf(stderr, "hallsd: %s %s: %s\n", what, file ? file : "", why);
}

SSL_CTX *tls_context_new(const char *cert, const char *key)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL) {
		tls_report("cannot create a TLS context", NULL);
		return NULL;
	}
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS)) {
		tls_report("cannot configure TLS", NULL);
		goto fail;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		tls_report("cannot read the certificate", cert);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		tls_report("cannot read the private key", key);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		tls_report("the private key does not match the certificate", key);
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

int tls_reload(struct server *srv)
{
	SSL_CTX *ctx;

	if (srv->cfg.tls_cert == NULL)
		return 0;
	ctx = tls_context_new(srv->cfg.tls_cert, srv->cfg.tls_key);
	if (ctx == NULL) {
		fprintf(stderr, "hallsd: keeping the TLS certificate already loaded\n");
		return -1;
	}
	SSL_CTX_free(srv->tls);
	srv->tls = ctx;
	return 0;
}
