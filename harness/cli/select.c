#include "harness/cli/select.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/real/sandbox.h"
#include "harness/util/paths.h"
#include "harness/util/strutil.h"

int select_load_clients(struct client_set *set, char *err, size_t errlen)
{
        return client_set_load(set, paths_profiles_dir(), err, errlen);
}

static bool list_has(const char *list, const char *name, const struct client *c)
{
        char *copy = strdup(list), *save = NULL;
        bool hit = false;
        if (!copy)
                return false;
        for (char *t = strtok_r(copy, ",", &save); t && !hit; t = strtok_r(NULL, ",", &save))
                hit = strcmp(t, name) == 0 || strcmp(t, "all") == 0 ||
                      (strcmp(t, "emulated") == 0 && c->kind == CLIENT_EMULATED) ||
                      (strcmp(t, "real") == 0 && c->kind == CLIENT_REAL);
        free(copy);
        return hit;
}

static const char *client_name_at(size_t i, void *arg)
{
        const struct client_set *set = arg;
        return set->items[i]->name;
}

long select_clients(const struct client_set *set, const char *list, struct client ***out,
                    char *err, size_t errlen)
{
        struct client **v = calloc(set->n ? set->n : 1, sizeof(*v));
        long n = 0;

        *out = NULL;
        if (!v) {
                snprintf(err, errlen, "out of memory");
                return -1;
        }
        if (list) {
                char *copy = strdup(list), *save = NULL;
                for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
                        if (strcmp(t, "all") && strcmp(t, "emulated") && strcmp(t, "real") &&
                            !client_set_find(set, t)) {
                                const char *near = str_closest(t, set->n, client_name_at,
                                                               (void *)set);
                                if (near)
                                        snprintf(err, errlen, "unknown client '%s' (did you mean "
                                                 "'%s'? see 'stubcompat clients')", t, near);
                                else
                                        snprintf(err, errlen, "unknown client '%s' (see "
                                                 "'stubcompat clients')", t);
                                free(copy);
                                free(v);
                                return -1;
                        }
                free(copy);
        }
        for (size_t i = 0; i < set->n; i++)
                if (!list || list_has(list, set->items[i]->name, set->items[i]))
                        v[n++] = set->items[i];
        *out = v;
        return n;
}

void select_prepare_sandbox(struct client *const *clients, size_t n)
{
        static int entered;   /* 0 not tried, 1 in, -1 failed */
        static char why[160];
        bool needed = false;

        for (size_t i = 0; i < n; i++)
                if (clients[i]->endpoint == ENDPOINT_PORT53 && clients[i]->available)
                        needed = true;
        if (!needed)
                return;
        if (entered == 0)
                entered = sandbox_enter(why, sizeof(why)) == 0 ? 1 : -1;
        if (entered > 0)
                return;
        for (size_t i = 0; i < n; i++)
                if (clients[i]->endpoint == ENDPOINT_PORT53 && clients[i]->available) {
                        clients[i]->available = false;
                        snprintf(clients[i]->why_not, sizeof(clients[i]->why_not),
                                 "no private network namespace: %s", why);
                }
}
