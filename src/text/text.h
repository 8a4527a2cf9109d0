/* text.h — Parley's text-understanding engine: text in, analysis out.
 *
 * No storage, no HTTP. A struct text_engine holds the default models
 * loaded from a directory; once open it is read-only and may be shared by
 * any number of threads calling text_analyze() at once (each thread keeps
 * its own scratch space, created on first use and freed at thread exit).
 *
 * Ownership: text_engine_open() returns an engine the caller frees with
 * text_engine_close(); *err (when non-NULL) receives a message the caller
 * frees. struct text_analysis is plain data owned by the caller (no
 * pointers inside). */
#ifndef PARLEY_TEXT_TEXT_H
#define PARLEY_TEXT_TEXT_H

#include <stddef.h>

struct buf;
struct text_engine;          /* loaded models; read-only once open, thread-safe */

enum text_emotion {
    TEXT_EMOTION_ANGER, TEXT_EMOTION_FRUSTRATION, TEXT_EMOTION_ANXIETY,
    TEXT_EMOTION_SADNESS, TEXT_EMOTION_CONFUSION, TEXT_EMOTION_JOY,
    TEXT_EMOTION_NEUTRAL, TEXT_EMOTION__COUNT
};

enum text_cue_kind {
    TEXT_CUE_CANCEL, TEXT_CUE_LEGAL, TEXT_CUE_REGULATOR, TEXT_CUE_PRESS,
    TEXT_CUE_REVIEW, TEXT_CUE_PROFANITY, TEXT_CUE_INSULT, TEXT_CUE__COUNT
};

#define TEXT_MAX_CUES 8

struct text_cue {
    enum text_cue_kind kind;
    char evidence[64];          /* the matched words, NFKC text, UTF-8 */
};

struct text_analysis {
    char  language[8];          /* "ru", "en" or "other" */
    float emotions[TEXT_EMOTION__COUNT];   /* probabilities in [0,1] */
    float sentiment;            /* polarity in [-1,1] */
    float intensity;            /* [0,1]: caps, !!!, elongation, intensifiers */
    char  intent[64];           /* "" when no intent model applies */
    float intent_confidence;
    struct text_cue cues[TEXT_MAX_CUES];
    size_t ncues;
};

/* Loads every model found in model_dir (NULL: $PARLEY_MODELS, else
 * "data/models"). Needs at least the English emotion model; missing
 * optional models are skipped. Returns 0 or a PL_E* code with *err set. */
int  text_engine_open(const char *model_dir, struct text_engine **out, char **err);
void text_engine_close(struct text_engine *e);

/* Analyses s[0..n). Returns 0, or PL_EUTF8 when s is not valid UTF-8
 * (out is then zeroed with language "other"). Thread-safe. */
int  text_analyze(const struct text_engine *e, const char *s, size_t n,
                  struct text_analysis *out);

/* Appends the JSON object printed by `parley analyze` to out. */
void text_analysis_json(const struct text_analysis *a, struct buf *out);

/* Static names: "anger", ... "neutral"; "cancel", "legal", ... */
const char *text_emotion_name(enum text_emotion e);
const char *text_cue_name(enum text_cue_kind k);
/* Returns the emotion named name, or -1. */
int text_emotion_parse(const char *name);

/* Releases the calling thread's scratch space now (it is also released
 * automatically when the thread exits). */
void text_thread_cleanup(void);

#endif
