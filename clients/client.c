#include "clients/client.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/engine/profile.h"
#include "clients/engine/stub.h"
#include "clients/registry.h"

static const char *const client_kind_table[CLIENT_KIND_MAX] = {
        [CLIENT_EMULATED] = "emulated",
        [CLIENT_REAL] = "real",
};

const char *client_kind_to_string(enum client_kind k)
{
        return (k >= 0 && k < CLIENT_KIND_MAX) ? client_kind_table[k] : "invalid";
}

const char *client_standing(const struct client *c)
{
        if (c->kind == CLIENT_REAL)
                return "real";
        return c->twin[0] ? "calibrated" : "model";
}

int client_set_add(struct client_set *set, struct client *c)
{
        struct client **n = realloc(set->items, (set->n + 1) * sizeof(*n));
        if (!n)
                return -1;
        set->items = n;
        set->items[set->n++] = c;
        return 0;
}

struct client *client_set_find(const struct client_set *set, const char *name)
{
        for (size_t i = 0; i < set->n; i++)
                if (strcmp(set->items[i]->name, name) == 0)
                        return set->items[i];
        return NULL;
}

static int name_cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads every *.profile in dir, in name order, as emulated clients. */
static int load_profiles(struct client_set *set, const char *dir, char *err, size_t errlen)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        char **names = NULL;
        size_t n = 0;
        int ret = -1;

        if (!d) {
                snprintf(err, errlen, "%s: cannot open the profiles folder", dir);
                return -1;
        }
        while ((e = readdir(d)) != NULL) {
                size_t l = strlen(e->d_name);
                if (l > 8 && strcmp(e->d_name + l - 8, ".profile") == 0) {
                        char **nn = realloc(names, (n + 1) * sizeof(*nn));
                        if (!nn)
                                goto cleanup;
                        names = nn;
                        if (!(names[n] = strdup(e->d_name)))
                                goto cleanup;
                        n++;
                }
        }
        qsort(names, n, sizeof(*names), name_cmp);
        for (size_t i = 0; i < n; i++) {
                char path[4096];
                struct profile p;
                struct client *c;
                snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
                if (profile_load(path, &p, err, errlen) < 0)
                        goto cleanup;
                if (client_set_find(set, p.name)) {
                        snprintf(err, errlen, "%s: profile name '%s' is used twice", path, p.name);
                        goto cleanup;
                }
                c = stub_client_new(&p);
                if (!c || client_set_add(set, c) < 0) {
                        snprintf(err, errlen, "out of memory");
                        goto cleanup;
                }
        }
        ret = 0;
cleanup:
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
        closedir(d);
        return ret;
}

int client_set_load(struct client_set *set, const char *profiles_dir, char *err, size_t errlen)
{
        memset(set, 0, sizeof(*set));
        if (load_profiles(set, profiles_dir, err, errlen) < 0)
                goto fail;
        if (registry_add_real_clients(set, err, errlen) < 0)
                goto fail;
        return 0;
fail:
        client_set_free(set);
        return -1;
}

void client_set_free(struct client_set *set)
{
        for (size_t i = 0; i < set->n; i++) {
                if (set->items[i]->ops && set->items[i]->ops->destroy)
                        set->items[i]->ops->destroy(set->items[i]);
                free(set->items[i]);
        }
        free(set->items);
        memset(set, 0, sizeof(*set));
}
