/* modelfile.c — reading and writing the model file format described in
 * model.c. Reading checks the magic, the version, every length against
 * the file size and the checksum before trusting anything: a corrupt,
 * truncated or foreign file gives a clear error, never a crash. */
#include "text/text_internal.h"

#include "base/buf.h"
#include "base/err.h"
#include "base/fnv.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "PARLEYTM"
#define VERSION 1u

static void put32(struct buf *b, uint32_t v)
{
    unsigned char c[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    buf_add(b, c, 4);
}

static void putf(struct buf *b, float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    put32(b, v);
}

static void putstr(struct buf *b, const char *s)
{
    put32(b, (uint32_t)strlen(s));
    buf_puts(b, s);
}

int text_model_save(const struct text_model *m, const char *path, char **err)
{
    struct buf b = BUF_INIT;
    buf_add(&b, MAGIC, 8);
    put32(&b, VERSION);
    put32(&b, m->multi_label ? 1u : 0u);
    putstr(&b, m->task);
    put32(&b, m->nlabels);
    for (uint32_t l = 0; l < m->nlabels; l++)
        putstr(&b, m->labels[l]);
    unsigned char cfg[8] = {m->cfg.hash_bits, m->cfg.word_ngrams, m->cfg.char_min,
                            m->cfg.char_max, m->cfg.stem_lang, 0, 0, 0};
    buf_add(&b, cfg, 8);
    put32(&b, m->nfeat);
    for (uint32_t f = 0; f < m->nfeat; f++)
        put32(&b, m->feat[f]);
    for (uint32_t f = 0; f < m->nfeat; f++)
        putf(&b, m->idf[f]);
    for (uint32_t l = 0; l < m->nlabels; l++)
        putf(&b, m->scale[l]);
    for (uint32_t l = 0; l < m->nlabels; l++)
        putf(&b, m->bias[l]);
    for (uint32_t l = 0; l < m->nlabels; l++)
        putf(&b, m->thresh[l]);
    buf_add(&b, m->w, (size_t)m->nfeat * m->nlabels);
    uint64_t h = fnv1a(TEXT_FNV_BASIS, (const unsigned char *)b.ptr, b.len);
    put32(&b, (uint32_t)h);
    put32(&b, (uint32_t)(h >> 32));

    char *tmp = xasprintf("%s.tmp", path);
    FILE *fp = fopen(tmp, "wb");
    int rc = 0, ok = fp != NULL;
    if (fp) {
        ok = fwrite(b.ptr, 1, b.len, fp) == b.len;
        ok = (fclose(fp) == 0) && ok;
    }
    if (!ok) {
        if (err)
            *err = xasprintf("cannot write %s: %s", path, strerror(errno));
        rc = PL_EIO;
        remove(tmp);
    } else if (rename(tmp, path) != 0) {
        if (err)
            *err = xasprintf("cannot write %s: %s", path, strerror(errno));
        rc = PL_EIO;
        remove(tmp);
    }
    free(tmp);
    buf_release(&b);
    return rc;
}

struct rd {
    const unsigned char *p;
    size_t n, i;
    int bad;
};

static uint32_t get32(struct rd *r)
{
    if (r->n - r->i < 4) {
        r->bad = 1;
        r->i = r->n;
        return 0;
    }
    const unsigned char *c = r->p + r->i;
    r->i += 4;
    return (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24;
}

static float getf(struct rd *r)
{
    uint32_t v = get32(r);
    float f;
    memcpy(&f, &v, 4);
    return f;
}

static char *getstr(struct rd *r, size_t max)
{
    uint32_t len = get32(r);
    if (r->bad || len > max || len > r->n - r->i) {
        r->bad = 1;
        return NULL;
    }
    const char *s = (const char *)r->p + r->i;
    if (!utf8_valid(s, len)) {
        r->bad = 1;
        return NULL;
    }
    r->i += len;
    return xstrndup(s, len);
}

static int fail(struct text_model *m, char **err, int rc, const char *msg)
{
    text_model_free(m);
    if (err)
        *err = xstrdup(msg);
    return rc;
}

int text_model_load_mem(const unsigned char *p, size_t n, struct text_model **out, char **err)
{
    *out = NULL;
    if (n < 8 || memcmp(p, MAGIC, 8) != 0)
        return fail(NULL, err, PL_EFORMAT, "not a Parley text model (bad magic)");
    if (n < 8 + 4 + 8)
        return fail(NULL, err, PL_EFORMAT, "truncated model file");
    struct rd r = {p, n - 8, 8, 0};
    uint32_t ver = get32(&r);
    if (ver != VERSION) {
        if (err)
            *err = xasprintf("unsupported model file version %u (this build reads %u)", ver, VERSION);
        return PL_EFORMAT;
    }
    const unsigned char *t = p + n - 8;
    uint64_t want = (uint64_t)t[0] | (uint64_t)t[1] << 8 | (uint64_t)t[2] << 16 |
                    (uint64_t)t[3] << 24 | (uint64_t)t[4] << 32 | (uint64_t)t[5] << 40 |
                    (uint64_t)t[6] << 48 | (uint64_t)t[7] << 56;
    if (fnv1a(TEXT_FNV_BASIS, p, n - 8) != want)
        return fail(NULL, err, PL_ECHECKSUM,
                    "model file checksum mismatch (corrupt or truncated file)");
    struct text_model *m = xcalloc(1, sizeof *m);
    m->multi_label = (int)(get32(&r) & 1);
    char *task = getstr(&r, 63);
    if (!task)
        return fail(m, err, PL_EFORMAT, "bad model file: task name");
    snprintf(m->task, sizeof m->task, "%s", task);
    free(task);
    uint32_t L = get32(&r);
    if (r.bad || L == 0 || L > 100000 || L > (r.n - r.i) / 4)
        return fail(m, err, PL_EFORMAT, "bad model file: label count");
    m->labels = xcalloc(L, sizeof *m->labels);
    m->nlabels = L;
    for (uint32_t l = 0; l < L; l++)
        if (!(m->labels[l] = getstr(&r, 63)))
            return fail(m, err, PL_EFORMAT, "bad model file: label name");
    if (r.n - r.i < 8)
        return fail(m, err, PL_EFORMAT, "truncated model file");
    const unsigned char *c = r.p + r.i;
    r.i += 8;
    m->cfg.hash_bits = c[0];
    m->cfg.word_ngrams = c[1];
    m->cfg.char_min = c[2];
    m->cfg.char_max = c[3];
    m->cfg.stem_lang = c[4];
    if (c[0] < 10 || c[0] > 24 || c[1] < 1 || c[1] > 2 || c[3] > 8 || c[2] > c[3] ||
        (c[3] && c[2] < 1) || c[4] > 2)
        return fail(m, err, PL_EFORMAT, "bad model file: feature settings");
    uint32_t nf = get32(&r);
    size_t need = (size_t)nf * 8 + (size_t)L * 12 + (size_t)nf * L;
    if (r.bad || nf > (1u << c[0]) || need != r.n - r.i)
        return fail(m, err, PL_EFORMAT, "bad model file: sizes do not match the file length");
    m->nfeat = nf;
    uint32_t dim = 1u << c[0];
    m->index = xmalloc(dim * sizeof *m->index);
    memset(m->index, 0xff, dim * sizeof *m->index);
    m->feat = xmalloc((nf ? nf : 1) * sizeof *m->feat);
    m->idf = xmalloc((nf ? nf : 1) * sizeof *m->idf);
    for (uint32_t f = 0; f < nf; f++) {
        uint32_t h = get32(&r);
        if (h >= dim || m->index[h] >= 0)
            return fail(m, err, PL_EFORMAT, "bad model file: feature table");
        m->feat[f] = h;
        m->index[h] = (int32_t)f;
    }
    for (uint32_t f = 0; f < nf; f++)
        if (!isfinite(m->idf[f] = getf(&r)))
            return fail(m, err, PL_EFORMAT, "bad model file: idf");
    m->scale = xmalloc(L * sizeof *m->scale);
    m->bias = xmalloc(L * sizeof *m->bias);
    m->thresh = xmalloc(L * sizeof *m->thresh);
    for (uint32_t l = 0; l < L; l++)
        m->scale[l] = getf(&r);
    for (uint32_t l = 0; l < L; l++)
        m->bias[l] = getf(&r);
    for (uint32_t l = 0; l < L; l++)
        m->thresh[l] = getf(&r);
    for (uint32_t l = 0; l < L; l++)
        if (!isfinite(m->scale[l]) || !isfinite(m->bias[l]) || !isfinite(m->thresh[l]))
            return fail(m, err, PL_EFORMAT, "bad model file: weights");
    m->w = xmalloc(((size_t)nf ? nf : 1) * L);
    memcpy(m->w, r.p + r.i, (size_t)nf * L);
    *out = m;
    return 0;
}

int text_model_load(const char *path, struct text_model **out, char **err)
{
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        if (err)
            *err = xasprintf("cannot open %s: %s", path, strerror(errno));
        return errno == ENOENT ? PL_ENOTFOUND : PL_EIO;
    }
    struct buf b = BUF_INIT;
    char chunk[65536];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_add(&b, chunk, k);
    int ioerr = ferror(fp);
    fclose(fp);
    if (ioerr) {
        buf_release(&b);
        if (err)
            *err = xasprintf("cannot read %s", path);
        return PL_EIO;
    }
    char *e = NULL;
    int rc = text_model_load_mem((const unsigned char *)buf_str(&b), b.len, out, &e);
    if (rc && err)
        *err = xasprintf("%s: %s", path, e);
    free(e);
    buf_release(&b);
    return rc;
}
