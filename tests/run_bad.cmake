cmake_minimum_required(VERSION 3.25)
# Run `spincim ARGS` on a bad input: the command must exit with status 1 and its
# output must match the regular expression in the input's first line
# ("# expect: REGEX"), or in -DEXPECT when given. With -DNO_RESULTS=DIR the
# failed run must not have left a report in DIR.
if(NOT EXPECT)
  file(STRINGS ${INPUT} first LIMIT_COUNT 1)
  string(REGEX REPLACE "^# expect: " "" EXPECT "${first}")
endif()
separate_arguments(args UNIX_COMMAND "${ARGS}")
execute_process(COMMAND ${SIM} ${args} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                WORKING_DIRECTORY ${WORKDIR} TIMEOUT 60)
set(all "${out}${err}")
string(REPLACE "\n" " " flat "${all}")
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "expected exit status 1, got '${rc}'. Output:\n${all}")
endif()
if(NOT flat MATCHES "${EXPECT}")
  message(FATAL_ERROR "output does not match '${EXPECT}':\n${all}")
endif()
# A failed run leaves no results behind.
if(NO_RESULTS AND EXISTS ${NO_RESULTS}/report.json)
  message(FATAL_ERROR "a failed run left ${NO_RESULTS}/report.json behind")
endif()
message(STATUS "ok: ${all}")
