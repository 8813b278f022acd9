/*
 * harness.h - minimal assertions for the unit tests: each failure prints
 * file:line and the values, then the test exits non-zero. One executable per
 * test file; CTest runs each (tests/CMakeLists.txt).
 */
#ifndef SCIM_TEST_HARNESS_H
#define SCIM_TEST_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASSERT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond);           \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

#define ASSERT_EQ(a, b)                                                                            \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_) {                                                                            \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, #b,  \
                    a_, b_);                                                                       \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

#define ASSERT_NEAR(a, b, tol)                                                                     \
    do {                                                                                           \
        double a_ = (double)(a), b_ = (double)(b), t_ = (double)(tol);                             \
        if (!(fabs(a_ - b_) <= t_)) {                                                              \
            fprintf(stderr, "%s:%d: |%s - %s| <= %g failed: %.17g vs %.17g\n", __FILE__,          \
                    __LINE__, #a, #b, t_, a_, b_);                                                 \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

#define ASSERT_STR_CONTAINS(hay, needle)                                                           \
    do {                                                                                           \
        const char *h_ = (hay), *n_ = (needle);                                                    \
        if (!h_ || !strstr(h_, n_)) {                                                              \
            fprintf(stderr, "%s:%d: '%s' not found in:\n%s\n", __FILE__, __LINE__, n_,             \
                    h_ ? h_ : "(null)");                                                           \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

#define ASSERT_STR_EQ(a, b)                                                                        \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_)) {                                                        \
            fprintf(stderr, "%s:%d: %s == %s failed: '%s' != '%s'\n", __FILE__, __LINE__, #a, #b,  \
                    a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                       \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

#endif
