/*
 * rng.c - Philox4x32-10 (Salmon et al., SC'11) and the distributions built on it.
 */
#include "rng.h"

#include <math.h>

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

double scim_rng_normal(struct scim_rng *r)
{
    if (r->have_spare) {
        r->have_spare = 0;
        return r->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * scim_rng_uniform(r) - 1.0;
        v = 2.0 * scim_rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * log(s) / s);
    r->spare = v * f;
    r->have_spare = 1;
    return u * f;
}

int scim_rng_bernoulli(struct scim_rng *r, double p)
{
    return scim_rng_uniform(r) < p;
}

double scim_rng_normal_tail(struct scim_rng *r, double a)
{
    if (a < 1.0) {
        double z;
        do
            z = scim_rng_normal(r);
        while (fabs(z) <= a);
        return z;
    }
    /* x = sqrt(a^2 - 2 ln U1) has density x exp(-(x^2 - a^2)/2) on x > a; keeping it
     * with probability a / x leaves the density proportional to exp(-x^2 / 2). */
    double x, u2;
    do {
        x = sqrt(a * a - 2.0 * log(1.0 - scim_rng_uniform(r)));
        u2 = scim_rng_uniform(r);
    } while (u2 * x >= a);
    return scim_rng_uniform(r) < 0.5 ? -x : x;
}

double scim_rng_normal_within(struct scim_rng *r, double a)
{
    double z;
    do
        z = scim_rng_normal(r);
    while (fabs(z) > a);
    return z;
}

uint64_t scim_rng_geometric(struct scim_rng *r, double log1m_p)
{
    double k = floor(log(1.0 - scim_rng_uniform(r)) / log1m_p);
    return k < 0x1p62 ? (uint64_t)k : UINT64_MAX;
}

static double rand_uniform(void *ctx)
{
    return scim_rng_uniform(ctx);
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

uint64_t scim_stream_id(enum scim_stream_purpose purpose, uint64_t a, uint64_t b)
{
    return ((uint64_t)purpose << 56) | ((a & 0xFFFFFFFFull) << 24) | (b & 0xFFFFFFull);
}
