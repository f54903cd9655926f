#include "clients/real/reply-addrs.h"

#include <stdio.h>
#include <string.h>

#include "harness/wire/reader.h"

struct chain {
        uint8_t names[REPLY_MAX_CHAIN][DNS_NAME_MAX];
        size_t lens[REPLY_MAX_CHAIN];
        size_t n;
};

static bool chain_has(const struct chain *ch, const uint8_t *name, size_t len)
{
        for (size_t i = 0; i < ch->n; i++)
                if (wire_name_equal(ch->names[i], ch->lens[i], name, len))
                        return true;
        return false;
}

/* Calls fn on each whole answer record of msg, in order, and records in sum
 * how far the reading got. Returns true when some fn call returned true
 * (something changed). */
static bool each_answer(const uint8_t *msg, size_t len, struct reply_summary *sum,
                        bool (*fn)(const struct wire_rr *rr, void *arg), void *arg)
{
        struct wire_reader r;
        struct wire_rr rr;
        bool changed = false;
        int got;

        sum->answers_read = 0;
        sum->damaged = false;
        sum->damage[0] = '\0';
        if (wire_reader_init(&r, msg, len) < 0)
                return false;
        while ((got = wire_reader_rr(&r, &rr)) == 1 && rr.section == WIRE_SECTION_ANSWER) {
                sum->answers_read++;
                if (fn(&rr, arg))
                        changed = true;
        }
        if (got < 0) {
                sum->damaged = true;
                wire_reader_describe_error(&r, sum->damage, sizeof(sum->damage));
        }
        return changed;
}

/* Appends the target of a CNAME owned by the chain's last name. */
static bool extend_chain(const struct wire_rr *rr, void *arg)
{
        struct chain *ch = arg;
        if (rr->type != DNS_TYPE_CNAME || ch->n == REPLY_MAX_CHAIN ||
            !wire_name_equal(rr->owner, rr->owner_len, ch->names[ch->n - 1], ch->lens[ch->n - 1]) ||
            chain_has(ch, rr->target, rr->target_len))
                return false;
        memcpy(ch->names[ch->n], rr->target, rr->target_len);
        ch->lens[ch->n++] = rr->target_len;
        return true;
}

struct take {
        const struct chain *ch;
        int qtype;
        struct outcome *o;
        unsigned taken;
        const uint8_t *msg;             /* the reply, for names compressed in rdata */
        size_t len;
};

/* Adds a record of the asked type owned by a name on the chain. */
static bool take_record(const struct wire_rr *rr, void *arg)
{
        struct take *t = arg;
        uint8_t key[16];
        int family = outcome_family_of(t->qtype);

        if (rr->type != t->qtype || !chain_has(t->ch, rr->owner, rr->owner_len))
                return false;
        if (family == 0) {
                outcome_record_key_of(rr->type, t->msg, t->len, rr->rdata_offset, rr->rdlength, key);
                outcome_add_addr(t->o, 0, key);
        } else {
                outcome_add_addr(t->o, family, rr->rdata);
        }
        t->taken++;
        return true;
}

int reply_addrs_collect(const uint8_t *msg, size_t len, const char *qname, int qtype,
                        struct outcome *o, struct reply_summary *sum)
{
        struct chain ch;
        struct take t = { .ch = &ch, .qtype = qtype, .o = o, .msg = msg, .len = len };

        memset(sum, 0, sizeof(*sum));
        if (len < DNS_HEADER_LEN || wire_name_from_text(qname, ch.names[0], &ch.lens[0]) < 0)
                return -1;
        ch.n = 1;
        sum->flags = (uint16_t)(msg[2] << 8 | msg[3]);
        sum->ancount = (unsigned)(msg[6] << 8 | msg[7]);
        while (ch.n < REPLY_MAX_CHAIN && each_answer(msg, len, sum, extend_chain, &ch))
                ;
        sum->cnames = (unsigned)ch.n - 1;
        each_answer(msg, len, sum, take_record, &t);
        sum->taken = t.taken;
        return 0;
}
