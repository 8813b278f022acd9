/*
 * units.h - physical values with units, as written in configs and printed in reports.
 *
 * A dimensioned config value carries its unit with an optional SI prefix:
 * "10ns", "331kohm", "0.65pJ", "1GHz", "80uA", "0.16um2", "300K", "100F2",
 * "650ohm*um2". Space between number and unit is allowed ("5 kohm"). Prefixes:
 * a f p n u (or µ) m k M G T. For squared units the prefix is squared too
 * ("um2" = 1e-12 m2). Values are stored in SI base units as double.
 */
#ifndef SCIM_UNITS_H
#define SCIM_UNITS_H

#include <stddef.h>

#include "devices/scim_device.h"

/* SI symbol of a dimension ("s", "ohm", "m2", "F2", "" for none). */
const char *scim_dim_symbol(enum scim_dim dim);
/* Name of a dimension for messages ("a time", "a resistance"). */
const char *scim_dim_name(enum scim_dim dim);

/*
 * Parse text as a value of dimension dim into *out (SI).
 * Dimensionless values are bare numbers, or percentages ("5%" = 0.05).
 * Returns 0, SCIM_EUNIT (bare number for a dimensioned key, or a unit of
 * another dimension) or SCIM_EINVAL (not a number); on error a one-line
 * message is written to msg, e.g. "expected a time in s (e.g. '10ns'), got '10'".
 */
int scim_unit_parse(const char *text, enum scim_dim dim, double *out, char *msg, size_t msg_len);

/* Parse text whose dimension follows from its unit ("10ns": a time; "5", "5%": none)
 * into *out (SI) and *dim. Returns 0 or < 0 with a one-line message in msg. */
int scim_unit_parse_any(const char *text, double *out, enum scim_dim *dim, char *msg,
                        size_t msg_len);

/*
 * Format v (SI) with the unit of dim and an engineering prefix chosen so the
 * mantissa lies in [1, 1000): 6.5e-13 J -> "650fJ" (digits = significant
 * digits, e.g. 4; trailing zeros dropped). Returns buf. Exact zero prints as
 * "0" + unit. Areas use the largest of m2, mm2, um2, nm2 that gives a mantissa
 * in [0.001, 1000) (4.01e-7 -> "0.401mm2"); resistance-area products print in
 * ohm*um2 ("650ohm*um2"); temperatures, F2 and dimensionless values take no
 * prefix ("%g" style). Values outside the prefix range (below 1e-18, or from
 * 1e15 on) print as "%g" + base unit ("1e-20s"). Non-finite values print as
 * "nan"/"inf" + unit.
 */
char *scim_unit_format(double v, enum scim_dim dim, int digits, char *buf, size_t len);

/*
 * Format v (SI) so that scim_unit_parse() gives back exactly v (same bits): the
 * shortest scim_unit_format() text (1 to 17 significant digits) that reads back
 * exactly, so 6.5e-13 J prints as "650fJ" and 0.1 + 0.2 V as
 * "300.00000000000004mV"; "%.17g" plus the base unit if none does. Used for
 * resolved.yaml. Non-finite values cannot round-trip (the parser refuses them).
 */
char *scim_unit_format_exact(double v, enum scim_dim dim, char *buf, size_t len);

#endif
