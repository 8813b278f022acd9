/*
 * fuzz_model.c - libFuzzer harness for the model manifest loader and the
 * safetensors reader.
 *
 * Input layout: the manifest YAML, a NUL byte, then the bytes of the tensor
 * file. Both go into the scratch folder as model.yaml and model.safetensors
 * (the seed manifests say `tensors: model.safetensors`), then
 *  - scim_model_load() reads the pair (manifest checks, shape chaining, the
 *    tensor file, every tensor the layers imply);
 *  - scim_st_open() reads the tensor file on its own, so the reader is reached
 *    even when the manifest is broken; every tensor it accepts is looked up by
 *    name and copied out with its own shape (as doubles, and as int8 for I8).
 * Checked: no crash, no sanitizer report, no leak, and a failure always comes
 * with a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/base/diag.h"
#include "sim/base/error.h"
#include "fuzz_util.h"
#include "workloads/model.h"
#include "workloads/safetensors.h"

static void read_all_tensors(const char *path)
{
    struct scim_diag d;
    struct scim_safetensors st;
    scim_diag_init(&d, NULL);
    int rc = scim_st_open(&st, path, &d);
    if (rc < 0 && d.errors != 1)
        fuzz_die("scim_st_open failed (%s) with %u messages", scim_err_name(rc), d.errors);
    for (size_t i = 0; rc == 0 && i < st.n; i++) {
        const struct scim_st_tensor *t = &st.t[i];
        if (scim_st_find(&st, t->name) != t)
            fuzz_die("scim_st_find does not find tensor '%s'", t->name);
        uint64_t n = scim_st_numel(t);
        if (n * scim_st_dtype_size(t->dtype) != t->end - t->begin || t->end > st.data_len)
            fuzz_die("tensor '%s' was accepted with %llu elements in [%llu, %llu) of %zu bytes",
                     t->name, (unsigned long long)n, (unsigned long long)t->begin,
                     (unsigned long long)t->end, st.data_len);
        double *v = malloc((n ? n : 1) * sizeof(*v));
        if (!v)
            fuzz_die("out of memory");
        if (scim_st_read_f64(&st, t, t->ndim, t->shape, v, &d) != 0)
            fuzz_die("tensor '%s' does not read with its own shape", t->name);
        free(v);
        if (t->dtype == SCIM_ST_I8) {
            int8_t *w = malloc(n ? n : 1);
            if (!w)
                fuzz_die("out of memory");
            if (scim_st_read_i8(&st, t, t->ndim, t->shape, w, &d) != 0)
                fuzz_die("I8 tensor '%s' does not read as int8", t->name);
            free(w);
        }
    }
    scim_st_close(&st);
    scim_diag_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char manifest[4200], tensors[4200];
    fuzz_path(manifest, sizeof(manifest), "model.yaml");
    fuzz_path(tensors, sizeof(tensors), "model.safetensors");
    const uint8_t *nul = memchr(data, '\0', size);
    size_t mlen = nul ? (size_t)(nul - data) : size;
    fuzz_write(manifest, data, mlen);
    fuzz_write(tensors, nul ? nul + 1 : data + size, nul ? size - mlen - 1 : 0);

    struct scim_diag d;
    struct scim_model m;
    scim_diag_init(&d, NULL);
    int rc = scim_model_load(&m, manifest, &d);
    if (rc < 0 && !d.errors)
        fuzz_die("scim_model_load failed (%s) without a message", scim_err_name(rc));
    if (rc == 0) {
        if (d.errors)
            fuzz_die("scim_model_load succeeded with %u errors", d.errors);
        if (m.n_layers < 1 || !m.layers[m.n_layers - 1].weight)
            fuzz_die("scim_model_load succeeded without layers or weights");
        (void)scim_model_weight_count(&m);
    }
    scim_model_free(&m);
    scim_diag_free(&d);

    read_all_tensors(tensors);
    return 0;
}
