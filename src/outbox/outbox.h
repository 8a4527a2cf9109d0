/* outbox.h — the delivery thread: it sends what the outbox holds (e-mail
 * over SMTP, signed webhook calls), records every attempt through the
 * desk, and retries with exponential backoff (docs/channels.md).
 *
 * The deliveries themselves are queued by the desk, in the transaction of
 * the change that causes them (src/desk/outbox.c); this module only
 * sends. One thread, so a delivery is never sent twice at once.
 *
 * With an IMAP mailbox configured, a second thread polls it and files
 * each unseen message like POST /channels/email (the server's other
 * background channel work lives here too). */
#ifndef PARLEY_OUTBOX_OUTBOX_H
#define PARLEY_OUTBOX_OUTBOX_H

struct desk;

struct outbox_options {
    const char *smtp_url;      /* NULL: e-mail stays queued */
    const char *smtp_user;     /* optional AUTH */
    const char *smtp_password;
    int smtp_require_tls;      /* smtp:// must upgrade with STARTTLS */
    const char *mail_from;     /* the team address; required with smtp_url */
    const char *imap_url;      /* NULL, or a mailbox to poll for inbound mail */
    const char *imap_password; /* NULL: the one in imap_url */
    int imap_interval_s;       /* seconds between polls; 0 = 30 */
    int imap_require_tls;      /* imap:// must upgrade with STARTTLS */
    const char *mail_ca;       /* NULL, or a PEM file of the CAs the mail servers use */
};

struct outbox;

/* Checks the options and starts the thread (the desk is borrowed and must
 * outlive it). Returns 0, or PL_EINVAL / PL_EUNAVAIL with *err (caller
 * frees). */
int outbox_start(struct desk *d, const struct outbox_options *o, struct outbox **out, char **err);
/* Lets the attempt in progress finish, then stops. */
void outbox_stop(struct outbox *ob);

#endif
