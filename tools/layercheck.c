/*
 * layercheck.c - the build's guard of spincim's layers: every #include "..." of
 * the project's C/C++ sources must name a header of the file's own layer or of
 * a layer it is allowed to use, and the includes between files must not form a
 * circle. The build runs it before compiling any layer (CMakeLists.txt), so an
 * upward include fails the build with the file and line that made it.
 *
 *   layercheck ROOT STAMP LAYER...
 *   LAYER = name=path[,path...][:allowed[,allowed...]]
 *
 * A path is a folder (its files, not those of its sub-folders that are named by
 * another layer) or a single file, relative to ROOT; the longest matching path
 * decides a file's layer. An allowed entry is a layer name or a single header
 * (e.g. base may include devices/scim_device.h and nothing else of devices).
 * On success STAMP is written (the build's proof that the check ran).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_LAYERS 32
#define MAX_PATHS 16
#define MAX_FILES 4096
#define PATH_LEN 512

struct layer {
    char name[64];
    char path[MAX_PATHS][PATH_LEN];
    int n_path;
    char allowed[MAX_PATHS * 2][PATH_LEN];
    int n_allowed;
};

struct file {
    char path[PATH_LEN]; /* relative to the root */
    int layer;
    int inc[64]; /* indices of the project files it includes */
    int n_inc;
    int node;    /* its module: the first file of the same folder and stem (x.c, x.h) */
    int color;   /* DFS over modules: 0 new, 1 on the stack, 2 done */
};

static struct layer layers[MAX_LAYERS];
static int n_layers;
static struct file *files;
static int n_files;
static const char *root;
static int failures;

static void split(char *s, char sep, char out[][PATH_LEN], int *n, int max)
{
    for (char *tok = strtok(s, (char[]){sep, 0}); tok && *n < max; tok = strtok(NULL, (char[]){sep, 0}))
        snprintf(out[(*n)++], PATH_LEN, "%s", tok);
}

static int parse_layer(const char *arg)
{
    struct layer *l = &layers[n_layers];
    char buf[4096], *eq, *colon;
    snprintf(buf, sizeof(buf), "%s", arg);
    if (n_layers == MAX_LAYERS || !(eq = strchr(buf, '=')))
        return -1;
    *eq = '\0';
    snprintf(l->name, sizeof(l->name), "%s", buf);
    colon = strchr(eq + 1, ':');
    if (colon)
        *colon++ = '\0';
    char paths[4096], allowed[4096] = "";
    snprintf(paths, sizeof(paths), "%s", eq + 1);
    if (colon)
        snprintf(allowed, sizeof(allowed), "%s", colon);
    split(paths, ',', l->path, &l->n_path, MAX_PATHS);
    split(allowed, ',', l->allowed, &l->n_allowed, MAX_PATHS * 2);
    n_layers++;
    return l->n_path ? 0 : -1;
}

/* Length of path p if it covers file f (a folder holding f directly or below, or f itself). */
static size_t covers(const char *p, const char *f)
{
    size_t n = strlen(p);
    if (!strcmp(p, f))
        return n + 1;
    return strncmp(p, f, n) == 0 && f[n] == '/' ? n : 0;
}

static int layer_of(const char *f)
{
    int best = -1;
    size_t best_len = 0;
    for (int i = 0; i < n_layers; i++)
        for (int k = 0; k < layers[i].n_path; k++) {
            size_t c = covers(layers[i].path[k], f);
            if (c > best_len)
                best = i, best_len = c;
        }
    return best;
}

static int is_source(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (!strcmp(dot, ".c") || !strcmp(dot, ".h") || !strcmp(dot, ".cpp") ||
                   !strcmp(dot, ".def"));
}

static int find_file(const char *p)
{
    for (int i = 0; i < n_files; i++)
        if (!strcmp(files[i].path, p))
            return i;
    return -1;
}

static void add_dir(const char *rel)
{
    char abs[PATH_LEN * 2];
    snprintf(abs, sizeof(abs), "%s/%s", root, rel);
    DIR *d = opendir(abs);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));) {
        char p[PATH_LEN], full[PATH_LEN * 2];
        struct stat st;
        if (e->d_name[0] == '.' || (size_t)snprintf(p, sizeof(p), "%s/%s", rel, e->d_name) >= sizeof(p))
            continue;
        snprintf(full, sizeof(full), "%s/%s", root, p);
        if (stat(full, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            add_dir(p);
        else if (is_source(e->d_name) && layer_of(p) >= 0 && find_file(p) < 0 && n_files < MAX_FILES) {
            snprintf(files[n_files].path, PATH_LEN, "%s", p);
            files[n_files++].layer = layer_of(p);
        }
    }
    closedir(d);
}

/* Normalize a/b/../c into a/c; returns 0, or -1 when it climbs above the root. */
static int normalize(char *p)
{
    char parts[64][PATH_LEN], out[PATH_LEN] = "";
    int n = 0;
    for (char *tok = strtok(p, "/"); tok; tok = strtok(NULL, "/")) {
        if (!strcmp(tok, "."))
            continue;
        if (!strcmp(tok, "..")) {
            if (n == 0)
                return -1;
            n--;
            continue;
        }
        if (n < 64)
            snprintf(parts[n++], PATH_LEN, "%s", tok);
    }
    for (int i = 0; i < n; i++) {
        strncat(out, parts[i], sizeof(out) - strlen(out) - 1);
        if (i + 1 < n)
            strncat(out, "/", sizeof(out) - strlen(out) - 1);
    }
    strcpy(p, out);
    return 0;
}

/* The project file an include names: next to the includer, else from the root. */
static int resolve(const struct file *f, const char *name)
{
    char p[PATH_LEN * 2];
    const char *slash = strrchr(f->path, '/');
    int dir = slash ? (int)(slash - f->path) : 0;
    snprintf(p, sizeof(p), "%.*s%s%s", dir, f->path, dir ? "/" : "", name);
    if (normalize(p) == 0 && find_file(p) >= 0)
        return find_file(p);
    snprintf(p, sizeof(p), "%s", name);
    return normalize(p) == 0 ? find_file(p) : -1;
}

static int allowed(const struct file *f, const struct file *g)
{
    const struct layer *l = &layers[f->layer];
    if (f->layer == g->layer)
        return 1;
    for (int i = 0; i < l->n_allowed; i++)
        if (!strcmp(l->allowed[i], layers[g->layer].name) || !strcmp(l->allowed[i], g->path))
            return 1;
    return 0;
}

static void scan(int i)
{
    struct file *f = &files[i];
    char full[PATH_LEN * 2], line[1024];
    snprintf(full, sizeof(full), "%s/%s", root, f->path);
    FILE *in = fopen(full, "r");
    for (int ln = 1; in && fgets(line, sizeof(line), in); ln++) {
        char name[PATH_LEN];
        if (sscanf(line, " # include \"%511[^\"]\"", name) != 1)
            continue;
        int g = resolve(f, name);
        if (g < 0)
            continue; /* generated or system header */
        if (!allowed(f, &files[g])) {
            fprintf(stderr, "%s:%d: error: layer '%s' includes \"%s\" of layer '%s' (layers use only "
                    "the layers below them; docs/architecture.md)\n", f->path, ln,
                    layers[f->layer].name, name, layers[files[g].layer].name);
            failures++;
        }
        if (f->n_inc < 64)
            f->inc[f->n_inc++] = g;
    }
    if (in)
        fclose(in);
}

static int stack[MAX_FILES], depth;

/* Path without its extension, for grouping x.c and x.h into one module. */
static size_t stem_len(const char *p)
{
    const char *dot = strrchr(p, '.'), *slash = strrchr(p, '/');
    return dot && (!slash || dot > slash) ? (size_t)(dot - p) : strlen(p);
}

static void group_modules(void)
{
    for (int i = 0; i < n_files; i++) {
        files[i].node = i;
        for (int k = 0; k < i; k++)
            if (stem_len(files[k].path) == stem_len(files[i].path) &&
                !strncmp(files[k].path, files[i].path, stem_len(files[i].path))) {
                files[i].node = files[k].node;
                break;
            }
    }
}

static void dfs(int node)
{
    files[node].color = 1;
    stack[depth++] = node;
    for (int i = 0; i < n_files; i++) {
        if (files[i].node != node)
            continue;
        for (int k = 0; k < files[i].n_inc; k++) {
            int g = files[files[i].inc[k]].node;
            if (g == node)
                continue;
            if (files[g].color == 1) {
                fprintf(stderr, "%s: error: include circle between modules:", files[g].path);
                int s = depth - 1;
                while (s > 0 && stack[s] != g)
                    s--;
                for (; s < depth; s++)
                    fprintf(stderr, " %.*s ->", (int)stem_len(files[stack[s]].path), files[stack[s]].path);
                fprintf(stderr, " %.*s\n", (int)stem_len(files[g].path), files[g].path);
                failures++;
            } else if (files[g].color == 0)
                dfs(g);
        }
    }
    depth--;
    files[node].color = 2;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: layercheck ROOT STAMP name=path[,path]:allowed[,allowed]...\n");
        return 2;
    }
    root = argv[1];
    for (int i = 3; i < argc; i++)
        if (parse_layer(argv[i]) < 0) {
            fprintf(stderr, "layercheck: bad layer '%s'\n", argv[i]);
            return 2;
        }
    files = calloc(MAX_FILES, sizeof(*files));
    if (!files)
        return 2;
    for (int i = 0; i < n_layers; i++)
        for (int k = 0; k < layers[i].n_path; k++)
            add_dir(layers[i].path[k]);
    for (int i = 0; i < n_files; i++)
        scan(i);
    group_modules();
    for (int i = 0; i < n_files; i++)
        if (files[i].node == i && files[i].color == 0)
            dfs(i);
    if (failures) {
        fprintf(stderr, "layercheck: %d error%s\n", failures, failures == 1 ? "" : "s");
        return 1;
    }
    FILE *s = fopen(argv[2], "w");
    if (!s)
        return 2;
    fprintf(s, "%d files in %d layers: no upward include, no include circle between modules\n", n_files, n_layers);
    fclose(s);
    free(files);
    return 0;
}
