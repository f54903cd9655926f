#include "harness/util/evbase.h"

struct event_base *evbase_new_precise(void)
{
        struct event_config *cfg = event_config_new();
        struct event_base *base = NULL;

        if (!cfg)
                return NULL;
        if (event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER) == 0)
                base = event_base_new_with_config(cfg);
        event_config_free(cfg);
        return base;
}
