# SPDX-License-Identifier: LGPL-2.1-or-later
# Run by `cmake --install` (through sfc_install_configured() in
# cmake/install.cmake): writes one file from a template into its install
# directory, with the directories of the prefix given at install time, so
# that `cmake --install --prefix DIR` and DESTDIR give files that name the
# installed paths.
#
# In:  SFC_TEMPLATE   the template (@VAR@ substitution only)
#      SFC_DEST_DIR   install directory, relative to the prefix or absolute
#      SFC_DEST_NAME  file name
#      SFC_BINDIR, SFC_LIBDIR, SFC_INCLUDEDIR  GNUInstallDirs directories
#      PROJECT_VERSION, and whatever else the template uses
# The template sees:
#      SFC_PC_PREFIX      the prefix
#      SFC_PC_LIBDIR      ${prefix}/LIBDIR (pkg-config form) or absolute
#      SFC_PC_INCLUDEDIR  ${prefix}/INCLUDEDIR (pkg-config form) or absolute
#      SFC_FULL_BINDIR    the absolute bin directory
set(SFC_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")

# sfc_under(OUT BASE DIR): DIR if absolute, else BASE/DIR; BASE is
# "${prefix}" for pkg-config form, the install prefix for an absolute path
# (without DESTDIR).
function(sfc_under out base dir)
  if(IS_ABSOLUTE "${dir}")
    set(${out} "${dir}" PARENT_SCOPE)
  else()
    set(${out} "${base}/${dir}" PARENT_SCOPE)
  endif()
endfunction()

sfc_under(SFC_PC_LIBDIR "\${prefix}" "${SFC_LIBDIR}")
sfc_under(SFC_PC_INCLUDEDIR "\${prefix}" "${SFC_INCLUDEDIR}")
sfc_under(SFC_FULL_BINDIR "${CMAKE_INSTALL_PREFIX}" "${SFC_BINDIR}")
sfc_under(sfc_dest_dir "${CMAKE_INSTALL_PREFIX}" "${SFC_DEST_DIR}")

set(sfc_dest "$ENV{DESTDIR}${sfc_dest_dir}/${SFC_DEST_NAME}")
message(STATUS "Installing: ${sfc_dest}")
configure_file("${SFC_TEMPLATE}" "${sfc_dest}" @ONLY)
list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${sfc_dest}")
