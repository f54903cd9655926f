#ifndef STUBCOMPAT_UTIL_EVBASE_H
#define STUBCOMPAT_UTIL_EVBASE_H

#include <event2/event.h>

/* A new event base whose timers run on CLOCK_MONOTONIC, not libevent's default
 * CLOCK_MONOTONIC_COARSE: a coarse clock lags by up to a jiffy (4 ms), so a
 * delay_ms reply could leave before delay_ms had passed. Returns NULL when
 * libevent cannot make one; the caller frees it with event_base_free(). */
struct event_base *evbase_new_precise(void);

#endif
