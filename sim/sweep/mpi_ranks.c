/*
 * mpi_ranks.c - the MPI messages of a sweep (mpi_ranks.h); a single-process
 * stand-in when spincim is built without MPI.
 */
#include "mpi_ranks.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/base/diag.h"
#include "sim/base/error.h"

/* Set by mpirun (Open MPI), or by the PMI of MPICH / Slurm. */
static int launched_size(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"};
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return atoi(v);
    }
    return getenv("PMIX_RANK") ? 2 : 0;
}

#ifdef SCIM_HAVE_MPI
#include <mpi.h>

enum { TAG_REQUEST = 1, TAG_RUN, TAG_RESULT, TAG_BYE };

/* A result's header before its row text. */
struct result_head {
    int64_t run;
    int32_t rc;
    int32_t pad;
};

int scim_mpi_start(struct scim_mpi *m, struct scim_diag *d)
{
    *m = (struct scim_mpi){0, 0, 1, 1};
    if (!launched_size())
        return 0;
    int provided = 0;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS ||
        provided < MPI_THREAD_FUNNELED)
        return scim_diag_error(d, &(struct scim_loc){"spincim", 0, 0},
                               "MPI_Init_thread failed (threads FUNNELED)");
    MPI_Comm local;
    m->on = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &m->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &m->size);
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, m->rank, MPI_INFO_NULL, &local);
    MPI_Comm_size(local, &m->local);
    MPI_Comm_free(&local);
    return 0;
}

void scim_mpi_end(struct scim_mpi *m)
{
    if (m->on)
        MPI_Finalize();
    m->on = 0;
}

int scim_mpi_bcast(const struct scim_mpi *m, int v)
{
    if (m->on)
        MPI_Bcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return v;
}

static void decode_result(struct scim_mpi_msg *msg, const char *buf, int n)
{
    struct result_head h;
    memcpy(&h, buf, sizeof(h));
    msg->run = (long)h.run, msg->rc = h.rc;
    if (h.rc == 0 && n > (int)sizeof(h))
        msg->row = strndup(buf + sizeof(h), (size_t)n - sizeof(h));
    if (h.rc == 0 && !msg->row)
        msg->rc = SCIM_ENOMEM;
}

int scim_mpi_poll(const struct scim_mpi *m, struct scim_mpi_msg *msg)
{
    int flag = 0, n = 0;
    MPI_Status st;
    memset(msg, 0, sizeof(*msg));
    if (!m->on ||
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st) != MPI_SUCCESS || !flag)
        return 0;
    MPI_Get_count(&st, MPI_BYTE, &n);
    char *buf = malloc((size_t)n + 1);
    MPI_Recv(buf, n, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    msg->from = st.MPI_SOURCE;
    msg->kind = st.MPI_TAG == TAG_REQUEST  ? SCIM_MPI_REQUEST
                : st.MPI_TAG == TAG_RESULT ? SCIM_MPI_RESULT
                                           : SCIM_MPI_BYE;
    if (msg->kind == SCIM_MPI_RESULT && buf && n >= (int)sizeof(struct result_head))
        decode_result(msg, buf, n);
    else if (msg->kind == SCIM_MPI_RESULT)
        msg->rc = SCIM_ENOMEM;
    free(buf);
    return 1;
}

void scim_mpi_send_run(const struct scim_mpi *m, int to, long run)
{
    int64_t r = run;
    (void)m;
    MPI_Send(&r, (int)sizeof(r), MPI_BYTE, to, TAG_RUN, MPI_COMM_WORLD);
}

long scim_mpi_request(const struct scim_mpi *m)
{
    int64_t r = -1;
    (void)m;
    char none = 0;
    MPI_Send(&none, 1, MPI_BYTE, 0, TAG_REQUEST, MPI_COMM_WORLD);
    MPI_Recv(&r, (int)sizeof(r), MPI_BYTE, 0, TAG_RUN, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    return (long)r;
}

void scim_mpi_send_result(const struct scim_mpi *m, long run, int rc, const char *row)
{
    (void)m;
    size_t len = rc == 0 && row ? strlen(row) : 0;
    struct result_head h = {run, rc, 0};
    char *buf = malloc(sizeof(h) + len);
    if (!buf) {
        h.rc = SCIM_ENOMEM, len = 0;
        MPI_Send(&h, (int)sizeof(h), MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
        return;
    }
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), row ? row : "", len);
    MPI_Send(buf, (int)(sizeof(h) + len), MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
    free(buf);
}

void scim_mpi_send_bye(const struct scim_mpi *m)
{
    char none = 0;
    (void)m;
    MPI_Send(&none, 1, MPI_BYTE, 0, TAG_BYE, MPI_COMM_WORLD);
}

#else /* built without MPI: one process */

int scim_mpi_start(struct scim_mpi *m, struct scim_diag *d)
{
    *m = (struct scim_mpi){0, 0, 1, 1};
    if (launched_size() > 1)
        return scim_diag_error(d, &(struct scim_loc){"spincim", 0, 0},
                               "started by mpirun with several processes, but built without "
                               "MPI (install libopenmpi-dev and rebuild), or use --shard");
    return 0;
}

void scim_mpi_end(struct scim_mpi *m)
{
    m->on = 0;
}

int scim_mpi_bcast(const struct scim_mpi *m, int v)
{
    (void)m;
    return v;
}

int scim_mpi_poll(const struct scim_mpi *m, struct scim_mpi_msg *msg)
{
    (void)m;
    memset(msg, 0, sizeof(*msg));
    return 0;
}

void scim_mpi_send_run(const struct scim_mpi *m, int to, long run)
{
    (void)m, (void)to, (void)run;
}

long scim_mpi_request(const struct scim_mpi *m)
{
    (void)m;
    return -1;
}

void scim_mpi_send_result(const struct scim_mpi *m, long run, int rc, const char *row)
{
    (void)m, (void)run, (void)rc, (void)row;
}

void scim_mpi_send_bye(const struct scim_mpi *m)
{
    (void)m;
}

#endif
