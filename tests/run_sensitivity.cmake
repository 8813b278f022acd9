cmake_minimum_required(VERSION 3.25)
# `spincim sensitivity` end to end on the default config: the directions the physics
# gives hold in sensitivity.csv (energy with the supply, the ADC resolution, the array
# size and the node; latency with the clock and rows_per_read; area with the array
# size), chip.temperature changes something (leakage), keys that are not hardware
# (uncertainty.*, workload.*) are skipped, a step the technology refuses is a note and
# not an error, a misspelt --keys prefix is an error, and the CSV does not depend on
# the thread count.

# Run spincim with ARGN; fail unless it exits with `want`; stdout into out_var.
function(sim want out_var)
  execute_process(COMMAND ${SIM} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err TIMEOUT 300)
  if(NOT rc EQUAL want)
    message(FATAL_ERROR "spincim ${ARGN}: exit ${rc}, expected ${want}\n${out}${err}")
  endif()
  set(${out_var} "${out}${err}" PARENT_SCOPE)
endfunction()

# The CSV row of key in dir/sensitivity.csv as a list (its fields up to the note).
function(row dir key out_var)
  file(STRINGS ${dir}/sensitivity.csv lines REGEX "^${key},")
  list(LENGTH lines n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "${dir}/sensitivity.csv: ${n} rows for '${key}'")
  endif()
  string(REPLACE "," ";" fields "${lines}")
  set(${out_var} "${fields}" PARENT_SCOPE)
endfunction()

set(columns key unit value step_down_value step_up_value d_energy_down d_energy_up d_area_down
    d_area_up d_latency_down d_latency_up d_accuracy_down d_accuracy_up note)

# The field `column` of key's row.
function(field dir key column out_var)
  row(${dir} ${key} fields)
  list(FIND columns ${column} i)
  list(GET fields ${i} v)
  set(${out_var} "${v}" PARENT_SCOPE)
endfunction()

# metric of key moves with the step: "rises" (down < 0 < up) or "falls" (down > 0 > up);
# "down+" / "up+" / "down-" / "up-" check one step alone.
function(expect dir key metric how why)
  field(${dir} ${key} d_${metric}_down down)
  field(${dir} ${key} d_${metric}_up up)
  set(ok FALSE)
  if(how STREQUAL "rises" AND down LESS 0 AND up GREATER 0)
    set(ok TRUE)
  elseif(how STREQUAL "falls" AND down GREATER 0 AND up LESS 0)
    set(ok TRUE)
  elseif(how STREQUAL "down+" AND down GREATER 0)
    set(ok TRUE)
  elseif(how STREQUAL "down-" AND down LESS 0)
    set(ok TRUE)
  endif()
  if(NOT ok)
    message(FATAL_ERROR "${dir}: ${metric} does not hold '${how}' with ${key} (${why}): "
                        "${down} stepping down, ${up} stepping up")
  endif()
endfunction()

file(REMOVE_RECURSE ${OUT})
string(TIMESTAMP t0 "%s")
sim(0 table sensitivity ${CONFIG} --images 50 --keys chip,crossbar,adc,accumulator,scale_memory
    --out ${OUT}/calibrated)
string(TIMESTAMP t1 "%s")
math(EXPR secs "${t1} - ${t0}")
message(STATUS "sensitivity of ${CONFIG} (50 images): ${secs} s")
if(NOT EXISTS ${OUT}/calibrated/sensitivity.csv OR NOT table MATCHES "changes nothing \\([0-9]+\\):")
  message(FATAL_ERROR "no sensitivity.csv or no 'changes nothing' list:\n${table}")
endif()
file(STRINGS ${OUT}/calibrated/sensitivity.csv header LIMIT_COUNT 1)
string(REPLACE ";" "," want "${columns}")
if(NOT header STREQUAL want)
  message(FATAL_ERROR "sensitivity.csv header: '${header}', expected '${want}'")
endif()

set(c ${OUT}/calibrated)
expect(${c} chip.vdd energy rises "C V^2")
expect(${c} adc.bits energy rises "a flash ADC has 2^bits - 1 comparators")
# rows: every read costs more with longer bitlines and a larger decoder (the dynamic
# energy rises, checked on the reports below), but LeNet-5 needs fewer arrays, each
# with its ADCs, so the chip leaks less; at 128 rows the leakage of 45 arrays outweighs
# the cheaper reads.
expect(${c} crossbar.rows energy down+ "45 arrays leak more than 24")
expect(${c} crossbar.columns energy rises "every read drives more columns")
expect(${c} chip.technology_node energy rises "capacitances grow with the feature size")
expect(${c} chip.technology_node area rises "F^2 areas")
expect(${c} crossbar.columns area rises "LeNet-5's layers are narrower than 256 columns")
# The latency steps of the clock: a slower clock is slower. A faster one (1.05 GHz) is
# not faster here: the 10 ns read pulse rounds up to 11 cycles of 0.95 ns (10.48 ns).
expect(${c} chip.clock latency down+ "a slower clock")
# rows_per_read: with more weights per read there are fewer reads, conversions and
# accumulations per image, so energy and latency fall (at a fixed ADC resolution; in
# calibrated mode the crossbar_read entry scales with the rows read, decode_sense with
# the wordlines only). It holds in physical mode too (below).
expect(${c} crossbar.rows_per_read energy falls "fewer reads per weight")
expect(${c} crossbar.rows_per_read latency falls "fewer reads per weight")
# rows: each array's own area rises with its rows (checked on the reports below), but
# the chip needs fewer arrays for LeNet-5's fan-in (45, 24, 14 arrays at 128, 256, 512
# rows), each with 32 flash ADCs and its accumulators, so the chip's area falls.
expect(${c} crossbar.rows area falls "fewer arrays, each with its ADCs")
# chip.temperature changes something (leakage, the cells' read currents).
field(${c} chip.temperature d_energy_up dt)
field(${c} chip.temperature note nt)
if(dt EQUAL 0 OR nt MATCHES "changes nothing")
  message(FATAL_ERROR "chip.temperature changes nothing (${dt}, ${nt})")
endif()
# A write parameter changes nothing in inference and is listed as such.
field(${c} crossbar.cell.i_write note ni)
if(NOT ni MATCHES "^changes nothing" OR NOT table MATCHES "crossbar.cell.i_write")
  message(FATAL_ERROR "crossbar.cell.i_write: '${ni}', expected 'changes nothing'")
endif()
file(READ ${c}/sensitivity.csv csv)
if(csv MATCHES "\n(uncertainty|workload|dropout|energy)[.]")
  message(FATAL_ERROR "--keys chip,crossbar,... let other keys into sensitivity.csv")
endif()

# The same directions of rows_per_read (and adc.bits) with the models alone.
sim(0 ignored sensitivity ${CONFIG} --images 50 --keys crossbar.rows_per_read,adc.bits
    -p energy.mode=physical --out ${OUT}/physical --quiet)
expect(${OUT}/physical crossbar.rows_per_read energy falls "fewer reads per weight (physical)")
expect(${OUT}/physical adc.bits energy rises "2^bits - 1 comparators (physical)")

# The arrays' own area (area_breakdown_mm2.crossbar) and the dynamic energy per image
# rise with their rows; the static energy (fewer arrays and ADCs leaking) falls.
foreach(rows 128 256 512)
  sim(0 ignored run ${CONFIG} --images 1 -p crossbar.rows=${rows} --out ${OUT}/rows${rows} --quiet)
  file(READ ${OUT}/rows${rows}/report.json json)
  string(JSON cells_${rows} GET "${json}" area_breakdown_mm2 crossbar)
  string(JSON dyn_${rows} GET "${json}" energy_dynamic_per_image_j)
  string(JSON static_${rows} GET "${json}" energy_static_per_image_j)
endforeach()
if(NOT cells_512 GREATER cells_256)
  message(FATAL_ERROR "the arrays' area does not rise with their rows: ${cells_256} -> ${cells_512}")
endif()
# CMake compares floats with LESS/GREATER (as doubles).
if(NOT dyn_128 LESS dyn_256 OR NOT dyn_256 LESS dyn_512)
  message(FATAL_ERROR "dynamic energy does not rise with rows: ${dyn_128}, ${dyn_256}, ${dyn_512}")
endif()
if(NOT static_128 GREATER static_256 OR NOT static_256 GREATER static_512)
  message(FATAL_ERROR "static energy does not fall with rows: ${static_128}, ${static_256}, ${static_512}")
endif()

# Keys that are not hardware are skipped: listed, never stepped.
sim(0 skipped sensitivity ${CONFIG} --images 10 --keys uncertainty.ci_level,workload.mc_samples
    --out ${OUT}/skipped)
field(${OUT}/skipped uncertainty.ci_level note nc)
field(${OUT}/skipped uncertainty.ci_level step_up_value uc)
if(NOT nc MATCHES "^\"?skipped" OR NOT uc STREQUAL "" OR NOT skipped MATCHES "skipped.*uncertainty.ci_level"
   OR NOT skipped MATCHES " 2 runs ")
  message(FATAL_ERROR "uncertainty.ci_level was not skipped ('${nc}', '${uc}'):\n${skipped}")
endif()

# A step the technology refuses is a note; the other step still runs.
sim(0 vdd sensitivity ${CONFIG} --images 10 --keys chip.vdd -p chip.vdd=1.3V --out ${OUT}/vdd)
field(${OUT}/vdd chip.vdd note nv)
field(${OUT}/vdd chip.vdd d_energy_down dv)
if(NOT nv MATCHES "step not valid: chip.vdd: 1.36 V is outside" OR NOT dv LESS 0)
  message(FATAL_ERROR "chip.vdd=1.3V: note '${nv}', energy down ${dv}")
endif()

# A prefix that names no key is an error with the nearest name.
sim(1 bad sensitivity ${CONFIG} --images 10 --keys chp)
if(NOT bad MATCHES "--keys 'chp': the config has no key 'chp' or under it [(]did you mean 'chip'[?][)]")
  message(FATAL_ERROR "--keys chp: ${bad}")
endif()

# The same CSV on 1 and 2 threads.
foreach(t 1 2)
  sim(0 ignored sensitivity ${CONFIG} --images 20 --keys chip.vdd,adc,crossbar.rows --threads ${t}
      --out ${OUT}/threads${t} --quiet)
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT}/threads1/sensitivity.csv
                        ${OUT}/threads2/sensitivity.csv RESULT_VARIABLE same)
if(NOT same EQUAL 0)
  message(FATAL_ERROR "sensitivity.csv differs between 1 and 2 threads")
endif()
