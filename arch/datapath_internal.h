/*
 * datapath_internal.h - what the files of the datapath share and nothing else uses
 * (the public interface is datapath.h): the kernels chosen by CPU features, the
 * integer path of a bit-serial first layer and the channel-minor reads.
 *
 *   datapath.c         the MVM over positions and planes (scim_mvm, scim_mvm_steps)
 *   datapath_kernel.c  the XNOR-popcount MVM kernel per popcount flavour, and the
 *                      choice of every kernel by CPU features
 *   datapath_int.c     the integer path of a bit-serial first layer
 *   datapath_cm.c      channel-minor windows
 *   datapath_post.c    scale, batch-norm, comparator, pooling, the next layer's input
 *   datapath_act.c     the activations (allocation, the first layer's pixels)
 *
 * A kernel with several instruction-set flavours is a function pointer private to its
 * file, set by the file's scim_dp_choose_* (SPINCIM_PORTABLE=1 forces the portable one).
 * The hot loops and their inline helpers stay within one file.
 */
#ifndef SCIM_DATAPATH_INTERNAL_H
#define SCIM_DATAPATH_INTERNAL_H

#include <stdint.h>

/* Only pointers pass through here, so the structs of datapath.h are declared, not
 * included: datapath.c includes this header, and includes must not form a circle. */
struct scim_act;
struct scim_layer_map;
struct scim_mvm_stats;
struct scim_mvm_step;

/* The digital reads of one MVM step (datapath_kernel.c). */
typedef void (*scim_dp_reads_fn)(const struct scim_mvm_step *step);

/* Choose every kernel of the datapath for this CPU; only the first call chooses. */
void scim_dp_choose_kernels(void);

/* The MVM kernel chosen for this CPU (chosen first if need be). */
scim_dp_reads_fn scim_dp_kernel(void);

/* The choices of the other files, made by scim_dp_choose_kernels (portable != 0: the
 * portable flavour whatever the CPU offers). */
void scim_dp_choose_int_conv(int portable);
void scim_dp_choose_cm_row(int portable);
void scim_dp_choose_compare_row(int portable);

/* The integer path of a bit-serial layer that cannot clip (lm->int_path). */
void scim_dp_mvm_int(const struct scim_layer_map *lm, const struct scim_act *a,
                     const uint64_t *mask, int32_t *s, struct scim_mvm_stats *st);

/* Digital reads of a channel-minor layer (lm->cm, no dropped rows). */
void scim_dp_mvm_steps_cm(const struct scim_layer_map *lm, const struct scim_act *a, int32_t *s,
                          uint64_t *scratch, struct scim_mvm_stats *st);

#endif
