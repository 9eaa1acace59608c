/* hallsd under systemd: the sd_notify(3) messages of a Type=notify service
 * (server/dist/halls.service). Each does nothing when NOTIFY_SOCKET is not set, that is
 * when hallsd was not started by systemd. */
#ifndef HALLS_SERVICE_H
#define HALLS_SERVICE_H

struct server;

/* Listening, with the data open: READY=1, and a STATUS= line saying what it serves.
 * Also after a reload. */
void service_ready(const struct server *srv);
/* SIGHUP: about to reopen the log and reload the certificate. */
void service_reloading(void);
/* SIGTERM or SIGINT: no new connections; exiting once those in flight are answered. */
void service_stopping(void);

#endif
