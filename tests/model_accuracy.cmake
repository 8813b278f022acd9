cmake_minimum_required(VERSION 3.25)
# The shipped models, run by the simulator on the whole test split of the
# dataset they were trained on:
#  - dropout off: the accuracy equals the PyTorch accuracy recorded in the
#    manifest's provenance within 0.2 percentage points;
#  - the default config (LeNet-5, MC-Scale-Dropout, T = 10) reaches >= 98.0 %.
#   -DSIM=... -DTOP=<source dir> -DOUT=<dir>
file(GLOB manifests ${TOP}/workloads/models/*.yaml)
if(NOT manifests)
  message(FATAL_ERROR "no shipped models in workloads/models")
endif()
foreach(m IN LISTS manifests)
  get_filename_component(name ${m} NAME_WE)
  file(STRINGS ${m} acc_line REGEX "^  test_accuracy: ")
  string(REGEX REPLACE "^  test_accuracy: " "" torch_acc "${acc_line}")
  execute_process(COMMAND ${SIM} run ${TOP}/configs/default.yaml -p workload.model=${m}
                          -p workload.dataset= -p dropout.enabled=false -p workload.images=0
                          --out ${OUT}/${name} --force --quiet
                  RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 900)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name}: spincim failed (${rc}): ${err}")
  endif()
  file(READ ${OUT}/${name}/report.json json)
  string(JSON acc GET "${json}" accuracy)
  string(JSON n GET "${json}" images)
  # |acc - torch_acc| <= 0.002, compared in units of 1e-4 (integers only in CMake math).
  string(REGEX REPLACE "^0\\.([0-9][0-9][0-9][0-9]).*" "\\1" a4 "${acc}0000")
  string(REGEX REPLACE "^0\\.([0-9][0-9][0-9][0-9]).*" "\\1" t4 "${torch_acc}0000")
  math(EXPR d "${a4} - ${t4}")
  if(d LESS -20 OR d GREATER 20)
    message(FATAL_ERROR "${name}: spincim accuracy ${acc} vs PyTorch ${torch_acc} on ${n} images")
  endif()
  message(STATUS "${name}: spincim ${acc}, PyTorch ${torch_acc} (${n} images, dropout off)")
endforeach()
execute_process(COMMAND ${SIM} run ${TOP}/configs/default.yaml --out ${OUT}/default --force --quiet
                RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 900)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "default run failed (${rc}): ${err}")
endif()
file(READ ${OUT}/default/report.json json)
string(JSON acc GET "${json}" accuracy)
string(JSON n GET "${json}" images)
string(JSON t GET "${json}" mc_samples)
message(STATUS "default config: accuracy ${acc} on ${n} images, T = ${t}")
string(REGEX REPLACE "^0\\.([0-9][0-9][0-9][0-9]).*" "\\1" a4 "${acc}0000")
if(NOT n EQUAL 10000 OR NOT t EQUAL 10 OR a4 LESS 9800)
  message(FATAL_ERROR "default config: accuracy ${acc} on ${n} images with T = ${t}; need >= 0.98 on 10000 with T = 10")
endif()
