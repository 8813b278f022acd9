cmake_minimum_required(VERSION 3.25)
# Shapes-only models against tools/train/synth.py: every manifest of workloads/shapes/
# names, in its comment, the synth.py command that writes the same topology with
# random weights of its own (PyTorch's generator). The two models must map to the same
# arrays (`spincim map`) and give the same report wherever the weights' values do not
# enter: every event count per run and per layer except the data-dependent ones (LRS
# cells read, ADC clips, ADC misreads), energies (table mode prices events, not cells),
# areas, storage, the Bayesian hardware, latency, and the SystemC engine's timing.
# Skipped (not failed) when python3-torch is missing.
#   -DSIM=... -DPYTHON=... -DTOP=<source dir> -DOUT=<dir>
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT}/synth)
execute_process(COMMAND ${PYTHON} -c "import torch" RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(NOT rc EQUAL 0)
  message("shapes: skipped: python3-torch is missing, so tools/train/synth.py cannot run")
  return()
endif()

# The counts that depend on the weights' values (and so differ between two random draws).
set(data_dependent cells_read_lrs adc_clips adc_misreads)

# One python3 run writes every synth.py model (torch is imported once).
file(GLOB manifests ${TOP}/workloads/shapes/*.yaml)
set(names "")
set(driver "import sys\nsys.path.insert(0, '${TOP}/tools/train')\nimport synth\n")
foreach(m IN LISTS manifests)
  get_filename_component(n ${m} NAME_WE)
  file(STRINGS ${m} line REGEX "tools/train/synth.py [^`]*`" LIMIT_COUNT 1)
  string(REGEX REPLACE ".*tools/train/synth.py ([^`]*)`.*" "\\1" args "${line}")
  if(NOT line OR NOT args)
    message(FATAL_ERROR "${m} does not name its synth.py command in a comment")
  endif()
  separate_arguments(args UNIX_COMMAND "${args}")
  list(APPEND args --out ${OUT}/synth --name ${n})
  list(JOIN args "', '" quoted)
  string(APPEND driver "synth.main(['${quoted}'])\n")
  list(APPEND names ${n})
endforeach()
execute_process(COMMAND ${PYTHON} -c "${driver}" RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err TIMEOUT 600)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "synth.py failed (${rc}): ${out}${err}")
endif()

function(spincim out_var)
  execute_process(COMMAND ${SIM} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err TIMEOUT 600)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "spincim ${ARGN} failed (${rc}): ${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

# The part of report.json that must not depend on the weights' values, as text.
function(weight_free_part report out_var)
  file(READ ${report} j)
  set(part "")
  foreach(key images mc_samples storage bayesian_hardware energy_per_image_j
              energy_dynamic_per_image_j energy_static_per_image_j static_power_w
              energy_breakdown_j area_mm2 area_breakdown_mm2 latency_per_image_s
              latency_cycles_per_image ops_per_image tops_per_w hardware)
    string(JSON v GET "${j}" ${key})
    string(APPEND part "${key}: ${v}\n")
  endforeach()
  string(JSON timing ERROR_VARIABLE none GET "${j}" timing)
  if(NOT none)
    string(APPEND part "timing: ${timing}\n")
  endif()
  string(JSON ev GET "${j}" events)
  foreach(k IN LISTS data_dependent)
    string(JSON ev REMOVE "${ev}" ${k})
  endforeach()
  string(APPEND part "events: ${ev}\n")
  string(JSON n LENGTH "${j}" layers)
  math(EXPR last "${n} - 1")
  foreach(i RANGE ${last})
    string(JSON ly GET "${j}" layers ${i})
    foreach(k IN LISTS data_dependent)
      string(JSON ly REMOVE "${ly}" events ${k})
    endforeach()
    string(APPEND part "layers[${i}]: ${ly}\n")
  endforeach()
  set(${out_var} "${part}" PARENT_SCOPE)
endfunction()

# Both models of one name through one command; their weight-free parts must agree.
function(compare n cmd images)
  foreach(side shapes synth)
    set(model ${TOP}/workloads/shapes/${n}.yaml)
    if(side STREQUAL "synth")
      set(model ${OUT}/synth/${n}.yaml)
    endif()
    spincim(ignored ${cmd} ${TOP}/configs/default.yaml -p workload.model=${model} --images ${images}
            --threads 2 --quiet --force --out ${OUT}/${cmd}-${side}-${n})
    weight_free_part(${OUT}/${cmd}-${side}-${n}/report.json part_${side})
  endforeach()
  if(NOT part_shapes STREQUAL part_synth)
    file(WRITE ${OUT}/${cmd}-${n}-shapes.txt "${part_shapes}")
    file(WRITE ${OUT}/${cmd}-${n}-synth.txt "${part_synth}")
    message(FATAL_ERROR "${n} (${cmd}): the shapes-only model and synth.py's differ beyond the "
                        "data-dependent counts: diff ${OUT}/${cmd}-${n}-shapes.txt "
                        "${OUT}/${cmd}-${n}-synth.txt")
  endif()
  file(READ ${OUT}/${cmd}-shapes-${n}/report.json a)
  file(READ ${OUT}/${cmd}-synth-${n}/report.json b)
  string(JSON la GET "${a}" events cells_read_lrs)
  string(JSON lb GET "${b}" events cells_read_lrs)
  string(JSON w GET "${a}" weights)
  if(NOT w STREQUAL "random")
    message(FATAL_ERROR "${n}: report.json does not say \"weights\": \"random\"")
  endif()
  message(STATUS "${n} (${cmd}): identical; cells_read_lrs ${la} (shapes) vs ${lb} (synth.py)")
endfunction()

foreach(n IN LISTS names)
  foreach(side shapes synth)
    set(model ${TOP}/workloads/shapes/${n}.yaml)
    if(side STREQUAL "synth")
      set(model ${OUT}/synth/${n}.yaml)
    endif()
    spincim(map_${side} map ${TOP}/configs/default.yaml -p workload.model=${model})
  endforeach()
  if(NOT map_shapes STREQUAL map_synth)
    message(FATAL_ERROR "${n}: spincim map differs:\n${map_shapes}\nsynth.py:\n${map_synth}")
  endif()
  compare(${n} run 10)
  compare(${n} timing 2)
endforeach()
list(LENGTH names count)
message(STATUS "shapes: ${count} shapes-only models map and count like synth.py's")
