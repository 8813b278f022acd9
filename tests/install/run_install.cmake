cmake_minimum_required(VERSION 3.25)
# `cmake --install` into a fresh prefix, then: a C program outside the tree built with
# the installed header and `pkg-config --cflags --libs spincim` runs a config through
# scim_run(); the installed CLI finds its configs and models under share/spincim.
# Variables: BUILD (build tree), OUT (scratch folder), SRC (tests/install), CC, DATA.
file(REMOVE_RECURSE ${OUT})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD} --prefix ${OUT}/prefix
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "install failed: ${err}")
endif()
set(ENV{PKG_CONFIG_PATH} ${OUT}/prefix/lib/pkgconfig)
execute_process(COMMAND pkg-config --cflags --libs spincim OUTPUT_VARIABLE flags
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pkg-config cannot find the installed spincim.pc: ${err}")
endif()
separate_arguments(flags UNIX_COMMAND "${flags}")
execute_process(COMMAND ${CC} -std=c11 -Wall -Werror ${SRC}/use_lib.c ${flags} -o ${OUT}/use_lib
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "a program using the installed header does not build: ${err}")
endif()
set(ENV{LD_LIBRARY_PATH} ${OUT}/prefix/lib)
set(ENV{SPINCIM_DATA} ${DATA})
execute_process(COMMAND ${OUT}/use_lib ${OUT}/prefix/share/spincim/configs/default.yaml 20
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "20 images, accuracy [01][.][0-9]+, energy [0-9.e-]+ J/image")
  message(FATAL_ERROR "the installed library did not run (${rc}): ${out}${err}")
endif()
execute_process(COMMAND ${OUT}/prefix/bin/spincim run --images 10 --quiet --out ${OUT}/cli
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT EXISTS ${OUT}/cli/report.json)
  message(FATAL_ERROR "the installed CLI did not run its default config (${rc}): ${err}")
endif()
# The plug-in template compiles outside the tree against the installed ABI header, as the
# README says, and a run uses it.
execute_process(COMMAND pkg-config --variable=includedir spincim OUTPUT_VARIABLE inc
                OUTPUT_STRIP_TRAILING_WHITESPACE)
file(COPY ${SRC}/../../devices/plugins/template.c DESTINATION ${OUT}/tpl)
execute_process(COMMAND ${CC} -std=c11 -O2 -Wall -Werror -fPIC -shared -fvisibility=hidden
                        -I ${inc}/spincim/devices ${OUT}/tpl/template.c -o ${OUT}/tpl/libmy_adc.so -lm
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the plug-in template does not build against the installed header: ${err}")
endif()
execute_process(COMMAND ${OUT}/prefix/bin/spincim run --images 5 --quiet --out ${OUT}/tplrun
                        -p adc.plugin=${OUT}/tpl/libmy_adc.so -p adc.model=my_adc
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT EXISTS ${OUT}/tplrun/report.json)
  message(FATAL_ERROR "a run with the template plug-in failed (${rc}): ${err}")
endif()
message(STATUS "${out}")
