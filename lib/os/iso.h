/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file iso.h
 * @brief The ISO/IEC 7816-4 and 7816-9 command handlers of the card OS.
 *
 * One function per command (even and odd INS variants share a function and
 * look at cmd->ins & 1). dispatch.c puts them in the interindustry table; card
 * types may reuse them in their own tables. Every handler returns a status
 * word and writes response data to resp->data; none of them deals with Le,
 * 61xx or GET RESPONSE (dispatch.c does), and none decides access on its own
 * (access.h does).
 */
#ifndef SFC_OS_ISO_H
#define SFC_OS_ISO_H

#include "os/card.h"

/* select.c */
uint16_t iso_select(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);

/* binary.c: B0/B1, D6/D7, D0/D1, 0E/0F, A0/A1 */
uint16_t iso_read_binary(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t iso_update_binary(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t iso_write_binary(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t iso_erase_binary(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t iso_search_binary(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);

/* record.c: B2/B3, DC/DD, D2, E2, 0C */
uint16_t iso_read_record(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t iso_update_record(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t iso_write_record(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t iso_append_record(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t iso_erase_record(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);

/* dataobj.c: CA/CB, DA/DB */
uint16_t iso_get_data(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t iso_put_data(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);

/* filemgmt.c (ISO/IEC 7816-9): E0, E4, 44, 04, E6, E8 */
uint16_t iso_create_file(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t iso_delete_file(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t iso_activate_file(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t iso_deactivate_file(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t iso_terminate_df(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t iso_terminate_ef(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);

/* pin.c: 20/21, 24, 2C */
uint16_t iso_verify(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t iso_change_reference_data(sfc_card *card, const sfc_cmd *cmd,
                                   sfc_resp *resp);
uint16_t iso_reset_retry_counter(sfc_card *card, const sfc_cmd *cmd,
                                 sfc_resp *resp);

/* auth.c: 84, 88, 82 */
uint16_t iso_get_challenge(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t iso_internal_authenticate(sfc_card *card, const sfc_cmd *cmd,
                                   sfc_resp *resp);
uint16_t iso_external_authenticate(sfc_card *card, const sfc_cmd *cmd,
                                   sfc_resp *resp);

/* se.c, pso.c, genkey.c (ISO/IEC 7816-8): 22, 2A, 46 */
uint16_t iso_manage_security_environment(sfc_card *card, const sfc_cmd *cmd,
                                         sfc_resp *resp);
uint16_t iso_perform_security_operation(sfc_card *card, const sfc_cmd *cmd,
                                        sfc_resp *resp);
uint16_t iso_generate_key_pair(sfc_card *card, const sfc_cmd *cmd,
                               sfc_resp *resp);

/* dispatch.c: 70 */
uint16_t iso_manage_channel(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);

#endif
