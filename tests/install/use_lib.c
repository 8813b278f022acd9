/*
 * use_lib.c - a program outside the tree that links the installed libspincim
 * through its public header and pkg-config, runs a config with overrides, and
 * prints what the run computed (tests/install/run_install.cmake checks it).
 *
 *   use_lib CONFIG IMAGES
 */
#include <spincim.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    char images[64];
    snprintf(images, sizeof(images), "workload.images=%s", argv[2]);
    const char *ov[] = {images, "adc.bits=6"};
    struct scim_run_opts o = {.config = argv[1], .overrides = ov, .n_overrides = 2, .threads = 2};
    struct scim_run_result r;
    struct scim_diag d;
    scim_diag_init(&d, stderr);
    int rc = scim_run(&o, &r, &d);
    if (rc == 0)
        printf("spincim %s: %d images, accuracy %.4f, energy %.6g J/image, area %.6g m2\n",
               scim_version(), r.images.n_images, r.rep.accuracy, r.rep.energy_per_image,
               r.rep.area.total);
    else
        fprintf(stderr, "use_lib: %s\n", scim_strerror(rc));
    scim_run_result_free(&r);
    scim_diag_free(&d);
    return rc == 0 ? 0 : 1;
}
