# SPDX-License-Identifier: LGPL-2.1-or-later
# What `cmake --install` puts in place besides the programs and libraries
# (installed where they are built): pkg-config files, man pages, bash
# completion, the systemd unit template, documentation and examples.
# docs/install.md lists every installed file by component:
#
#   emulator  softcard, scio, their man pages and completion, softcard(5)'s
#             image page, the systemd unit, the documentation
#   libscio   libscio.so.N (the runtime library)
#   dev       headers, .pc files, the libscio.so link, the examples
#   driver    the pcscd driver, its reader.conf.d entry and man page
#
# Included by the top-level CMakeLists.txt after the parts are defined.

set(SOFTCARD_BASH_COMPLETION_DIR
    ${CMAKE_INSTALL_DATADIR}/bash-completion/completions CACHE STRING
    "Install directory of the bash completion scripts (relative to the prefix unless absolute)")
set(SOFTCARD_EXAMPLES_DIR ${CMAKE_INSTALL_DOCDIR}/examples CACHE STRING
    "Install directory of the examples (relative to the prefix unless absolute)")
# systemd reads units under /usr/local too; with the prefix /usr they go
# where the distribution's systemd wants them (/lib/systemd/system on
# Debian 12).
if(NOT DEFINED SOFTCARD_SYSTEMD_UNIT_DIR)
  set(sfc_unit_dir lib/systemd/system)
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    pkg_get_variable(sfc_systemd_unit_dir systemd systemdsystemunitdir)
    if(sfc_systemd_unit_dir)
      set(sfc_unit_dir ${sfc_systemd_unit_dir})
    endif()
  endif()
  set(SOFTCARD_SYSTEMD_UNIT_DIR ${sfc_unit_dir} CACHE STRING
      "Install directory of softcard@.service (relative to the prefix unless absolute)")
endif()

# sfc_install_configured(TEMPLATE DIR NAME COMPONENT [VAR...]): install
# TEMPLATE as DIR/NAME, its @VAR@s filled in at install time by
# cmake/install_configured.cmake (the install prefix, the directories, the
# version, and the VARs given, with their current values).
function(sfc_install_configured template dir name component)
  set(vars "")
  foreach(var ${ARGN})
    string(APPEND vars "set(${var} \"${${var}}\")\n")
  endforeach()
  install(CODE "
    set(SFC_TEMPLATE \"${template}\")
    set(SFC_DEST_DIR \"${dir}\")
    set(SFC_DEST_NAME \"${name}\")
    set(SFC_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
    set(SFC_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
    set(SFC_INCLUDEDIR \"${CMAKE_INSTALL_INCLUDEDIR}\")
    set(PROJECT_VERSION \"${PROJECT_VERSION}\")
    ${vars}
    include(\"${PROJECT_SOURCE_DIR}/cmake/install_configured.cmake\")
  " COMPONENT ${component})
endfunction()

# ---- pkg-config -------------------------------------------------------------
# softcard-cardtype.pc: Cflags only (plugins link nothing; the functions
# come from the softcard program). libscio.pc: the client library.
file(STRINGS ${PROJECT_SOURCE_DIR}/include/softcard-cardtype.h SFC_PC_ABI
     REGEX "^#define SFC_CARD_TYPE_ABI [0-9]+")
string(REGEX REPLACE "[^0-9]" "" SFC_PC_ABI "${SFC_PC_ABI}")
sfc_install_configured(${PROJECT_SOURCE_DIR}/cmake/softcard-cardtype.pc.in
                       ${CMAKE_INSTALL_LIBDIR}/pkgconfig softcard-cardtype.pc
                       dev SFC_PC_ABI)
if(TARGET libscio)
  sfc_install_configured(${PROJECT_SOURCE_DIR}/cmake/libscio.pc.in
                         ${CMAKE_INSTALL_LIBDIR}/pkgconfig libscio.pc dev)
endif()

# ---- man pages --------------------------------------------------------------
# man/NAME.SECTION.in, with @PROJECT_VERSION@ filled in at configure time.
# sfc_install_man(NAME SECTION COMPONENT)
function(sfc_install_man name section component)
  set(out ${PROJECT_BINARY_DIR}/man/${name}.${section})
  configure_file(${PROJECT_SOURCE_DIR}/man/${name}.${section}.in ${out} @ONLY)
  install(FILES ${out} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section}
          COMPONENT ${component})
endfunction()
if(TARGET softcard)
  sfc_install_man(softcard 1 emulator)
  sfc_install_man(softcard-image 5 emulator)
  install(FILES ${PROJECT_SOURCE_DIR}/completions/softcard
          DESTINATION ${SOFTCARD_BASH_COMPLETION_DIR} COMPONENT emulator)
  sfc_install_configured(${PROJECT_SOURCE_DIR}/systemd/softcard@.service.in
                         ${SOFTCARD_SYSTEMD_UNIT_DIR} softcard@.service
                         emulator)
endif()
if(TARGET scio)
  sfc_install_man(scio 1 emulator)
  install(FILES ${PROJECT_SOURCE_DIR}/completions/scio
          DESTINATION ${SOFTCARD_BASH_COMPLETION_DIR} COMPONENT emulator)
endif()
if(TARGET ifdsoftcard)
  sfc_install_man(softcard-driver 8 driver)
endif()

# ---- documentation and examples ---------------------------------------------
# The README keeps its relative links: docs/ goes next to it.
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT emulator)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs COMPONENT emulator
        FILES_MATCHING PATTERN "*.md")
install(FILES ${PROJECT_SOURCE_DIR}/examples/wait_and_send.c
        DESTINATION ${SOFTCARD_EXAMPLES_DIR} COMPONENT dev)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/cardtype
                  ${PROJECT_SOURCE_DIR}/examples/images
        DESTINATION ${SOFTCARD_EXAMPLES_DIR} COMPONENT dev
        FILES_MATCHING PATTERN "*.c" PATTERN "CMakeLists.txt"
                       PATTERN "*.json")
