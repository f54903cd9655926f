#include "harness/wire/dns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
        uint16_t type;
        const char *name;
} type_table[] = {
        { DNS_TYPE_A, "A" },       { DNS_TYPE_NS, "NS" },   { DNS_TYPE_CNAME, "CNAME" },
        { DNS_TYPE_SOA, "SOA" },   { DNS_TYPE_PTR, "PTR" }, { DNS_TYPE_MX, "MX" },
        { DNS_TYPE_TXT, "TXT" },   { DNS_TYPE_AAAA, "AAAA" }, { DNS_TYPE_SRV, "SRV" },
        { DNS_TYPE_OPT, "OPT" },   { DNS_TYPE_ANY, "ANY" },
};

static const char *const rcode_table[DNS_RCODE_MAX] = {
        [DNS_RCODE_NOERROR] = "noerror",   [DNS_RCODE_FORMERR] = "formerr",
        [DNS_RCODE_SERVFAIL] = "servfail", [DNS_RCODE_NXDOMAIN] = "nxdomain",
        [DNS_RCODE_NOTIMP] = "notimp",     [DNS_RCODE_REFUSED] = "refused",
        [6] = "yxdomain", [7] = "yxrrset", [8] = "nxrrset", [9] = "notauth", [10] = "notzone",
};

const char *dns_type_to_string(uint16_t type, char buf[16])
{
        for (size_t i = 0; i < sizeof(type_table) / sizeof(type_table[0]); i++)
                if (type_table[i].type == type)
                        return type_table[i].name;
        snprintf(buf, 16, "TYPE%u", (unsigned)type);
        return buf;
}

int dns_type_from_string(const char *s)
{
        for (size_t i = 0; i < sizeof(type_table) / sizeof(type_table[0]); i++)
                if (strcasecmp(type_table[i].name, s) == 0)
                        return type_table[i].type;
        if (strncasecmp(s, "TYPE", 4) == 0 && s[4] >= '0' && s[4] <= '9') {
                char *end;
                unsigned long v = strtoul(s + 4, &end, 10);
                if (*end == '\0' && v <= 65535)
                        return (int)v;
        }
        return -1;
}

const char *dns_rcode_to_string(int rcode)
{
        if (rcode < 0 || rcode >= DNS_RCODE_MAX)
                return NULL;
        return rcode_table[rcode];
}

int dns_rcode_from_string(const char *s)
{
        for (int i = 0; i < DNS_RCODE_MAX; i++)
                if (rcode_table[i] && strcasecmp(rcode_table[i], s) == 0)
                        return i;
        if (*s >= '0' && *s <= '9') {
                char *end;
                unsigned long v = strtoul(s, &end, 10);
                if (*end == '\0' && v < DNS_RCODE_MAX)
                        return (int)v;
        }
        return DNS_RCODE_INVALID;
}
