# SPDX-License-Identifier: LGPL-2.1-or-later
# Included by tests/CMakeLists.txt: each fuzz target built with the plain
# main() of fuzz/replay.c (no libFuzzer, any compiler) and one test,
# fuzz.replay.<target>, that feeds it every input of fuzz/corpus/<target>
# once. Under SOFTCARD_SANITIZE this runs the corpora under ASan/UBSan.
include(${PROJECT_SOURCE_DIR}/fuzz/targets.cmake)
foreach(t ${SFC_FUZZ_TARGETS})
  set(missing FALSE)
  foreach(lib ${SFC_FUZZ_LIBS_${t}})
    if(NOT TARGET ${lib})
      set(missing TRUE)
    endif()
  endforeach()
  if(missing)
    continue()
  endif()
  add_executable(fuzz_${t}_replay ${PROJECT_SOURCE_DIR}/fuzz/fuzz_${t}.c
                                  ${PROJECT_SOURCE_DIR}/fuzz/replay.c
                                  ${SFC_FUZZ_SRCS_${t}})
  target_include_directories(fuzz_${t}_replay PRIVATE ${SFC_FUZZ_INCS_${t}})
  target_link_libraries(fuzz_${t}_replay PRIVATE ${SFC_FUZZ_LIBS_${t}})
  add_test(NAME fuzz.replay.${t}
           COMMAND fuzz_${t}_replay ${PROJECT_SOURCE_DIR}/fuzz/corpus/${t})
  set_tests_properties(fuzz.replay.${t} PROPERTIES LABELS "unit;fuzz"
                       TIMEOUT 300)
endforeach()
