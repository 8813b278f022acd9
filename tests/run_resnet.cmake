cmake_minimum_required(VERSION 3.25)
# Residual networks end to end: tools/train/synth.py writes an untrained ResNet-20;
# `spincim map` shows each residual layer's shortcut; `spincim run` on synthetic
# CIFAR-shaped images (Monte Carlo scale dropout) gives the same report with and
# without MVM reuse, with the residual adds and the skip-buffer bits counted; and with
# dropout off its predictions on random CIFAR-10-format images agree with PyTorch's
# forward pass of the same exported model (tools/train/evaluate.py).
#   -DSIM=... -DPYTHON=... -DTOP=<source dir> -DOUT=<dir>
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT}/data/cifar-10)
foreach(method scale_dropout bnn)
  execute_process(COMMAND ${PYTHON} ${TOP}/tools/train/synth.py --topology resnet20
                          --method ${method} --out ${OUT} --name resnet20-${method}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 300)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "synth.py --topology resnet20 --method ${method} failed (${rc}): "
                        "${out}${err}")
  endif()
endforeach()
set(model ${OUT}/resnet20-scale_dropout.yaml)

execute_process(COMMAND ${SIM} map -p workload.model=${model}
                RESULT_VARIABLE rc OUTPUT_VARIABLE map ERROR_VARIABLE err TIMEOUT 60)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "spincim map failed (${rc}): ${err}")
endif()
foreach(line "s1b1c2 +conv +.*  [+] conv1\n"
             "s2b1c2 +conv .*  [+] s1b3c2, stride 2, channels 16 -> 32\n"
             "s3b3c2 +conv .*  [+] s3b2c2\n")
  if(NOT map MATCHES "${line}")
    message(FATAL_ERROR "spincim map does not show the shortcut '${line}':\n${map}")
  endif()
endforeach()

foreach(run reuse no-reuse)
  set(extra "")
  if(run STREQUAL "no-reuse")
    set(extra --no-reuse)
  endif()
  execute_process(COMMAND ${SIM} run ${TOP}/configs/default.yaml -p workload.model=${model}
                          -p workload.dataset=synthetic:3x32x32:20 --images 20 --threads 2
                          --out ${OUT}/${run} --force --quiet ${extra}
                  RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 300)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "spincim run (${run}) failed (${rc}): ${err}")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT}/reuse/report.json
                        ${OUT}/no-reuse/report.json RESULT_VARIABLE same)
if(NOT same EQUAL 0)
  message(FATAL_ERROR "report.json differs with and without MVM reuse")
endif()
file(READ ${OUT}/reuse/report.json json)
string(JSON adds GET "${json}" events residual_adds)
string(JSON skip GET "${json}" hardware skip_buffer_bits)
string(JSON passes GET "${json}" mc_samples)
# 9 residual layers: 3 of 16x32x32, 3 of 32x16x16, 3 of 64x8x8 outputs; 20 images.
math(EXPR want_adds "20 * ${passes} * 3 * (16384 + 8192 + 4096)")
# Sources: the stem and 3 block outputs of 16x32x32, 3 of 32x16x16, 2 of 64x8x8.
math(EXPR want_skip "4 * 16384 + 3 * 8192 + 2 * 4096")
if(NOT adds EQUAL want_adds OR NOT skip EQUAL want_skip)
  message(FATAL_ERROR "residual_adds ${adds} (want ${want_adds}), skip_buffer_bits ${skip} "
                      "(want ${want_skip})")
endif()

# Against PyTorch: 100 random images in CIFAR-10's binary format.
set(write_images "import numpy as np\n"
                 "r = np.random.default_rng(1)\n"
                 "labels, pixels = r.integers(0, 10, (100, 1)), r.integers(0, 256, (100, 3072))\n"
                 "rec = np.concatenate([labels, pixels], 1).astype(np.uint8)\n"
                 "rec.tofile('${OUT}/data/cifar-10/test_batch.bin')\n")
string(CONCAT write_images ${write_images})
execute_process(COMMAND ${PYTHON} -c "${write_images}" RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "writing the CIFAR-10-format images failed (${rc}): ${err}")
endif()
execute_process(COMMAND ${PYTHON} ${TOP}/tools/train/evaluate.py ${OUT}/resnet20-bnn.yaml
                        --dataset cifar-10 --data ${OUT}/data --images 100 --out ${OUT}/torch.csv
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 600)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "evaluate.py failed (${rc}): ${out}${err}")
endif()
execute_process(COMMAND ${SIM} run ${TOP}/configs/default.yaml
                        -p workload.model=${OUT}/resnet20-bnn.yaml -p workload.dataset=cifar-10
                        -p workload.data_dir=${OUT}/data
                        --images 100 --out ${OUT}/cifar --force --quiet --per-image ${OUT}/sim.csv
                RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 300)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "spincim run on CIFAR-10-format images failed (${rc}): ${err}")
endif()
include(${CMAKE_CURRENT_LIST_DIR}/agreement.cmake)
count_agreement(${OUT}/torch.csv ${OUT}/sim.csv agree total)
message(STATUS "ResNet-20: spincim and PyTorch predictions agree on ${agree} of ${total} images")
if(NOT total EQUAL 100 OR agree LESS 99)
  message(FATAL_ERROR "spincim and PyTorch agree on only ${agree} of ${total} images")
endif()

# The SystemC engine times the residual network (skip buffers between the block
# input and its second conv) with the same predictions and events as the functional one.
foreach(engine functional systemc)
  execute_process(COMMAND ${SIM} run ${TOP}/configs/default.yaml -p workload.model=${model}
                          -p workload.dataset=synthetic:3x32x32:20 --images 3 --engine ${engine}
                          --per-image ${OUT}/timing-${engine}.csv --out ${OUT}/timing-${engine} --force --quiet
                  RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 300)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "resnet20 on the ${engine} engine failed (${rc}): ${err}")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT}/timing-functional.csv
                        ${OUT}/timing-systemc.csv RESULT_VARIABLE diff)
file(READ ${OUT}/timing-functional/report.json jf)
file(READ ${OUT}/timing-systemc/report.json js)
string(JSON ef GET "${jf}" events)
string(JSON es GET "${js}" events)
string(JSON cycles GET "${js}" timing simulated_cycles)
if(NOT diff EQUAL 0 OR NOT ef STREQUAL es OR cycles LESS 100000)
  message(FATAL_ERROR "resnet20: the engines disagree or no timing (${cycles} cycles)")
endif()
