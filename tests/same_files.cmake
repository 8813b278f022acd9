# expect_same_files(DIR_A DIR_B FILE...): each FILE is byte-identical in both folders
# (runs that must not depend on the thread count).
function(expect_same_files a b)
  foreach(f IN LISTS ARGN)
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${a}/${f} ${b}/${f}
                    RESULT_VARIABLE same)
    if(NOT same EQUAL 0)
      message(FATAL_ERROR "${f} differs between ${a} and ${b}")
    endif()
  endforeach()
endfunction()
