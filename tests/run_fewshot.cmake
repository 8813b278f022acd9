cmake_minimum_required(VERSION 3.25)
# Few-shot testing with the Bayesian test vector of MODEL over chip instances:
#  - identical chips.csv and report.json with 1 and 2 threads (5 % bit flips);
#  - chips without faults are the fault-free chip: every chip's sigma_y equals the
#    fault-free chip's on the same draw, so coverage equals the false-positive rate;
#  - coverage grows with the fault rate: 5 % bit flips flag at least as many of the 20
#    chips as 0.5 % do, and more than without faults.
#   -DSIM=... -DMODEL=<manifest with a test vector> -DCONFIG=... -DOUT=<dir>
function(run_chips name threads rate)
  file(REMOVE_RECURSE ${OUT}/${name})
  execute_process(COMMAND ${SIM} run ${CONFIG} -p workload.model=${MODEL}
                          -p testing.test_vector=true -p faults.bit_flip=${rate} --chips 20
                          --images 100 --threads ${threads} --seed 5 --out ${OUT}/${name} --quiet
                  RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 600)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "run ${name} failed (${rc}): ${err}")
  endif()
  file(READ ${OUT}/${name}/report.json json)
  foreach(k coverage verifiable_coverage false_positive_rate threshold)
    string(JSON v GET "${json}" few_shot ${k})
    set(${name}_${k} ${v} PARENT_SCOPE)
  endforeach()
endfunction()

include(${CMAKE_CURRENT_LIST_DIR}/same_files.cmake)
run_chips(t1 1 0.05)
run_chips(t2 2 0.05)
expect_same_files(${OUT}/t1 ${OUT}/t2 chips.csv report.json)

run_chips(none 2 0)
file(STRINGS ${OUT}/none/chips.csv rows)
list(POP_FRONT rows header)
if(NOT header MATCHES ",sigma_y,sigma_y_fault_free_same_draw,uncertain$")
  message(FATAL_ERROR "chips.csv header: ${header}")
endif()
foreach(row IN LISTS rows)
  string(REPLACE "," ";" f "${row}")
  list(GET f -3 sy)
  list(GET f -2 sff)
  if(NOT sy STREQUAL sff)
    message(FATAL_ERROR "fault-free chip row ${row}: sigma_y ${sy} != ${sff}")
  endif()
endforeach()
if(NOT none_coverage EQUAL none_false_positive_rate)
  message(FATAL_ERROR "no faults: coverage ${none_coverage} != FP rate ${none_false_positive_rate}")
endif()

run_chips(low 2 0.005)
if(t1_coverage LESS low_coverage OR NOT t1_coverage GREATER none_coverage)
  message(FATAL_ERROR "coverage: 5 % ${t1_coverage}, 0.5 % ${low_coverage}, none ${none_coverage}")
endif()
message(STATUS "ok: coverage 0 / 0.5 / 5 % bit flips: ${none_coverage} / ${low_coverage} / "
               "${t1_coverage} (verifiable at 5 %: ${t1_verifiable_coverage}; FP ${t1_false_positive_rate}); "
               "identical with 1 and 2 threads")
