cmake_minimum_required(VERSION 3.25)
# End-to-end run of the default config on a few images, twice with the same
# seed: both runs must succeed, write report.json / report.csv / resolved.yaml,
# and give byte-identical report.json; report.json must hold the required keys.
# The resolved config must load again and give the same report, and the portable
# popcount path (SPINCIM_PORTABLE=1) must give the same report as the widest one.
foreach(run a b)
  file(REMOVE_RECURSE ${OUT}/${run})
  execute_process(COMMAND ${SIM} run ${CONFIG} --images ${IMAGES} --seed 7 --threads ${THREADS_${run}}
                  --out ${OUT}/${run} --quiet RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 600)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "run ${run} failed (${rc}): ${err}")
  endif()
  foreach(f report.json report.csv resolved.yaml)
    if(NOT EXISTS ${OUT}/${run}/${f})
      message(FATAL_ERROR "run ${run} did not write ${f}")
    endif()
  endforeach()
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT}/a/report.json ${OUT}/b/report.json
                RESULT_VARIABLE same)
if(NOT same EQUAL 0)
  message(FATAL_ERROR "report.json differs between two runs with the same seed (1 vs 2 threads)")
endif()
file(READ ${OUT}/a/report.json json)
foreach(key accuracy energy_per_image_j area_mm2 latency_per_image_s energy_breakdown_j events)
  string(JSON v ERROR_VARIABLE e GET "${json}" ${key})
  if(e)
    message(FATAL_ERROR "report.json lacks '${key}': ${e}")
  endif()
endforeach()
string(JSON crossbar GET "${json}" energy_breakdown_j crossbar)
string(JSON reads GET "${json}" events array_reads)
if(crossbar LESS_EQUAL 0 OR reads LESS_EQUAL 0)
  message(FATAL_ERROR "no crossbar energy or reads in report.json")
endif()
# A folder with results is refused without --force; --resume keeps results of the
# same config untouched and refuses those of another config.
execute_process(COMMAND ${SIM} run ${CONFIG} --images ${IMAGES} --seed 7 --out ${OUT}/a --quiet
                RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 600)
if(NOT rc EQUAL 1 OR NOT err MATCHES "already holds results")
  message(FATAL_ERROR "an existing results folder was not refused (${rc}): ${err}")
endif()
file(TIMESTAMP ${OUT}/a/report.json before)
execute_process(COMMAND ${SIM} run ${CONFIG} --images ${IMAGES} --seed 7 --out ${OUT}/a --resume
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 600)
file(TIMESTAMP ${OUT}/a/report.json after)
if(NOT rc EQUAL 0 OR NOT out MATCHES "complete" OR NOT before STREQUAL after)
  message(FATAL_ERROR "--resume did not keep the finished results (${rc}): ${out}${err}")
endif()
execute_process(COMMAND ${SIM} run ${CONFIG} --images ${IMAGES} --seed 8 --out ${OUT}/a --resume
                RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 600)
if(NOT rc EQUAL 1 OR NOT err MATCHES "another config")
  message(FATAL_ERROR "--resume accepted results of another config (${rc}): ${err}")
endif()
# The portable popcount path gives the same report as the widest one the CPU offers.
file(REMOVE_RECURSE ${OUT}/p)
execute_process(COMMAND ${CMAKE_COMMAND} -E env SPINCIM_PORTABLE=1
                        ${SIM} run ${CONFIG} --images ${IMAGES} --seed 7 --out ${OUT}/p --quiet
                RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 600)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "portable run failed (${rc}): ${err}")
endif()
file(READ ${OUT}/p/run-info.json info)
string(JSON kernel GET "${info}" popcount_kernel)
if(NOT kernel STREQUAL "portable")
  message(FATAL_ERROR "SPINCIM_PORTABLE=1 did not select the portable kernel (${kernel})")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT}/a/report.json ${OUT}/p/report.json
                RESULT_VARIABLE same)
if(NOT same EQUAL 0)
  message(FATAL_ERROR "the portable popcount path changes report.json")
endif()
# The resolved config reproduces the run.
execute_process(COMMAND ${SIM} run ${OUT}/a/resolved.yaml --images ${IMAGES} --seed 7 --out ${OUT}/c
                --quiet --force RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 600)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "rerun from resolved.yaml failed (${rc}): ${err}")
endif()
file(READ ${OUT}/c/report.json json_c)
string(JSON acc_a GET "${json}" accuracy)
string(JSON acc_c GET "${json_c}" accuracy)
string(JSON e_a GET "${json}" energy_per_image_j)
string(JSON e_c GET "${json_c}" energy_per_image_j)
if(NOT acc_a STREQUAL acc_c OR NOT e_a STREQUAL e_c)
  message(FATAL_ERROR "resolved.yaml does not reproduce the run: ${acc_a}/${e_a} vs ${acc_c}/${e_c}")
endif()
message(STATUS "ok: identical reports, required keys present, resolved.yaml reproduces the run")
