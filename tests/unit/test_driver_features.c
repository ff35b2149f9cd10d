/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_driver_features.c
 * @brief Unit tests of the part 10 feature answers (driver/features.c) and
 *        of what IFDHGetCapabilities / IFDHControl report without a card.
 *
 * The feature TLVs are checked byte for byte: the list must be exactly
 * 12 04 42 33 00 12 (vsmartcard's), the properties exactly one
 * dwMaxAPDUDataSize of 65526 in little-endian (the largest data field a
 * 65535-byte frame carries in every APDU case). The capabilities are read
 * from a slot opened in normal mode on a free loopback port.
 */
#include <ifdhandler.h>
#include <reader.h>
#include <string.h>

#include "driver/features.h"
#include "test_driver_peer.h"
#include "testutil.h"

static void test_feature_list_bytes(void **state)
{
    (void)state;
    uint8_t out[32];
    size_t n = 99;
    assert_int_equal(drv_control(DRV_IOCTL_GET_FEATURE_REQUEST, out,
                                 sizeof(out), &n), DRV_CONTROL_OK);
    tu_assert_hex(out, n, "12 04 42 33 00 12");
    assert_int_equal(DRV_IOCTL_GET_FEATURE_REQUEST,
                     CM_IOCTL_GET_FEATURE_REQUEST);
    assert_int_equal(DRV_IOCTL_GET_TLV_PROPERTIES,
                     SCARD_CTL_CODE(0x330000 + FEATURE_GET_TLV_PROPERTIES));
}

static void test_tlv_properties_bytes(void **state)
{
    (void)state;
    uint8_t out[32];
    size_t n = 0;
    assert_int_equal(drv_control(DRV_IOCTL_GET_TLV_PROPERTIES, out,
                                 sizeof(out), &n), DRV_CONTROL_OK);
    tu_assert_hex(out, n, "0A 04 F6 FF 00 00");
    assert_int_equal(DRV_MAX_APDU_DATA, 65526);
    /* the largest case 4E command fits one frame exactly */
    assert_int_equal(4 + 3 + DRV_MAX_APDU_DATA + 2, VPCD_MAX_PAYLOAD);
    assert_int_equal(out[0], PCSCv2_PART10_PROPERTY_dwMaxAPDUDataSize);
}

static void test_control_errors(void **state)
{
    (void)state;
    uint8_t out[6];
    size_t n = 7;
    assert_int_equal(drv_control(SCARD_CTL_CODE(1), out, sizeof(out), &n),
                     DRV_CONTROL_UNSUPPORTED);
    assert_int_equal(n, 0);
    assert_int_equal(drv_control(DRV_IOCTL_GET_FEATURE_REQUEST, out, 5, &n),
                     DRV_CONTROL_SHORT_BUFFER);
    assert_int_equal(n, 0);
    assert_int_equal(drv_control(DRV_IOCTL_GET_FEATURE_REQUEST, NULL, 64, &n),
                     DRV_CONTROL_SHORT_BUFFER);
    assert_int_equal(drv_control(DRV_IOCTL_GET_TLV_PROPERTIES, out, 6, &n),
                     DRV_CONTROL_OK);
}

/* ---- through the IFDH entry points ------------------------------------ */

#define LUN 0x00030000ul

static int open_listening(void **state)
{
    static char name[64];
    snprintf(name, sizeof(name), "/dev/null:%u,slots=1", free_port());
    *state = name;
    return IFDHCreateChannelByName(LUN, name) == IFD_SUCCESS ? 0 : -1;
}

static int close_listening(void **state)
{
    (void)state;
    return IFDHCloseChannel(LUN) == IFD_SUCCESS ? 0 : -1;
}

static void test_ifdh_control(void **state)
{
    (void)state;
    UCHAR out[64];
    DWORD n = 99;
    assert_int_equal(IFDHControl(LUN, CM_IOCTL_GET_FEATURE_REQUEST, NULL, 0,
                                 out, sizeof(out), &n), IFD_SUCCESS);
    tu_assert_hex(out, n, "120442330012");
    assert_int_equal(IFDHControl(LUN, 0x42330012, NULL, 0, out, sizeof(out),
                                 &n), IFD_SUCCESS);
    tu_assert_hex(out, n, "0A04F6FF0000");
    assert_int_equal(IFDHControl(LUN, 0x42330012, NULL, 0, out, 3, &n),
                     IFD_ERROR_INSUFFICIENT_BUFFER);
    assert_int_equal(n, 0);
    assert_int_equal(IFDHControl(LUN, SCARD_CTL_CODE(3500), NULL, 0, out,
                                 sizeof(out), &n), IFD_ERROR_NOT_SUPPORTED);
    assert_int_equal(n, 0);
    assert_int_equal(IFDHControl(LUN + 5, CM_IOCTL_GET_FEATURE_REQUEST, NULL,
                                 0, out, sizeof(out), &n),
                     IFD_COMMUNICATION_ERROR);
}

static UCHAR get_byte(DWORD tag)
{
    UCHAR v[8] = {0xEE};
    DWORD len = sizeof(v);
    assert_int_equal(IFDHGetCapabilities(LUN, tag, &len, v), IFD_SUCCESS);
    assert_int_equal(len, 1);
    return v[0];
}

static void test_capabilities(void **state)
{
    (void)state;
    assert_int_equal(get_byte(TAG_IFD_SLOTS_NUMBER), 1);
    assert_int_equal(get_byte(TAG_IFD_THREAD_SAFE), 1);
    assert_int_equal(get_byte(TAG_IFD_SLOT_THREAD_SAFE), 1);
    assert_int_equal(get_byte(TAG_IFD_SIMULTANEOUS_ACCESS), 16);
    assert_int_equal(get_byte(TAG_IFD_POLLING_THREAD_KILLABLE), 0);

    RESPONSECODE (*poll_fn)(DWORD, int) = NULL;
    DWORD len = sizeof(poll_fn);
    assert_int_equal(IFDHGetCapabilities(LUN,
                                         TAG_IFD_POLLING_THREAD_WITH_TIMEOUT,
                                         &len, (PUCHAR)&poll_fn),
                     IFD_SUCCESS);
    assert_int_equal(len, sizeof(poll_fn));
    assert_non_null(poll_fn);
    RESPONSECODE (*stop_fn)(DWORD) = NULL;
    len = sizeof(stop_fn);
    assert_int_equal(IFDHGetCapabilities(LUN, TAG_IFD_STOP_POLLING_THREAD,
                                         &len, (PUCHAR)&stop_fn),
                     IFD_SUCCESS);
    assert_non_null(stop_fn);

    UCHAR name[32];
    len = sizeof(name);
    assert_int_equal(IFDHGetCapabilities(LUN, SCARD_ATTR_VENDOR_NAME, &len,
                                         name), IFD_SUCCESS);
    assert_string_equal((char *)name, "softcard");
}

static void test_capability_errors(void **state)
{
    (void)state;
    UCHAR v[40];
    DWORD len = sizeof(v);
    /* no card: no ATR */
    assert_int_equal(IFDHGetCapabilities(LUN, TAG_IFD_ATR, &len, v),
                     IFD_ICC_NOT_PRESENT);
    assert_int_equal(len, 0);
    len = sizeof(v);
    assert_int_equal(IFDHGetCapabilities(LUN, 0x0FFF, &len, v),
                     IFD_ERROR_TAG);
    len = 2;
    assert_int_equal(IFDHGetCapabilities(LUN,
                                         TAG_IFD_POLLING_THREAD_WITH_TIMEOUT,
                                         &len, v),
                     IFD_ERROR_INSUFFICIENT_BUFFER);
    len = 0;
    assert_int_equal(IFDHGetCapabilities(LUN, TAG_IFD_SLOTS_NUMBER, &len, v),
                     IFD_ERROR_INSUFFICIENT_BUFFER);
    len = sizeof(v);
    assert_int_equal(IFDHGetCapabilities(LUN + 1, TAG_IFD_SLOTS_NUMBER, &len,
                                         v), IFD_COMMUNICATION_ERROR);
    assert_int_equal(IFDHSetCapabilities(LUN, TAG_IFD_SLOTS_NUMBER, 1, v),
                     IFD_NOT_SUPPORTED);
}

static void test_channel_errors(void **state)
{
    (void)state;
    /* the same Lun twice, a slot beyond the configured count, bad names */
    assert_int_not_equal(IFDHCreateChannelByName(LUN, "/dev/null:1"),
                         IFD_SUCCESS);
    assert_int_not_equal(IFDHCreateChannelByName(0x00070001,
                                                 "/dev/null:1,slots=1"),
                         IFD_SUCCESS);
    assert_int_not_equal(IFDHCreateChannelByName(0x00070000, "[::1"),
                         IFD_SUCCESS);
    assert_int_not_equal(IFDHCreateChannelByName(0x00070000, NULL),
                         IFD_SUCCESS);
    assert_int_not_equal(IFDHCreateChannel(0x00070000, 0), IFD_SUCCESS);
    assert_int_not_equal(IFDHCloseChannel(0x00070000), IFD_SUCCESS);
    /* the port is taken by the open slot: a second listener fails */
    char name[80];
    snprintf(name, sizeof(name), "%s", (char *)*state);
    assert_int_not_equal(IFDHCreateChannelByName(0x00080000, name),
                         IFD_SUCCESS);
}

static void test_legacy_channel(void **state)
{
    (void)state;
    uint16_t port = free_port();
    assert_int_equal(IFDHCreateChannel(0x00090000, port), IFD_SUCCESS);
    assert_int_equal(IFDHICCPresence(0x00090000), IFD_ICC_NOT_PRESENT);
    assert_int_equal(IFDHCloseChannel(0x00090000), IFD_SUCCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feature_list_bytes),
        cmocka_unit_test(test_tlv_properties_bytes),
        cmocka_unit_test(test_control_errors),
        cmocka_unit_test_setup_teardown(test_ifdh_control, open_listening,
                                        close_listening),
        cmocka_unit_test_setup_teardown(test_capabilities, open_listening,
                                        close_listening),
        cmocka_unit_test_setup_teardown(test_capability_errors,
                                        open_listening, close_listening),
        cmocka_unit_test_setup_teardown(test_channel_errors, open_listening,
                                        close_listening),
        cmocka_unit_test(test_legacy_channel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
