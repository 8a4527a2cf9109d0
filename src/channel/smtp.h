/* smtp.h — sending one message over SMTP with libcurl. */
#ifndef PARLEY_CHANNEL_SMTP_H
#define PARLEY_CHANNEL_SMTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct smtp_config {
    const char *url;           /* smtp://host:port (STARTTLS when offered) or smtps://host:port */
    const char *user;          /* NULL = no AUTH */
    const char *password;
    bool require_tls;          /* smtp://: refuse to send without STARTTLS */
    const char *ca_file;       /* NULL: the system's CAs; else a PEM file of CAs to trust */
    long timeout_s;            /* whole transfer; 0 = 60 */
    const atomic_int *stop;    /* optional: non-zero aborts the transfer */
};

/* Sends raw[0..len) (CRLF line ends) from envelope address `from` to
 * `to`. Returns 0, or -1 with *err (caller frees) and *permanent set when
 * the server refused for good (a 5xx reply). */
int smtp_send(const struct smtp_config *c, const char *from, const char *to, const char *raw,
              size_t len, char **err, bool *permanent);

#endif
