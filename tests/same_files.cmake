# expect_same_files(DIR_A DIR_B FILE...): each FILE must be byte-identical in both folders
# (results of the same config and seed with different thread counts).
function(expect_same_files a b)
  foreach(f ${ARGN})
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${a}/${f} ${b}/${f}
                    RESULT_VARIABLE same)
    if(NOT same EQUAL 0)
      message(FATAL_ERROR "${f} differs between ${a} and ${b} (1 and 2 threads)")
    endif()
  endforeach()
endfunction()
