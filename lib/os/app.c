/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file app.c
 * @brief Applications: a DF named by an AID with a behaviour, bound to a
 *        card by its type's attach().
 *
 * An application is bound to the DF whose name is its AID; the DF carries a
 * back pointer (sfc_file.app). The application current on a channel is the
 * one bound to the nearest DF at or above the channel's current DF, so it
 * follows every way of selecting (by AID, truncated AID, FID, path, parent)
 * without state of its own, and a failed SELECT, which changes no current
 * file, changes no application either.
 *
 * When an application stops being current on every channel, the security
 * state specific to it goes (ISO/IEC 7816-4 §5.4: the verification of its
 * own PINs and the rights granted to it), then its deselect hook runs.
 * Its saved state and its PIN counters stay: they are card data.
 *
 * Rules: the instruction tables of an application hold only what its
 * definition lists; dispatch.c falls through to the card's table. An
 * application never outlives its card; a deleted DF leaves it unbound
 * (df NULL), never dangling.
 */
#include "os/card.h"

#include <stdlib.h>
#include <string.h>

#include "core/errtext.h"
#include "core/log.h"
#include "os/fs.h"

sfc_app *app_of_file(const sfc_file *f)
{
    for (; f; f = f->parent)
        if (f->app)
            return f->app;
    return NULL;
}

sfc_app *app_of_channel(const sfc_card *card, unsigned ch)
{
    if (ch >= SFC_MAX_CHANNELS || !card->ch[ch].open)
        return NULL;
    return app_of_file(card->ch[ch].cur_df);
}

sfc_app *sfc_app_current(sfc_card *card, const sfc_cmd *cmd)
{
    return app_of_channel(card, cmd->channel);
}

sfc_app *sfc_app_find(const sfc_card *card, const sfc_app_def *def)
{
    for (size_t i = 0; i < card->n_apps; i++)
        if (card->apps[i]->def == def)
            return card->apps[i];
    return NULL;
}

const sfc_app_def *sfc_app_definition(const sfc_app *app)
{
    return app->def;
}

void *sfc_app_state(const sfc_app *app)
{
    return app->state;
}

sfc_file *sfc_app_df(const sfc_app *app)
{
    return app->df;
}

bool app_owns_pin(const sfc_app *app, const sfc_pin *pin)
{
    if (!app)
        return pin->scope_len == 0;
    return pin->scope_len == app->def->aid_len &&
           memcmp(pin->scope, app->def->aid, pin->scope_len) == 0;
}

static bool current_anywhere(const sfc_card *card, const sfc_app *app)
{
    for (unsigned i = 0; i < SFC_MAX_CHANNELS; i++)
        if (app_of_channel(card, i) == app)
            return true;
    return false;
}

/* ISO/IEC 7816-4 §5.4: specific security status ends with the selection. */
static void clear_specific_status(sfc_card *card, sfc_app *app)
{
    for (size_t i = 0; i < card->n_pins; i++)
        if (app_owns_pin(app, &card->pins[i]))
            card->sec.pin_verified[i] = false;
    app->rights = 0;
    app->sm_rights = 0;
}

void app_now_current(sfc_app *app)
{
    if (app)
        app->selected = true;
}

void app_track(sfc_card *card, sfc_app *before)
{
    if (!before || !before->selected || current_anywhere(card, before))
        return;
    before->selected = false;
    sfc_log(SFC_LOG_INFO, "%s: application %s deselected", card->label,
            before->def->name);
    clear_specific_status(card, before);
    if (before->def->deselect)
        before->def->deselect(card, before);
}

void app_reset(sfc_card *card)
{
    for (size_t i = 0; i < card->n_apps; i++) {
        sfc_app *app = card->apps[i];
        app->rights = 0;
        app->sm_rights = 0;
        app->selected = false;
        if ((app->def->flags & SFC_APP_DEFAULT) && app->df &&
            card->ch[0].cur_df == card->mf) {
            card->ch[0].cur_df = app->df;
            app->selected = true;
        }
    }
}

void app_file_gone(sfc_file *f)
{
    if (f->app) {
        f->app->df = NULL;
        f->app = NULL;
    }
}

static void app_free(sfc_card *card, sfc_app *app)
{
    if (app->def->state_free)
        app->def->state_free(card, app);
    if (app->df)
        app->df->app = NULL;
    if (app->state) {
        sfc_wipe(app->state, app->def->state_size);
        free(app->state);
    }
    free(app);
}

void app_free_all(sfc_card *card)
{
    for (size_t i = 0; i < card->n_apps; i++)
        app_free(card, card->apps[i]);
    card->n_apps = 0;
}

static void fill_tables(sfc_app *app)
{
    for (size_t i = 0; i < app->def->n_ins; i++)
        if (os_ins_put(app->iso, app->prop, &app->def->ins[i]))
            app->has_prop = true;
}

static sfc_err check_def(const sfc_app_def *def, char *err, size_t errlen)
{
    if (!def->name || !def->aid || def->aid_len < 1 ||
        def->aid_len > SFC_AID_MAX || (def->n_ins && !def->ins)) {
        sfc_errf(err, errlen, "application '%s': needs a name and an AID of "
                 "1 to %d bytes", def->name ? def->name : "?", SFC_AID_MAX);
        return SFC_E_INVAL;
    }
    return SFC_OK;
}

static sfc_err bind_df(sfc_card *card, const sfc_app_def *def, sfc_file **df,
                       char *err, size_t errlen)
{
    *df = sfc_df_by_name(card, def->aid, def->aid_len);
    if (!*df) {
        sfc_errf(err, errlen, "application '%s': the card has no DF named "
                 "by its AID", def->name);
        return SFC_E_NOT_FOUND;
    }
    if ((*df)->app) {
        sfc_errf(err, errlen, "application '%s': its DF is bound already",
                 def->name);
        return SFC_E_STATE;
    }
    if (card->n_apps == SFC_MAX_APPS) {
        sfc_errf(err, errlen, "application '%s': a card holds at most %d "
                 "applications", def->name, SFC_MAX_APPS);
        return SFC_E_RANGE;
    }
    return SFC_OK;
}

sfc_err sfc_app_attach(sfc_card *card, const sfc_app_def *def, sfc_app **out,
                       char *err, size_t errlen)
{
    sfc_file *df = NULL;
    sfc_err rv = check_def(def, err, errlen);
    if (rv == SFC_OK)
        rv = bind_df(card, def, &df, err, errlen);
    if (rv != SFC_OK)
        return rv;
    sfc_app *app = calloc(1, sizeof(*app));
    if (app && def->state_size && !(app->state = calloc(1, def->state_size))) {
        free(app);
        app = NULL;
    }
    if (!app) {
        sfc_errf(err, errlen, "%s", "out of memory");
        return SFC_E_NOMEM;
    }
    app->def = def;
    app->df = df;
    df->app = app;
    fill_tables(app);
    card->apps[card->n_apps++] = app;
    if (out)
        *out = app;
    return SFC_OK;
}

/* ---- rights granted by protocols ------------------------------------------ */

void sfc_right_grant(sfc_card *card, sfc_app *app, uint64_t rights,
                     unsigned flags)
{
    uint64_t *all = app ? &app->rights : &card->sec.rights;
    uint64_t *sm = app ? &app->sm_rights : &card->sec.sm_rights;
    *all |= rights;
    if (flags & SFC_RIGHT_UNTIL_SM_END)
        *sm |= rights;
}

void sfc_right_revoke(sfc_card *card, sfc_app *app, uint64_t rights)
{
    uint64_t *all = app ? &app->rights : &card->sec.rights;
    uint64_t *sm = app ? &app->sm_rights : &card->sec.sm_rights;
    *all &= ~rights;
    *sm &= ~rights;
}

bool sfc_right_has(const sfc_card *card, const sfc_app *app, uint64_t rights)
{
    uint64_t have = app ? app->rights : card->sec.rights;
    return (have & rights) == rights;
}

void app_sm_ended(sfc_card *card)
{
    sfc_right_revoke(card, NULL, card->sec.sm_rights);
    for (size_t i = 0; i < card->n_apps; i++)
        sfc_right_revoke(card, card->apps[i], card->apps[i]->sm_rights);
}
