/*
 * rng.h - counter-based random numbers (Philox4x32-10), reproducible from a seed.
 *
 * Every random draw of a run comes from a stream named by (seed, stream id),
 * where the stream id encodes what is being drawn for (chip, image, Monte
 * Carlo pass, purpose). A stream's values do not depend on which thread draws
 * them or in which order images finish, so results are identical for any
 * thread count.
 */
#ifndef SCIM_RNG_H
#define SCIM_RNG_H

#include <stdint.h>

#include "devices/scim_device.h"

struct scim_rng {
    uint32_t key[2];  /* from the seed */
    uint32_t ctr[4];  /* ctr[2..3] = stream id, ctr[0..1] = block counter */
    uint32_t out[4];  /* current output block */
    int avail;        /* unused words left in out */
    int have_spare;   /* a second normal deviate is cached */
    double spare;     /* the cached normal deviate */
};

/* Start stream `stream` of seed `seed`. */
void scim_rng_init(struct scim_rng *r, uint64_t seed, uint64_t stream);
/* Start sub-stream `sub` of a stream: the block counter starts at sub * 2^32, so each
 * sub-stream has 2^32 blocks (2^34 32-bit draws) before it would reach the next. */
void scim_rng_init_sub(struct scim_rng *r, uint64_t seed, uint64_t stream, uint32_t sub);
/* The first word of the next block, with the block's other words kept for the next
 * draws (scim_rng_u32's slow path). */
uint32_t scim_rng_refill(struct scim_rng *r);
static inline uint32_t scim_rng_u32(struct scim_rng *r)
{
    return r->avail ? r->out[4 - r->avail--] : scim_rng_refill(r);
}
uint64_t scim_rng_u64(struct scim_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double scim_rng_uniform(struct scim_rng *r);
/* Standard normal (Marsaglia polar method). */
double scim_rng_normal(struct scim_rng *r);
/* Bernoulli(p): 1 with probability p. */
int scim_rng_bernoulli(struct scim_rng *r, double p);
/* Standard normal conditioned on |Z| > a (a >= 0): rejection from the normal for a < 1,
 * Marsaglia's tail method beyond; exact. */
double scim_rng_normal_tail(struct scim_rng *r, double a);
/* The same from any random source (scim_rng_normal_tail is this on scim_rng_rand). */
double scim_rand_normal_tail(const struct scim_rand *r, double a);
/* Standard normal conditioned on |Z| <= a (a > 0), by rejection; exact. */
double scim_rng_normal_within(struct scim_rng *r, double a);
/* Failures before the first success of independent Bernoulli(p) trials, given
 * log1m_p = log(1 - p) < 0 (inversion of the geometric law); UINT64_MAX when past 2^62. */
uint64_t scim_rng_geometric(struct scim_rng *r, double log1m_p);
/* A struct scim_rand view of r, for device models. */
struct scim_rand scim_rng_rand(struct scim_rng *r);

/*
 * A buffered stream for hot loops: exactly the words of struct scim_rng on the same
 * (seed, stream, sub), in the same order, computed SCIM_RNG_BATCH_BLOCKS blocks at a
 * time (16 Philox lanes in AVX-512 registers where the CPU has them; SPINCIM_PORTABLE=1
 * forces the scalar rounds; the words are the same either way).
 */
#define SCIM_RNG_BATCH_BLOCKS 16
struct scim_rng_batch {
    uint32_t key[2];                         /* from the seed */
    uint32_t ctr[4];                         /* counter of the next block to compute */
    uint32_t w[4 * SCIM_RNG_BATCH_BLOCKS];   /* computed words */
    int at;                                  /* next unused word of w */
};
void scim_rng_batch_init(struct scim_rng_batch *b, uint64_t seed, uint64_t stream, uint32_t sub);
void scim_rng_batch_refill(struct scim_rng_batch *b);
/* A struct scim_rand view of b (normals by the polar method, one of each pair). */
struct scim_rand scim_rng_batch_rand(struct scim_rng_batch *b);
static inline uint32_t scim_rng_batch_u32(struct scim_rng_batch *b)
{
    if (b->at == 4 * SCIM_RNG_BATCH_BLOCKS)
        scim_rng_batch_refill(b);
    return b->w[b->at++];
}
/* Uniform in [0, 1) with 53 random bits: scim_rng_uniform's value. */
static inline double scim_rng_batch_uniform(struct scim_rng_batch *b)
{
    uint64_t hi = scim_rng_batch_u32(b);
    return (double)(((hi << 32) | scim_rng_batch_u32(b)) >> 11) * 0x1.0p-53;
}

/* scim_rng_geometric on a buffered stream. */
uint64_t scim_rng_batch_geometric(struct scim_rng_batch *b, double log1m_p);

/*
 * Geometric gaps by table inversion, for a success probability too large for the
 * logarithm to pay: the CDF F(k) = 1 - (1 - p)^(k + 1) for k < SCIM_GEOM_K, a guide
 * table indexed by the uniform's top bits, and past the table the memoryless property
 * (a gap of at least K is K plus a fresh gap). The same inversion k = min{k : F(k) > u}
 * as scim_rng_geometric, without its log.
 */
#define SCIM_GEOM_K 128
#define SCIM_GEOM_GUIDE 256
struct scim_geom {
    double cdf[SCIM_GEOM_K];           /* F(k) */
    uint8_t guide[SCIM_GEOM_GUIDE];    /* smallest k with F(k) > i / SCIM_GEOM_GUIDE */
};
/* Tables for success probability p, 0 < p < 1. */
void scim_geom_init(struct scim_geom *g, double p);
/* Failures before the first success. */
uint64_t scim_geom_draw(const struct scim_geom *g, struct scim_rng_batch *b);

/* Stream ids: a purpose in the top byte, then up to three indices. */
enum scim_stream_purpose {
    SCIM_STREAM_DROPOUT = 1,
    SCIM_STREAM_CHIP = 2,
    SCIM_STREAM_TEST = 3,
    SCIM_STREAM_FAULT = 4,
    SCIM_STREAM_VARIATION = 5, /* device-to-device conductances: (chip, layer) */
    SCIM_STREAM_READ = 6,      /* cycle-to-cycle read noise: (image, chip), sub (pass, layer) */
    SCIM_STREAM_TESTVEC = 7, /* samples of the Bayesian test vector: (chip, sample) */
    SCIM_STREAM_WEIGHTS = 8, /* a model's random weights (workloads/model_random.c): (layer, what) */
    SCIM_STREAM_SHIFT = 0x53
};
uint64_t scim_stream_id(enum scim_stream_purpose purpose, uint64_t a, uint64_t b);

#endif
