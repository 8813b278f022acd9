cmake_minimum_required(VERSION 3.25)
# Monte Carlo over faulty chip instances: the same config and seed give identical
# per-chip results with 1 and 2 threads; the report summarizes the chips.
foreach(t 1 2)
  file(REMOVE_RECURSE ${OUT}/t${t})
  execute_process(COMMAND ${SIM} run ${CONFIG} --images 200 --chips 4 --threads ${t} --seed 3
                          -p faults.bit_flip=0.02 -p faults.stuck_p=0.01 --out ${OUT}/t${t} --quiet
                  RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 600)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "chip run with ${t} threads failed (${rc}): ${err}")
  endif()
endforeach()
include(${CMAKE_CURRENT_LIST_DIR}/same_files.cmake)
expect_same_files(${OUT}/t1 ${OUT}/t2 chips.csv report.json)
file(READ ${OUT}/t1/report.json json)
string(JSON n GET "${json}" chips n)
string(JSON acc GET "${json}" chips accuracy_mean)
string(JSON free GET "${json}" chips fault_free_accuracy)
file(STRINGS ${OUT}/t1/chips.csv rows)
list(LENGTH rows nrows)
if(NOT n EQUAL 4 OR NOT nrows EQUAL 5 OR NOT acc LESS free)
  message(FATAL_ERROR "chips: n ${n}, ${nrows} csv lines, mean accuracy ${acc} vs fault-free ${free}")
endif()
message(STATUS "ok: 4 chips, accuracy ${acc} (fault-free ${free}), identical for 1 and 2 threads")
