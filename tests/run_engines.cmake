cmake_minimum_required(VERSION 3.25)
# The two engines on the same config, images and seed: identical predictions
# (per-image CSV) and event counts; the SystemC run reports its timing section.
# Then the cycle-level latency against its design rules on a config where the
# buffers and ADCs matter (binary first layer, passes pipelined): doubling the
# buffer depth never increases the latency; halving the ADCs (twice the columns
# per ADC) never decreases it. A VCD trace is written for the images asked.
function(run_sim out)
  execute_process(COMMAND ${SIM} ${ARGN} --out ${out} --force --quiet
                  RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 600)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "spincim ${ARGN} failed (${rc}): ${err}")
  endif()
endfunction()
function(json_get var file)
  file(READ ${file} json)
  string(JSON v GET "${json}" ${ARGN})
  set(${var} ${v} PARENT_SCOPE)
endfunction()

run_sim(${OUT}/functional run ${CONFIG} --images ${IMAGES} --per-image ${OUT}/functional.csv)
run_sim(${OUT}/systemc run ${CONFIG} --engine systemc --images ${IMAGES} --per-image ${OUT}/systemc.csv
        --vcd ${OUT}/trace --vcd-images 1:1)
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT}/functional.csv ${OUT}/systemc.csv
                RESULT_VARIABLE diff)
if(NOT diff EQUAL 0)
  message(FATAL_ERROR "the engines' predictions differ (${OUT}/functional.csv vs systemc.csv)")
endif()
json_get(ef ${OUT}/functional/report.json events)
json_get(es ${OUT}/systemc/report.json events)
if(NOT ef STREQUAL es)
  message(FATAL_ERROR "the engines' event counts differ:\n${ef}\n${es}")
endif()
json_get(model ${OUT}/systemc/report.json latency_model)
json_get(cycles ${OUT}/systemc/report.json timing simulated_cycles)
if(NOT model MATCHES "SystemC" OR cycles LESS 1000)
  message(FATAL_ERROR "no cycle-level timing in the SystemC report (${model}, ${cycles} cycles)")
endif()
file(SIZE ${OUT}/trace.vcd vcd)
file(STRINGS ${OUT}/trace.vcd busy REGEX "xbar_conv1_busy")
if(vcd LESS 1000 OR NOT busy)
  message(FATAL_ERROR "the VCD trace is missing or empty")
endif()

set(base -p mapping.first_layer_encoding=binary -p dropout.overlap_passes=true --images 3)
# Latency over a key's values must never move against `direction` (GREATER: never
# rise; LESS: never fall) from one value to the next.
function(monotone key direction what)
  set(prev 0)
  foreach(v ${ARGN})
    run_sim(${OUT}/${key}-${v} timing ${CONFIG} ${base} -p ${key}=${v})
    json_get(lat ${OUT}/${key}-${v}/report.json timing mean_image_latency_cycles)
    if(prev AND lat ${direction} prev)
      message(FATAL_ERROR "${key} = ${v}: latency ${lat} cycles against ${prev} ${what}")
    endif()
    set(prev ${lat})
  endforeach()
  set(last ${lat} PARENT_SCOPE)
endfunction()
monotone(buffer.depth GREATER "at half the depth" 40 80 160 320 640)
monotone(adc.columns_per_adc LESS "with twice the ADCs" 2 4 8 16 32)
set(lat ${last})
json_get(l2 ${OUT}/adc.columns_per_adc-2/report.json timing mean_image_latency_cycles)
if(NOT lat GREATER l2)
  message(FATAL_ERROR "32 columns per ADC is not slower than 2 (${lat} vs ${l2} cycles)")
endif()
