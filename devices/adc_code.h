/*
 * adc_code.h - what the built-in ADCs share: the code of an input of x LSBs,
 * rounded to the nearest level and clipped to [0, max].
 */
#ifndef SCIM_ADC_CODE_H
#define SCIM_ADC_CODE_H

#include <math.h>
#include <stdint.h>

static inline uint32_t scim_adc_code(double x, double max)
{
    double r = floor(x + 0.5);
    if (!(r > 0.0))
        return 0;
    return (uint32_t)(r > max ? max : r);
}

#endif
