/* imap.h — reading a mailbox over IMAP. libcurl connects, does TLS
 * (imaps:// or STARTTLS) and logs in; this module then speaks the four
 * commands a poller needs on that connection: SELECT, UID SEARCH UNSEEN,
 * UID FETCH BODY.PEEK[] (which, unlike libcurl's own fetch, leaves the
 * message unseen) and UID STORE +FLAGS. */
#ifndef PARLEY_CHANNEL_IMAP_H
#define PARLEY_CHANNEL_IMAP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMAP_MESSAGE_MAX (32u << 20)   /* bytes of one message fetched */

struct imap_config {
    const char *url;           /* imap[s]://user[:password]@host[:port][/MAILBOX] */
    const char *password;      /* NULL: the URL's */
    const char *ca_file;       /* NULL: the system's CAs; else a PEM file of CAs to trust */
    bool require_tls;          /* imap://: refuse to log in without STARTTLS */
    const atomic_int *stop;    /* optional: non-zero aborts what is under way */
};

struct imap;

/* 0 when url names a mailbox this module can read; else *err says why. */
int imap_check_url(const char *url, char **err);
/* Connects, logs in and selects the URL's mailbox (INBOX without one).
 * PL_EAUTH when the log-in is refused, PL_EIO for the network, PL_EINVAL
 * for a bad URL; *err says what happened. */
int imap_open(const struct imap_config *c, struct imap **out, char **err);
/* The UIDs of the mailbox's unseen messages, ascending (caller frees). */
int imap_unseen(struct imap *s, int64_t **uids, size_t *n, char **err);
/* The raw message with that UID (caller frees; *len its size), its flags
 * untouched. PL_ETOOBIG over IMAP_MESSAGE_MAX, PL_ENOTFOUND when the
 * message is gone; the session stays usable after both. */
int imap_fetch(struct imap *s, int64_t uid, char **raw, size_t *len, char **err);
/* Adds flags ("\\Seen", "\\Seen $Rejected") to the message. */
int imap_flag(struct imap *s, int64_t uid, const char *flags, char **err);
/* Logs out and disconnects; NULL is fine. */
void imap_close(struct imap *s);

#endif
