cmake_minimum_required(VERSION 3.25)
# Trainer round trip: tools/train/train.py --tiny exports a BNN, tools/train/testvec.py
# adds its Bayesian test vector (the other tensors unchanged), and the simulator loads
# the model and tests chips with it. With the variance made negligible every sample is
# the rounded mean, and the simulator's sigma_y of the fault-free chip must equal the
# PyTorch reference's (docs/model-format.md semantics) to 1e-9.
#   -DSIM=... -DPYTHON=... -DTOP=<source dir> -DOUT=<dir>
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                  TIMEOUT 600)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}): ${out}${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

run("tiny training" ${PYTHON} ${TOP}/tools/train/train.py --tiny --topology lenet5 --method bnn
    --dataset mnist --out ${OUT} --name tiny)
file(COPY_FILE ${OUT}/tiny.safetensors ${OUT}/before.safetensors)
run("testvec.py" ${PYTHON} ${TOP}/tools/train/testvec.py ${OUT}/tiny.yaml --steps 20 --batch 4
    --quiet)
message(STATUS "${out}")
run("tensor comparison" ${PYTHON} ${TOP}/tests/python/testvec_check.py same-tensors
    ${OUT}/before.safetensors ${OUT}/tiny.safetensors)
file(READ ${OUT}/tiny.yaml manifest)
if(NOT manifest MATCHES "\ntest_vector:\n  samples: 10\n  alpha: 0.01\n  steps: 20\n")
  message(FATAL_ERROR "tiny.yaml has no test_vector block:\n${manifest}")
endif()
run("spincim run" ${SIM} run ${TOP}/configs/default.yaml -p workload.model=${OUT}/tiny.yaml
    -p testing.test_vector=true -p faults.bit_flip=0.01 --chips 3 --images 50 --out ${OUT}/run
    --quiet)

run("deterministic vector" ${PYTHON} ${TOP}/tests/python/testvec_check.py deterministic
    ${OUT}/tiny.yaml ${OUT})
string(STRIP "${out}" torch_sigma)
run("spincim run (deterministic vector)" ${SIM} run ${TOP}/configs/default.yaml
    -p workload.model=${OUT}/det.yaml -p testing.test_vector=true --images 10 --out ${OUT}/det
    --quiet)
file(READ ${OUT}/det/report.json json)
string(JSON sim_sigma GET "${json}" few_shot sigma_y_reference)
run("sigma comparison" ${PYTHON} -c
    "import sys; a, b = ${sim_sigma}, ${torch_sigma}; sys.exit(abs(a - b) > 1e-9 * max(1.0, abs(b)))")
message(STATUS "ok: sigma_y of the fault-free chip ${sim_sigma} (simulator) vs ${torch_sigma} (PyTorch)")
