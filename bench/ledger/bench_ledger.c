/* bench_ledger.c — throughput of the ledger core at a million leaves.
 *
 *   meson setup build-rel --buildtype=release && ninja -C build-rel bench_ledger
 *   ./build-rel/bench_ledger [leaves=1000000]
 *
 * Prints one line per measurement; figures go to docs/benchmarks.md. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "base/buf.h"
#include "ledger/ledger.h"
#include "model/model.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(uint64_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state % n;
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

static void report(const char *what, double secs, uint64_t ops)
{
    printf("%-44s %10.0f ops/s  %9.3f us/op  (%" PRIu64 " ops, %.3f s)\n", what,
           (double)ops / secs, secs * 1e6 / (double)ops, ops, secs);
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    const uint64_t q = 100000;        /* queries per proof measurement */
    if (n < 2 || sodium_init() < 0)
        return 1;
    printf("ledger benchmark: %" PRIu64 " leaves\n", n);

    /* Canonical encoding + leaf hash of a typical inbound-message event. */
    struct event e = { 0 };
    e.type = (char *)"message.inbound";
    e.actor_kind = ACTOR_CUSTOMER;
    e.actor_id = 1234;
    e.ticket_id = 5678;
    e.customer_id = 1234;
    e.message_id = 91011;
    e.after = (char *)"{\"channel\":\"email\",\"subject\":\"Order 12345 never arrived\","
                      "\"body\":\"Hello, I ordered a kettle two weeks ago and it still has not "
                      "arrived. The tracking page says nothing. Please refund or resend.\"}";
    e.created_at = 1763800000000;
    uint8_t (*leaves)[LEDGER_HASH_LEN] = malloc((size_t)n * LEDGER_HASH_LEN);
    if (!leaves)
        return 1;
    uint64_t ne = n < 1000000 ? n : 1000000;
    double t0 = now();
    for (uint64_t i = 0; i < ne; i++) {
        e.id = (int64_t)i + 1;
        ledger_event_leaf_hash(&e, leaves[i]);
    }
    report("event encode + leaf hash (~270 B event)", now() - t0, ne);
    for (uint64_t i = ne; i < n; i++)
        ledger_leaf_hash(&i, sizeof i, leaves[i]);

    /* Append = rebuild at start: feed leaf hashes in order. */
    long rss0 = rss_kb();
    struct ledger_tree *t = ledger_tree_new();
    t0 = now();
    for (uint64_t i = 0; i < n; i++)
        ledger_tree_append(t, leaves[i]);
    double ta = now() - t0;
    report("tree append (rebuild from leaf hashes)", ta, n);
    printf("%-44s %10.1f MB\n", "tree memory (RSS growth)", (double)(rss_kb() - rss0) / 1024.0);

    uint8_t root[LEDGER_HASH_LEN], proof[LEDGER_MAX_PROOF][LEDGER_HASH_LEN];
    size_t np;
    t0 = now();
    for (uint64_t i = 0; i < q; i++)
        ledger_tree_root(t, n - rnd(n / 2), root);
    report("root at a random size in [n/2, n]", now() - t0, q);
    ledger_tree_root(t, n, root);

    /* Inclusion proofs at full size. */
    uint64_t *idx = malloc(q * sizeof *idx);
    for (uint64_t i = 0; i < q; i++)
        idx[i] = rnd(n);
    t0 = now();
    for (uint64_t i = 0; i < q; i++)
        ledger_tree_inclusion_proof(t, idx[i], n, proof, &np);
    report("inclusion proof generation", now() - t0, q);
    int bad = 0;
    t0 = now();
    for (uint64_t i = 0; i < q; i++) {
        ledger_tree_inclusion_proof(t, idx[i], n, proof, &np);
        bad |= ledger_verify_inclusion(leaves[idx[i]], idx[i], n,
                                       (const uint8_t(*)[LEDGER_HASH_LEN])proof, np, root);
    }
    double tiv = now() - t0;
    printf("  (proof length %zu hashes)\n", np);
    report("inclusion proof generation + verification", tiv, q);

    /* Consistency proofs between a random earlier size and n. */
    struct ledger_frontier f;
    uint64_t m = n / 3 + 17;
    ledger_frontier_init(&f);
    for (uint64_t i = 0; i < m; i++)
        ledger_frontier_push(&f, leaves[i]);
    uint8_t root1[LEDGER_HASH_LEN];
    ledger_frontier_root(&f, root1);
    t0 = now();
    for (uint64_t i = 0; i < q; i++)
        ledger_tree_consistency_proof(t, 1 + rnd(n - 1), n, proof, &np);
    report("consistency proof generation (random m)", now() - t0, q);
    t0 = now();
    for (uint64_t i = 0; i < q; i++) {
        ledger_tree_consistency_proof(t, m, n, proof, &np);
        bad |= ledger_verify_consistency(m, root1, n, root,
                                         (const uint8_t(*)[LEDGER_HASH_LEN])proof, np);
    }
    printf("  (proof length %zu hashes)\n", np);
    report("consistency proof generation + verification", now() - t0, q);

    /* Audit-style streaming root over all leaves (what `parley verify` does). */
    ledger_frontier_init(&f);
    t0 = now();
    for (uint64_t i = 0; i < n; i++)
        ledger_frontier_push(&f, leaves[i]);
    report("streaming root (frontier push)", now() - t0, n);

    /* Checkpoints and receipts. */
    char *sk, *vk, *note = NULL;
    struct ledger_signer *s;
    struct ledger_verifier *v;
    ledger_key_generate("bench.parley/log", &sk, &vk);
    ledger_signer_parse(sk, &s);
    ledger_verifier_parse(vk, &v);
    const uint64_t qs = 20000;
    t0 = now();
    for (uint64_t i = 0; i < qs; i++) {
        free(note);
        ledger_checkpoint_sign("bench.parley/log", n, root, s, &note);
    }
    report("checkpoint sign", now() - t0, qs);
    t0 = now();
    for (uint64_t i = 0; i < qs; i++) {
        struct ledger_checkpoint c;
        bad |= ledger_checkpoint_open(note, strlen(note), v, NULL, &c);
        ledger_checkpoint_clear(&c);
    }
    report("checkpoint parse + verify", now() - t0, qs);
    struct buf ev = BUF_INIT;
    e.id = 1;
    ledger_event_encode(&e, &ev);
    char *json = NULL;
    t0 = now();
    for (uint64_t i = 0; i < qs; i++) {
        struct ledger_receipt r;
        free(json);
        bad |= ledger_receipt_build(t, 0, note, ev.ptr, ev.len, &r);
        bad |= ledger_receipt_encode(&r, &json);
        ledger_receipt_clear(&r);
    }
    report("receipt build + encode", now() - t0, qs);
    t0 = now();
    for (uint64_t i = 0; i < qs; i++)
        bad |= ledger_receipt_verify_text(json, strlen(json), vk, NULL);
    report("receipt parse + verify (offline)", now() - t0, qs);
    printf("receipt size: %zu bytes\n", strlen(json));

    if (bad)
        fprintf(stderr, "bench_ledger: a verification FAILED\n");
    free(json);
    buf_release(&ev);
    free(note);
    ledger_signer_free(s);
    ledger_verifier_free(v);
    free(sk);
    free(vk);
    free(idx);
    ledger_tree_free(t);
    free(leaves);
    return bad ? 1 : 0;
}
