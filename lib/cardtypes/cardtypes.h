/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file cardtypes.h
 * @brief The built-in card types (one file each in lib/cardtypes/) and the
 *        registry that turns a name into a type (registry.c).
 */
#ifndef SFC_CARDTYPES_CARDTYPES_H
#define SFC_CARDTYPES_CARDTYPES_H

#include "os/card.h"

extern const sfc_card_type sfc_type_iso7816;
extern const sfc_card_type sfc_type_handler_test;
/** epass.c: ICAO 9303 eMRTD with BAC, secure messaging and AA. */
extern const sfc_card_type sfc_type_epass;
/** cryptoflex.c: Schlumberger Cryptoflex for OpenSC's flex driver. */
extern const sfc_card_type sfc_type_cryptoflex;
/** npa.c: German eID card (nPA) with PACE on OpenPACE. */
extern const sfc_card_type sfc_type_npa;
/** openpgp*.c: OpenPGP card 3.4 for GnuPG's scdaemon and OpenSC. */
extern const sfc_card_type sfc_type_openpgp;
/** relay.c: forwards to a card in another reader through libscio. */
extern const sfc_card_type sfc_type_relay;
/** piv*.c: NIST SP 800-73-4 PIV with Yubico's management commands. */
extern const sfc_card_type sfc_type_piv;

/** The type named `name` (built-in or loaded), or NULL. */
const sfc_card_type *sfc_card_type_find(const char *name);
/** True if `t` was loaded from a plugin (not built in). */
bool sfc_card_type_is_plugin(const sfc_card_type *t);
/** Every known type, NULL-terminated, built-in ones first. */
const sfc_card_type *const *sfc_card_type_list(void);

#endif
