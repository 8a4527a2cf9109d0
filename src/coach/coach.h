/* coach.h — help for the agent while answering: guidance for the emotion
 * the customer shows (after seed 001, in Russian and English) and a tone
 * check of the agent's draft reply.
 *
 * A pure engine: static data tables, no storage, no mutable globals. */
#ifndef PARLEY_COACH_COACH_H
#define PARLEY_COACH_COACH_H

#include <stdbool.h>
#include <stddef.h>

/* ---- guidance ---------------------------------------------------------- */

#define COACH_MAX_ITEMS 5

struct coach_guidance {
    const char *emotion;                  /* "anger", "frustration", ... */
    const char *language;                 /* "ru" or "en" */
    const char *title;
    const char *steps[COACH_MAX_ITEMS];   /* 3–5 concrete steps */
    const char *use[COACH_MAX_ITEMS];     /* phrases that help */
    const char *avoid[COACH_MAX_ITEMS];   /* phrases that make it worse */
    const char *openers[2];               /* example opening lines (1–2) */
    size_t n_steps, n_use, n_avoid, n_openers;
};

/* The emotions that have guidance, in the triage order: anger,
 * frustration, anxiety, sadness, confusion, joy, neutral. */
extern const char *const coach_emotions[];
#define COACH_N_EMOTIONS 7

/* Guidance for an emotion in a language. Aliases: "satisfaction" → joy;
 * an unknown or NULL emotion gets the neutral guidance; any language
 * other than "ru" gets English. Returns a static entry, never NULL. */
const struct coach_guidance *coach_guidance(const char *emotion, const char *language);
/* Returns the guidance as JSON {"emotion","language","title","steps":[],
 * "use":[],"avoid":[],"openers":[]}; caller frees. */
char *coach_guidance_json(const struct coach_guidance *g);

/* ---- tone check -------------------------------------------------------- */

enum coach_tone {
    COACH_BLAMING,      /* "you should have", "вы сами виноваты" */
    COACH_DEFENSIVE,    /* "that's not our fault", "policy says" */
    COACH_DISMISSIVE,   /* "calm down", "как я уже говорил" */
    COACH_JARGON,       /* "SLA", "backend", "тикет" */
    COACH_ALL_CAPS,     /* a shouted word of 4+ letters */
    COACH_NO_APOLOGY,   /* the customer is angry and the draft never apologises */
    COACH_TONE__COUNT
};

const char *coach_tone_name(enum coach_tone t);   /* "blaming", ..., "no_apology_to_angry" */

struct coach_flag {
    enum coach_tone category;
    size_t start, end;        /* byte offsets into the draft: [start, end) */
    const char *suggestion;   /* static, in the requested language */
};

struct coach_tone_result {
    struct coach_flag *v;     /* owned, sorted by start */
    size_t n;
};

/* Checks draft[0..len) (UTF-8) for both Russian and English phrases,
 * case-insensitively (Unicode case folding, ё = е, ’ = ') and on word
 * boundaries. language picks the suggestions' language ("ru", else
 * English). customer_emotion (nullable) enables the no-apology check for
 * "anger" and "frustration". Returns 0, or PL_EUTF8 for invalid UTF-8
 * (out is then empty). Release out with coach_tone_release(). */
int coach_tone_check(const char *draft, size_t len, const char *language,
                     const char *customer_emotion, struct coach_tone_result *out);
void coach_tone_release(struct coach_tone_result *r);
/* Returns {"flags":[{"category","phrase","start","end","suggestion"}]}
 * (phrase copied from the draft); caller frees. */
char *coach_tone_json(const char *draft, const struct coach_tone_result *r);

#endif
