/**
 * @file access.c
 * @brief The access decision: may this operation touch this file now?
 *
 * Life-cycle rules of ISO/IEC 7816-9, applied to the file and every DF above
 * it: a terminated file (or one below a terminated DF) can only be selected
 * and deleted; a deactivated one can in addition be activated or
 * terminated; files in the creation or initialisation state allow
 * everything. Selection itself is never refused here: SELECT reports the
 * state with a warning (6283, 6285) instead.
 */
#include "card/access.h"

#include "core/sw.h"

static bool allowed_when_terminated(sc_access_op op)
{
    return op == SC_AC_DELETE;
}

static bool allowed_when_deactivated(sc_access_op op)
{
    return op == SC_AC_DELETE || op == SC_AC_ACTIVATE ||
           op == SC_AC_TERMINATE || op == SC_AC_DEACTIVATE;
}

uint16_t sc_access(const sc_card *card, const sc_file *file, sc_access_op op)
{
    (void)card;
    if (!file)
        return SW_FILE_NOT_FOUND;
    for (const sc_file *f = file; f; f = f->parent) {
        if (fs_lcs_terminated(f->lcs) && !allowed_when_terminated(op))
            return SW_CONDITIONS;
        if (fs_lcs_deactivated(f->lcs) && !allowed_when_deactivated(op))
            return SW_CONDITIONS;
    }
    return SW_OK;
}
