/* hallsd under systemd (service.h). libsystemd's sd_notify does the sending; this file
 * only says what, so that main.c stays free of it and no other part of hallsd (nor any
 * harness) links libsystemd. */
#include "service.h"

#include "server.h"

#include <systemd/sd-daemon.h>
#include <time.h>

/* What hallsd says it serves: one line, so nothing in it may end the line (the data
 * directory and the addresses come from the command line). */
#define STATUS_MAX 512

/* Appends s to buf (of STATUS_MAX bytes, holding *len) with control characters as '?';
 * what does not fit is left out. */
static void status_add(char *buf, size_t *len, const char *s)
{
	for (; *s != '\0' && *len + 1 < STATUS_MAX; s++)
		buf[(*len)++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	buf[*len] = '\0';
}

/* "STATUS=Serving DIR on http://ADDR/, http://ADDR2/; mail to URL" */
static void status_line(const struct server *srv, char buf[STATUS_MAX])
{
	size_t len = 0;

	buf[0] = '\0';
	status_add(buf, &len, "STATUS=Serving ");
	status_add(buf, &len, srv->cfg.data);
	status_add(buf, &len, " on ");
	for (size_t i = 0; i < srv->cfg.nlisten; i++) {
		status_add(buf, &len, i > 0 ? ", " : "");
		status_add(buf, &len, srv->tls != NULL ? "https://" : "http://");
		status_add(buf, &len, srv->cfg.listen[i]);
		status_add(buf, &len, "/");
	}
	if (srv->cfg.smtp.smtp_url != NULL) {
		status_add(buf, &len, "; mail through ");
		status_add(buf, &len, srv->cfg.smtp.smtp_url);
	} else {
		status_add(buf, &len, "; no --smtp: mail waits in the outbox");
	}
}

void service_ready(const struct server *srv)
{
	char status[STATUS_MAX];
	char msg[STATUS_MAX + 16];

	status_line(srv, status);
	snprintf(msg, sizeof(msg), "READY=1\n%s", status);
	sd_notify(0, msg);
}

void service_reloading(void)
{
	struct timespec now;

	/* MONOTONIC_USEC tells systemd which reload this is (sd_notify(3)). */
	if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) {
		sd_notify(0, "RELOADING=1\nSTATUS=Reloading the log and the certificate");
		return;
	}
	sd_notifyf(0,
	           "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=Reloading the log and the certificate",
	           (unsigned long long)now.tv_sec * 1000000ULL +
	               (unsigned long long)now.tv_nsec / 1000ULL);
}

void service_stopping(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=Stopping: answering the requests in progress");
}
