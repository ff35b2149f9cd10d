# SPDX-License-Identifier: LGPL-2.1-or-later
# The fuzz targets and what each links; fuzz/CMakeLists.txt builds them for
# libFuzzer, fuzz/replay.cmake as corpus replay tests.
#   SFC_FUZZ_LIBS_<t>  libraries (a target whose library is not built, such
#                      as driver without pcsc-lite, is left out)
#   SFC_FUZZ_SRCS_<t>  further sources; SFC_FUZZ_INCS_<t> include directories
set(SFC_FUZZ_TARGETS card codecs image control sm driver scio)
set(SFC_FUZZ_LIBS_card sfc_image)
set(SFC_FUZZ_LIBS_codecs sfc_core sfc_vpcd)
set(SFC_FUZZ_LIBS_image sfc_image)
set(SFC_FUZZ_LIBS_control sfc_vpcd)
# sm: the ePass test terminal (BAC and SM from OpenSSL alone) and the nPA
# test terminal (PACE and AES SM on OpenPACE's terminal side) wrap commands
set(SFC_FUZZ_LIBS_sm sfc_image)
set(SFC_FUZZ_SRCS_sm ${PROJECT_SOURCE_DIR}/tests/unit/epass_terminal.c
                     ${PROJECT_SOURCE_DIR}/tests/unit/npa_terminal.c)
set(SFC_FUZZ_INCS_sm ${PROJECT_SOURCE_DIR}/tests/unit)
set(SFC_FUZZ_LIBS_driver sfc_driver)
set(SFC_FUZZ_LIBS_scio sfc_scio)
