cmake_minimum_required(VERSION 3.25)
# The analog read mode end to end (arch/analog/analog.h):
#  1. with no variation it reports exactly what the digital mode reports;
#  2. with device-to-device variation and read noise over chips, report.json and
#     chips.csv are byte-identical with 1 and 2 threads;
#  3. accuracy falls and ADC misreads grow with the variation sigma (0, 5 %, 20 %).
function(sim out)
  file(REMOVE_RECURSE ${OUT}/${out})
  execute_process(COMMAND ${SIM} run ${CONFIG} --out ${OUT}/${out} --quiet -p workload.ood= ${ARGN}
                  RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 600)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "run ${out} failed (${rc}): ${err}")
  endif()
endfunction()

function(report_without_mode dir var)
  file(READ ${OUT}/${dir}/report.json json)
  string(REGEX REPLACE "\"config_hash\": \"[0-9a-f]*\"" "" json "${json}")
  string(REGEX REPLACE "\"read_mode\": \"[a-z]*\"" "" json "${json}")
  set(${var} "${json}" PARENT_SCOPE)
endfunction()

sim(digital --images 200)
sim(analog0 --images 200 -p crossbar.read_mode=analog)
report_without_mode(digital d)
report_without_mode(analog0 a)
if(NOT d STREQUAL a)
  message(FATAL_ERROR "analog mode without variation differs from the digital mode")
endif()

set(noisy --images 30 --chips 2 -p crossbar.read_mode=analog -p faults.d2d_sigma=4%
          -p faults.c2c_sigma=3% -p faults.c2c_sigma_add=20nS)
sim(t1 ${noisy} --threads 1)
sim(t2 ${noisy} --threads 2)
include(${CMAKE_CURRENT_LIST_DIR}/same_files.cmake)
expect_same_files(${OUT}/t1 ${OUT}/t2 chips.csv report.json)
file(READ ${OUT}/t1/report.json json)
string(JSON mode GET "${json}" read_mode)
string(JSON c2c GET "${json}" variation c2c_sigma)
if(NOT mode STREQUAL "analog" OR NOT c2c EQUAL 0.03)
  message(FATAL_ERROR "report.json: read_mode '${mode}', c2c_sigma '${c2c}'")
endif()

set(prev_acc 2)
set(prev_mis -1)
foreach(sigma 0 5% 20%)
  string(REPLACE "%" "pc" name "d2d${sigma}")
  sim(${name} --images 200 --chips 3 -p crossbar.read_mode=analog -p faults.d2d_sigma=${sigma})
  file(READ ${OUT}/${name}/report.json json)
  string(JSON acc GET "${json}" chips accuracy_mean)
  string(JSON mis GET "${json}" chips misread_rate_mean)
  message(STATUS "D2D sigma ${sigma}: accuracy ${acc}, misread rate ${mis}")
  if(NOT acc LESS prev_acc OR NOT mis GREATER prev_mis)
    message(FATAL_ERROR "sigma ${sigma}: accuracy ${acc} (before ${prev_acc}), misread rate ${mis} (before ${prev_mis})")
  endif()
  set(prev_acc ${acc})
  set(prev_mis ${mis})
endforeach()
message(STATUS "ok: analog = digital without variation; identical for 1 and 2 threads; accuracy falls with sigma")
