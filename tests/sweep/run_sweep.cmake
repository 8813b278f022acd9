cmake_minimum_required(VERSION 3.25)
# A small sweep (ADC bits x rows per read, two seeds: 12 runs of 200 images): the
# expected rows and columns; identical results on 1 and 2 worker threads; shards
# merged equal the single run; --resume on a finished folder runs nothing.
function(sweep dir)
  execute_process(COMMAND ${SIM} sweep ${SWEEP} --images 200 --out ${OUT}/${dir} --force ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 600)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "sweep ${ARGN} failed (${rc}): ${out}${err}")
  endif()
  set(last "${out}" PARENT_SCOPE)
endfunction()
function(same a b)
  foreach(f results.csv results.jsonl)
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT}/${a}/${f} ${OUT}/${b}/${f}
                    RESULT_VARIABLE diff)
    if(NOT diff EQUAL 0)
      message(FATAL_ERROR "${f} differs between ${a} and ${b}")
    endif()
  endforeach()
endfunction()

file(REMOVE_RECURSE ${OUT})
sweep(t1 --threads 1)
sweep(t2 --threads 2)
if(NOT last MATCHES "1 process x 2 workers x 1 thread")
  message(FATAL_ERROR "2 threads did not run 2 workers: ${last}")
endif()
same(t1 t2)

file(STRINGS ${OUT}/t1/results.csv lines)
list(LENGTH lines n)
list(GET lines 0 header)
file(STRINGS ${OUT}/t1/results.jsonl rows)
list(LENGTH rows nj)
if(NOT n EQUAL 13 OR NOT nj EQUAL 12)
  message(FATAL_ERROR "expected 12 rows, got ${n} CSV lines and ${nj} JSON lines")
endif()
foreach(col "^point,seed,adc.bits,crossbar.rows_per_read,engine,dir,config_hash,spincim_version,"
        ",accuracy," ",energy_per_image_j," ",energy_adc_j," ",area_mm2," ",area_crossbar_mm2,"
        ",latency_per_image_s," ",throughput_images_per_s," ",tops_per_w," ",mean_entropy_nats,"
        ",accuracy_mean," ",rng_modules,")
  if(NOT header MATCHES "${col}")
    message(FATAL_ERROR "results.csv header lacks ${col}: ${header}")
  endif()
endforeach()
list(GET lines 12 last_row)
if(NOT last_row MATCHES "^5,2,6,16,functional,points/0005/seed-2,")
  message(FATAL_ERROR "last row is not point 5, seed 2 (adc.bits 6, rows_per_read 16): ${last_row}")
endif()
if(NOT EXISTS ${OUT}/t1/points/0005/seed-2/report.json)
  message(FATAL_ERROR "no report.json in the run's folder")
endif()

# Shards of the same sweep, merged, give the single run's tables.
sweep(s0 --shard 0/2 --threads 1)
sweep(s1 --shard 1/2 --threads 1)
execute_process(COMMAND ${SIM} merge ${OUT}/merged ${OUT}/s0 ${OUT}/s1 RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "merge: 12 of 12 runs from 2 folders")
  message(FATAL_ERROR "merge failed (${rc}): ${out}${err}")
endif()
same(t1 merged)

# A finished sweep resumed keeps every run.
execute_process(COMMAND ${SIM} sweep ${SWEEP} --images 200 --out ${OUT}/t1 --resume
                OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT out MATCHES "12 of 12 runs done [(]0 now, 12 kept[)]")
  message(FATAL_ERROR "--resume on a finished sweep: ${out}")
endif()
message(STATUS "ok: 12 rows, identical on 1 and 2 workers, shards merged, resume keeps all")
