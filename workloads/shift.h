/*
 * shift.h - shifted and out-of-distribution input sets derived from a base dataset.
 *
 * The uncertainty experiments of the papers feed a trained model inputs it has
 * not seen: pure noise images (Gaussian x ~ N(0, 1), uniform x ~ U(0, 1)), the
 * test images with additive Gaussian or uniform noise of growing strength, and
 * the test images rotated in 7-degree steps. This module builds such a set from
 * a base dataset, described by one spec string:
 *
 *   gaussian            every value u ~ N(0, 1)
 *   uniform             every value u ~ U(0, 1) (the paper's definition)
 *   uniform:A:B         every value u ~ U(A, B), e.g. uniform:-1:1; A <= B, both in [-10, 10]
 *   gaussian-noise:S    base image + N(0, S^2) noise; S in [0, 10], a number or a
 *                       percentage ("50%" = 0.5)
 *   uniform-noise:S     base image + U(-S, S) noise; S as above
 *   rotate:DEG          base image rotated by DEG degrees counter-clockwise about
 *                       the image centre, DEG in [-360, 360]; bilinear
 *                       interpolation, pixel 0 outside the base image
 *   dataset:NAME        another dataset (see below)
 *
 * Values live in the normalized domain the models see, u = (2*pixel - 255) / 255
 * in [-1, 1]; a value is converted back to a pixel with 127.5 * (u + 1), clamped
 * to [0, 255] and rounded to the nearest integer (so a clamped N(0, 1) value
 * becomes pixel 0 or 255). Noise is added to the base pixel as 127.5 * noise,
 * so strength 0 gives back the base image exactly; rotations by a multiple of
 * 90 degrees use exact sines and cosines, so rotate:0 and rotate:360 give back
 * the base image exactly and rotate:90 moves every pixel of an even-sized image
 * onto a pixel.
 *
 * Labels are the base labels, also for the pure-noise sets where they mean
 * nothing (they keep the shape of a dataset). Random values come from the
 * counter-based generator of sim/rng.h, one stream per (seed, image index), so
 * image i of a set is the same whatever n is and whichever other images are
 * built. All kinds share the stream of an image: with the same seed,
 * gaussian-noise:0.1 and gaussian-noise:0.5 add the same noise pattern at two
 * strengths, which makes a strength sweep smooth.
 *
 * `dataset:NAME` is accepted by scim_shift_check() (so a config may name it)
 * but scim_shift_make() refuses it with SCIM_EINVAL: loading another dataset is
 * the caller's job (scim_dataset_load() from workloads/dataset.h).
 */
#ifndef SCIM_SHIFT_H
#define SCIM_SHIFT_H

#include <stddef.h>
#include <stdint.h>

#include "sim/base/diag.h"
#include "dataset.h"

/* The papers' rotation sweep: SCIM_SHIFT_ROTATION_STEPS steps of SCIM_SHIFT_ROTATION_DEG. */
#define SCIM_SHIFT_ROTATION_STEPS 12
#define SCIM_SHIFT_ROTATION_DEG 7
/* Room for one spec of the rotation series ("rotate:84" and its NUL). */
#define SCIM_SHIFT_SPEC_LEN 32

/*
 * Build the input set described by spec from images [0, n) of base,
 * reproducibly from seed. out gets name = spec (owned copy), base's shape and
 * classes, n images and n labels; free it with scim_dataset_free(). Returns 0,
 * or SCIM_EINVAL / SCIM_ERANGE for a bad spec, a `dataset:NAME` spec or n
 * outside [0, base->n], SCIM_ENOMEM; every error is one message in d (d may
 * be NULL), prefixed with the base dataset's name and naming the spec. On
 * error out is empty.
 */
int scim_shift_make(struct scim_dataset *out, const struct scim_dataset *base, const char *spec,
                    int n, uint64_t seed, struct scim_diag *d);

/*
 * Check spec without building anything (for config validation). Returns 0
 * (also for `dataset:NAME`), or SCIM_EINVAL / SCIM_ERANGE with a one-line
 * message naming the spec in msg (msg may be NULL).
 */
int scim_shift_check(const char *spec, char *msg, size_t msg_len);

/*
 * The papers' rotation sweep: "rotate:7", "rotate:14", ..., "rotate:84".
 * Writes the first min(max, SCIM_SHIFT_ROTATION_STEPS) specs and returns how
 * many it wrote, or SCIM_EINVAL for max < 0 or specs NULL with max > 0.
 */
int scim_shift_rotation_series(char specs[][SCIM_SHIFT_SPEC_LEN], int max);

#endif
