cmake_minimum_required(VERSION 3.25)
# The layer guard itself: on a small tree, an upward include and an include circle between
# modules each fail with the file and line, and a clean tree passes.
# Variables: CHECK (the layercheck program), OUT (scratch folder).
function(expect_layercheck name want_rc want_msg)
  execute_process(COMMAND ${CHECK} ${OUT}/${name} ${OUT}/${name}.stamp
                          "base=sim/base" "arch=arch:base" "sim=sim:arch,base"
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL want_rc OR NOT err MATCHES "${want_msg}")
    message(FATAL_ERROR "${name}: layercheck gave ${rc}, expected ${want_rc} with '${want_msg}': ${err}")
  endif()
endfunction()
file(REMOVE_RECURSE ${OUT})
foreach(t clean upward circle)
  file(WRITE ${OUT}/${t}/sim/base/error.h "/* base */\n")
  file(WRITE ${OUT}/${t}/sim/engine.h "#include \"arch/mapping.h\"\n")
  file(WRITE ${OUT}/${t}/arch/mapping.h "#include \"sim/base/error.h\"\n")
  file(WRITE ${OUT}/${t}/arch/mapping.c "#include \"mapping.h\"\n#include \"datapath.h\"\n")
  file(WRITE ${OUT}/${t}/arch/datapath.h "/* datapath */\n")
endforeach()
file(WRITE ${OUT}/upward/arch/faults.c "#include \"mapping.h\"\n\n#include \"sim/engine.h\"\n")
file(WRITE ${OUT}/circle/arch/datapath.c "#include \"datapath.h\"\n#include \"mapping.h\"\n")
expect_layercheck(clean 0 "")
expect_layercheck(upward 1 "arch/faults.c:3: error: layer 'arch' includes \"sim/engine.h\" of layer 'sim'")
expect_layercheck(circle 1 "include circle between modules: arch/(mapping -> arch/datapath -> arch/mapping|datapath -> arch/mapping -> arch/datapath)")
