# SPDX-License-Identifier: LGPL-2.1-or-later
# The fuzz targets and the libraries each links; fuzz/CMakeLists.txt builds
# them for libFuzzer, fuzz/replay.cmake as corpus replay tests.
set(SFC_FUZZ_TARGETS card codecs image control)
set(SFC_FUZZ_LIBS_card sfc_image)
set(SFC_FUZZ_LIBS_codecs sfc_core sfc_vpcd)
set(SFC_FUZZ_LIBS_image sfc_image)
set(SFC_FUZZ_LIBS_control sfc_vpcd)
