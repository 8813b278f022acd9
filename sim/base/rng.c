/*
 * rng.c - Philox4x32-10 (Salmon et al., SC'11) and the distributions built on it.
 */
#include "rng.h"

#include <immintrin.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

static void philox_round(uint32_t c[4], const uint32_t k[2])
{
    uint64_t p0 = (uint64_t)PHILOX_M0 * c[0];
    uint64_t p1 = (uint64_t)PHILOX_M1 * c[2];
    uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
    uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    uint32_t n0 = hi1 ^ c[1] ^ k[0];
    uint32_t n2 = hi0 ^ c[3] ^ k[1];
    c[0] = n0;
    c[1] = lo1;
    c[2] = n2;
    c[3] = lo0;
}

static void philox10(const uint32_t in[4], const uint32_t key[2], uint32_t out[4])
{
    uint32_t c[4] = {in[0], in[1], in[2], in[3]};
    uint32_t k[2] = {key[0], key[1]};
    for (int i = 0; i < 10; i++) {
        philox_round(c, k);
        k[0] += PHILOX_W0;
        k[1] += PHILOX_W1;
    }
    for (int i = 0; i < 4; i++)
        out[i] = c[i];
}

void scim_rng_init(struct scim_rng *r, uint64_t seed, uint64_t stream)
{
    r->key[0] = (uint32_t)seed;
    r->key[1] = (uint32_t)(seed >> 32);
    r->ctr[0] = r->ctr[1] = 0;
    r->ctr[2] = (uint32_t)stream;
    r->ctr[3] = (uint32_t)(stream >> 32);
    r->avail = 0;
    r->have_spare = 0;
    r->spare = 0.0;
}

void scim_rng_init_sub(struct scim_rng *r, uint64_t seed, uint64_t stream, uint32_t sub)
{
    scim_rng_init(r, seed, stream);
    r->ctr[1] = sub;
}

uint32_t scim_rng_refill(struct scim_rng *r)
{
    philox10(r->ctr, r->key, r->out);
    if (++r->ctr[0] == 0)
        ++r->ctr[1];
    r->avail = 3;
    return r->out[0];
}

uint64_t scim_rng_u64(struct scim_rng *r)
{
    uint64_t hi = scim_rng_u32(r);
    return (hi << 32) | scim_rng_u32(r);
}

double scim_rng_uniform(struct scim_rng *r)
{
    return (double)(scim_rng_u64(r) >> 11) * 0x1.0p-53;
}

/* Marsaglia's polar method on any uniform source: a pair of independent normals. */
static double polar(double (*uniform)(void *), void *ctx, double *second)
{
    double u, v, s;
    do {
        u = 2.0 * uniform(ctx) - 1.0;
        v = 2.0 * uniform(ctx) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * log(s) / s);
    *second = v * f;
    return u * f;
}

static double rand_uniform(void *ctx)
{
    return scim_rng_uniform(ctx);
}

double scim_rng_normal(struct scim_rng *r)
{
    if (r->have_spare) {
        r->have_spare = 0;
        return r->spare;
    }
    r->have_spare = 1;
    return polar(rand_uniform, r, &r->spare);
}

int scim_rng_bernoulli(struct scim_rng *r, double p)
{
    return scim_rng_uniform(r) < p;
}

double scim_rand_normal_tail(const struct scim_rand *r, double a)
{
    if (a < 1.0) {
        double z;
        do
            z = r->normal(r->ctx);
        while (fabs(z) <= a);
        return z;
    }
    /* x = sqrt(a^2 - 2 ln U1) has density x exp(-(x^2 - a^2)/2) on x > a; keeping it
     * with probability a / x leaves the density proportional to exp(-x^2 / 2). */
    double x, u2;
    do {
        x = sqrt(a * a - 2.0 * log(1.0 - r->uniform(r->ctx)));
        u2 = r->uniform(r->ctx);
    } while (u2 * x >= a);
    return r->uniform(r->ctx) < 0.5 ? -x : x;
}

double scim_rng_normal_tail(struct scim_rng *r, double a)
{
    struct scim_rand rnd = scim_rng_rand(r);
    return scim_rand_normal_tail(&rnd, a);
}

double scim_rng_normal_within(struct scim_rng *r, double a)
{
    double z;
    do
        z = scim_rng_normal(r);
    while (fabs(z) > a);
    return z;
}

/* The geometric gap of uniform u by inversion: floor(ln(1 - u) / ln(1 - p)). */
static uint64_t geometric_of(double u, double log1m_p)
{
    double k = floor(log(1.0 - u) / log1m_p);
    return k < 0x1p62 ? (uint64_t)k : UINT64_MAX;
}

uint64_t scim_rng_geometric(struct scim_rng *r, double log1m_p)
{
    return geometric_of(scim_rng_uniform(r), log1m_p);
}

/* ---- buffered streams ---- */

#define BATCH SCIM_RNG_BATCH_BLOCKS

/* Blocks ctr, ctr + 1, ... (carry from word 0 into word 1) one at a time. */
static void batch_scalar(struct scim_rng_batch *b)
{
    for (int i = 0; i < BATCH; i++) {
        philox10(b->ctr, b->key, b->w + 4 * i);
        if (++b->ctr[0] == 0)
            ++b->ctr[1];
    }
}

/* The high and low halves of the 32 x 32-bit products a * m of 16 lanes. */
__attribute__((target("avx512f"))) static inline void mul_hilo(__m512i a, __m512i m, __m512i *hi,
                                                              __m512i *lo)
{
    __m512i pe = _mm512_mul_epu32(a, m), po = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m);
    *lo = _mm512_mask_blend_epi32(0xAAAA, pe, _mm512_slli_epi64(po, 32));
    *hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(pe, 32), po);
}

/* 16 blocks in the lanes of four vectors (word q of block i in lane i of c[q]); the
 * counters must not carry within the batch. */
__attribute__((target("avx512f"))) static void batch_v512(struct scim_rng_batch *b)
{
    __m512i c0 = _mm512_add_epi32(_mm512_set1_epi32((int)b->ctr[0]),
                                  _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
                                                    14, 15));
    __m512i c1 = _mm512_set1_epi32((int)b->ctr[1]), c2 = _mm512_set1_epi32((int)b->ctr[2]);
    __m512i c3 = _mm512_set1_epi32((int)b->ctr[3]);
    __m512i m0 = _mm512_set1_epi32((int)PHILOX_M0), m1 = _mm512_set1_epi32((int)PHILOX_M1);
    uint32_t k0 = b->key[0], k1 = b->key[1];
    for (int r = 0; r < 10; r++, k0 += PHILOX_W0, k1 += PHILOX_W1) {
        __m512i hi0, lo0, hi1, lo1;
        mul_hilo(c0, m0, &hi0, &lo0);
        mul_hilo(c2, m1, &hi1, &lo1);
        c0 = _mm512_xor_si512(_mm512_xor_si512(hi1, c1), _mm512_set1_epi32((int)k0));
        c2 = _mm512_xor_si512(_mm512_xor_si512(hi0, c3), _mm512_set1_epi32((int)k1));
        c1 = lo1, c3 = lo0;
    }
    uint32_t q[4][BATCH];
    _mm512_storeu_si512(q[0], c0), _mm512_storeu_si512(q[1], c1);
    _mm512_storeu_si512(q[2], c2), _mm512_storeu_si512(q[3], c3);
    for (int i = 0; i < BATCH; i++)
        for (int w = 0; w < 4; w++)
            b->w[4 * i + w] = q[w][i];
    if ((b->ctr[0] += BATCH) < BATCH)
        ++b->ctr[1];
}

static void (*batch_fill)(struct scim_rng_batch *);
static pthread_once_t batch_once = PTHREAD_ONCE_INIT;

static void batch_choose(void)
{
    const char *force = getenv("SPINCIM_PORTABLE");
    __builtin_cpu_init();
    int portable = force && *force && strcmp(force, "0");
    batch_fill = !portable && __builtin_cpu_supports("avx512f") ? batch_v512 : batch_scalar;
}

void scim_rng_batch_init(struct scim_rng_batch *b, uint64_t seed, uint64_t stream, uint32_t sub)
{
    struct scim_rng r;
    scim_rng_init_sub(&r, seed, stream, sub);
    memcpy(b->key, r.key, sizeof(b->key));
    memcpy(b->ctr, r.ctr, sizeof(b->ctr));
    b->at = 4 * BATCH;
    pthread_once(&batch_once, batch_choose);
}

void scim_rng_batch_refill(struct scim_rng_batch *b)
{
    if (b->ctr[0] > UINT32_MAX - (BATCH - 1)) /* the counter carries within the batch */
        batch_scalar(b);
    else
        batch_fill(b);
    b->at = 0;
}

void scim_geom_init(struct scim_geom *g, double p)
{
    double l = log1p(-p);
    for (int k = 0; k < SCIM_GEOM_K; k++)
        g->cdf[k] = -expm1((k + 1) * l);
    for (int i = 0, k = 0; i < SCIM_GEOM_GUIDE; i++) {
        while (k < SCIM_GEOM_K && g->cdf[k] <= (double)i / SCIM_GEOM_GUIDE)
            k++;
        g->guide[i] = (uint8_t)k;
    }
}

uint64_t scim_rng_batch_geometric(struct scim_rng_batch *b, double log1m_p)
{
    return geometric_of(scim_rng_batch_uniform(b), log1m_p);
}

uint64_t scim_geom_draw(const struct scim_geom *g, struct scim_rng_batch *b)
{
    for (uint64_t base = 0;; base += SCIM_GEOM_K) {
        double u = scim_rng_batch_uniform(b);
        int k = g->guide[(int)(u * SCIM_GEOM_GUIDE)];
        while (k < SCIM_GEOM_K && u >= g->cdf[k])
            k++;
        if (k < SCIM_GEOM_K)
            return base + (uint64_t)k;
    }
}

static double rand_normal(void *ctx)
{
    return scim_rng_normal(ctx);
}

struct scim_rand scim_rng_rand(struct scim_rng *r)
{
    struct scim_rand rnd = {r, rand_uniform, rand_normal};
    return rnd;
}

static double batch_uniform(void *ctx)
{
    return scim_rng_batch_uniform(ctx);
}

/* One deviate of each pair (the view keeps no state). */
static double batch_normal(void *ctx)
{
    double unused;
    return polar(batch_uniform, ctx, &unused);
}

struct scim_rand scim_rng_batch_rand(struct scim_rng_batch *b)
{
    struct scim_rand rnd = {b, batch_uniform, batch_normal};
    return rnd;
}

uint64_t scim_stream_id(enum scim_stream_purpose purpose, uint64_t a, uint64_t b)
{
    return ((uint64_t)purpose << 56) | ((a & 0xFFFFFFFFull) << 24) | (b & 0xFFFFFFull);
}
