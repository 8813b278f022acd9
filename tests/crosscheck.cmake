cmake_minimum_required(VERSION 3.25)
# Cross-check the simulator against PyTorch on the same images: the ideal chip's
# predictions (dropout off) must agree with PyTorch's eval-mode predictions of
# the exported model on at least 99.9 % of the images.
#   -DSIM=... -DPYTHON=... -DTOP=<source dir> -DMODEL=<manifest> -DIMAGES=N -DOUT=<dir>
# With -DTRAIN_TINY=ON the model is first trained by tools/train/train.py --tiny
# (trainer + exporter + simulator together).
file(MAKE_DIRECTORY ${OUT})
if(TRAIN_TINY)
  execute_process(COMMAND ${PYTHON} ${TOP}/tools/train/train.py --tiny --topology lenet5
                          --method scale_dropout --dataset mnist --out ${OUT} --name tiny
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 600)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "tiny training failed (${rc}): ${out}${err}")
  endif()
  set(MODEL ${OUT}/tiny.yaml)
endif()
execute_process(COMMAND ${PYTHON} ${TOP}/tools/train/evaluate.py ${MODEL} --images ${IMAGES}
                        --out ${OUT}/torch.csv
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 900)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "evaluate.py failed (${rc}): ${out}${err}")
endif()
execute_process(COMMAND ${SIM} run ${TOP}/configs/default.yaml -p workload.model=${MODEL}
                        -p dropout.enabled=false --images ${IMAGES} --out ${OUT}/sim --force --quiet
                        --per-image ${OUT}/sim.csv
                RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 900)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "spincim failed (${rc}): ${err}")
endif()
include(${CMAKE_CURRENT_LIST_DIR}/agreement.cmake)
count_agreement(${OUT}/torch.csv ${OUT}/sim.csv agree last)
math(EXPR need "(${last} * 999 + 999) / 1000")
message(STATUS "predictions agree on ${agree} of ${last} images (need ${need})")
if(agree LESS need)
  message(FATAL_ERROR "spincim and PyTorch agree on only ${agree} of ${last} images")
endif()
