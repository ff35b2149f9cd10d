/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_driver_faults.c
 * @brief The driver's IFDH* entry points against cards that misbehave.
 *
 * Each test puts a scripted card (test_driver_peer.h) in reversed mode on
 * an ephemeral port and checks that the driver never blocks longer than
 * its timeouts, reports a clean error, drops the connection (so that the
 * reader is empty and takes the next card) and never mistakes a stray
 * frame for an answer: a card that never speaks, never answers an APDU,
 * answers with an empty frame (as ATR or response), a 1-byte frame or two
 * frames, sends a 34-byte ATR, sends data nobody asked for, writes its
 * answer byte by byte, or dies in the middle of a command.
 */
#include <ifdhandler.h>
#include <reader.h>

#include "test_driver_peer.h"

#define LUN 0x00000000ul
#define SHORT_TIMEOUTS ",slots=1,timeout=300,atr_timeout=200"

static peer card;

static void start(peer_mode mode)
{
    char name[128];
    peer_listen(&card, mode, false);
    snprintf(name, sizeof(name), "127.0.0.1:%u" SHORT_TIMEOUTS, card.port);
    assert_int_equal(IFDHCreateChannelByName(LUN, name), IFD_SUCCESS);
}

static int stop(void **state)
{
    (void)state;
    (void)IFDHCloseChannel(LUN);
    peer_stop(&card);
    return 0;
}

static bool wait_presence(bool want, unsigned ms)
{
    uint64_t end = peer_now_ms() + ms;
    do {
        if ((IFDHICCPresence(LUN) == IFD_ICC_PRESENT) == want)
            return true;
        usleep(2000);
    } while (peer_now_ms() < end);
    return false;
}

static RESPONSECODE transmit(const char *hex, uint8_t *resp, DWORD *rlen)
{
    uint8_t cmd[64];
    size_t n = tu_hex(hex, cmd, sizeof(cmd));
    SCARD_IO_HEADER send = {.Protocol = 1}, recv = {0};
    return IFDHTransmitToICC(LUN, send, cmd, (DWORD)n, resp, rlen, &recv);
}

/* Wait for the card thread to see the driver hang up. */
static void expect_hang_up(void)
{
    for (int i = 0; i < 400 && !strstr(peer_take_log(&card), "EOF"); i++)
        usleep(5000);
}

/* After a fault the reader takes the next (well-behaved) card. */
static void expect_next_card_works(void)
{
    peer_set_mode(&card, PEER_ECHO);
    assert_true(wait_presence(true, 3000));
    uint8_t resp[32];
    DWORD rlen = sizeof(resp);
    assert_int_equal(transmit("00A4000C023F00", resp, &rlen), IFD_SUCCESS);
    tu_assert_hex(resp, rlen, "00A4000C023F009000");
}

static void test_silent_card(void **state)
{
    (void)state;
    start(PEER_SILENT);
    /* never present, and no presence check waits longer than the ATR
     * timeout */
    uint64_t end = peer_now_ms() + 700;
    while (peer_now_ms() < end) {
        uint64_t t0 = peer_now_ms();
        assert_int_equal(IFDHICCPresence(LUN), IFD_ICC_NOT_PRESENT);
        assert_true(peer_now_ms() - t0 < 200 + 150);
    }
    assert_true(peer_served(&card) >= 1);
    expect_next_card_works();
}

static void test_mute_card(void **state)
{
    (void)state;
    start(PEER_MUTE);
    assert_true(wait_presence(true, 3000));
    uint8_t resp[32];
    DWORD rlen = sizeof(resp);
    uint64_t t0 = peer_now_ms();
    assert_int_equal(transmit("00A4000C023F00", resp, &rlen),
                     IFD_RESPONSE_TIMEOUT);
    uint64_t took = peer_now_ms() - t0;
    assert_true(took >= 290 && took < 300 + 200);
    assert_int_equal(rlen, 0);
    assert_int_equal(IFDHICCPresence(LUN), IFD_ICC_NOT_PRESENT);
    expect_hang_up();
    expect_next_card_works();
}

static void test_card_dies_in_transmit(void **state)
{
    (void)state;
    start(PEER_CLOSE);
    assert_true(wait_presence(true, 3000));
    uint8_t resp[32];
    DWORD rlen = sizeof(resp);
    uint64_t t0 = peer_now_ms();
    assert_int_equal(transmit("00EE000000", resp, &rlen),
                     IFD_ICC_NOT_PRESENT);
    assert_true(peer_now_ms() - t0 < 200); /* no need to wait for a timeout */
    /* pcscd is told once that the card is gone, then gets the next one */
    assert_int_equal(IFDHICCPresence(LUN), IFD_ICC_NOT_PRESENT);
    expect_next_card_works();
}

static void test_empty_response(void **state)
{
    (void)state;
    start(PEER_EMPTY);
    assert_true(wait_presence(true, 3000));
    uint8_t resp[32];
    DWORD rlen = sizeof(resp);
    assert_int_equal(transmit("00A4000C023F00", resp, &rlen),
                     IFD_COMMUNICATION_ERROR);
    assert_int_equal(IFDHICCPresence(LUN), IFD_ICC_NOT_PRESENT);
    expect_next_card_works();
}

static void test_empty_atr(void **state)
{
    (void)state;
    start(PEER_EMPTY_ATR);
    uint64_t t0 = peer_now_ms();
    while (peer_now_ms() - t0 < 300)
        assert_int_equal(IFDHICCPresence(LUN), IFD_ICC_NOT_PRESENT);
    assert_true(peer_served(&card) >= 1);
    expect_next_card_works();
}

static void test_one_byte_response(void **state)
{
    (void)state;
    start(PEER_ONE_BYTE);
    assert_true(wait_presence(true, 3000));
    uint8_t resp[32];
    DWORD rlen = sizeof(resp);
    assert_int_equal(transmit("00A4000C023F00", resp, &rlen),
                     IFD_COMMUNICATION_ERROR);
    assert_int_equal(IFDHICCPresence(LUN), IFD_ICC_NOT_PRESENT);
    expect_next_card_works();
}

static void test_two_responses(void **state)
{
    (void)state;
    start(PEER_DOUBLE);
    assert_true(wait_presence(true, 3000));
    uint8_t resp[32];
    DWORD rlen = sizeof(resp);
    /* both answers arrive in one segment: the second is a protocol error */
    assert_int_equal(transmit("00A4000C023F00", resp, &rlen),
                     IFD_COMMUNICATION_ERROR);
    assert_int_equal(IFDHICCPresence(LUN), IFD_ICC_NOT_PRESENT);
    expect_next_card_works();
}

static void test_long_atr(void **state)
{
    (void)state;
    start(PEER_LONG_ATR);
    uint64_t t0 = peer_now_ms();
    while (peer_now_ms() - t0 < 300)
        assert_int_equal(IFDHICCPresence(LUN), IFD_ICC_NOT_PRESENT);
    assert_true(peer_served(&card) >= 1);
    UCHAR atr[64];
    DWORD len = sizeof(atr);
    assert_int_equal(IFDHPowerICC(LUN, IFD_POWER_UP, atr, &len),
                     IFD_ERROR_POWER_ACTION);
    expect_next_card_works();
    /* a power-up that returns a long ATR fails cleanly too */
    peer_set_mode(&card, PEER_LONG_ATR);
    len = sizeof(atr);
    assert_int_equal(IFDHPowerICC(LUN, IFD_POWER_UP, atr, &len),
                     IFD_ERROR_POWER_ACTION);
    assert_int_equal(len, 0);
    assert_int_equal(IFDHICCPresence(LUN), IFD_ICC_NOT_PRESENT);
}

static void test_unsolicited_data(void **state)
{
    (void)state;
    start(PEER_ECHO);
    assert_true(wait_presence(true, 3000));
    peer_send_raw(&card, (const uint8_t *)"\x00\x02\x90\x00", 4);
    assert_true(wait_presence(false, 2000));
    expect_next_card_works();
}

/* A frame the card sends unasked, with no presence check in between (pcscd
 * waits in the event function, which did not watch for data): the next
 * command must not get it as its answer; the card is ejected. */
static void test_unsolicited_frame_not_an_answer(void **state)
{
    (void)state;
    start(PEER_ECHO);
    assert_true(wait_presence(true, 3000));
    peer_send_raw(&card, (const uint8_t *)"\x00\x02\x90\x00", 4);
    usleep(50000); /* loopback: the stray frame is in the driver's socket */
    uint8_t resp[32];
    DWORD rlen = sizeof(resp);
    assert_int_equal(transmit("00A4000C023F00", resp, &rlen),
                     IFD_COMMUNICATION_ERROR);
    assert_int_equal(rlen, 0);
    assert_int_equal(IFDHICCPresence(LUN), IFD_ICC_NOT_PRESENT);
    expect_next_card_works();
}

/* The same before a power-up: the stray frame is not taken for the ATR. */
static void test_unsolicited_frame_not_an_atr(void **state)
{
    (void)state;
    start(PEER_ECHO);
    assert_true(wait_presence(true, 3000));
    peer_send_raw(&card, (const uint8_t *)"\x00\x02\x3B\x00", 4);
    usleep(50000);
    UCHAR atr[64];
    DWORD len = sizeof(atr);
    assert_int_equal(IFDHPowerICC(LUN, IFD_RESET, atr, &len),
                     IFD_ERROR_POWER_ACTION);
    assert_int_equal(IFDHICCPresence(LUN), IFD_ICC_NOT_PRESENT);
    expect_next_card_works();
}

static void test_split_response(void **state)
{
    (void)state;
    start(PEER_SPLIT);
    assert_true(wait_presence(true, 3000));
    uint8_t resp[32];
    DWORD rlen = sizeof(resp);
    assert_int_equal(transmit("00B0000010", resp, &rlen), IFD_SUCCESS);
    tu_assert_hex(resp, rlen, "00B00000109000");
    assert_int_equal(IFDHICCPresence(LUN), IFD_ICC_PRESENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_silent_card, stop),
        cmocka_unit_test_teardown(test_mute_card, stop),
        cmocka_unit_test_teardown(test_card_dies_in_transmit, stop),
        cmocka_unit_test_teardown(test_empty_response, stop),
        cmocka_unit_test_teardown(test_empty_atr, stop),
        cmocka_unit_test_teardown(test_one_byte_response, stop),
        cmocka_unit_test_teardown(test_two_responses, stop),
        cmocka_unit_test_teardown(test_long_atr, stop),
        cmocka_unit_test_teardown(test_unsolicited_data, stop),
        cmocka_unit_test_teardown(test_split_response, stop),
        cmocka_unit_test_teardown(test_unsolicited_frame_not_an_answer, stop),
        cmocka_unit_test_teardown(test_unsolicited_frame_not_an_atr, stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
