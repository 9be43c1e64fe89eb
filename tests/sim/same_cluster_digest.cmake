# Runs one seeded cluster simulation twice in separate processes and fails unless both print
# the same DIGEST line. Whether the run passes its checks is the cluster.seed* tests' business.
# -DDIALECT=modern runs the modern dialect; the default is classic.
if(NOT DIALECT)
  set(DIALECT classic)
endif()
foreach(i 1 2)
  execute_process(COMMAND ${SIM} cluster --dialect ${DIALECT} --seed 7 --nodes 3 --clients 9
                          --steps 2000
                  OUTPUT_VARIABLE out${i} RESULT_VARIABLE code${i})
  string(REGEX MATCH "DIGEST=[0-9a-f]+" digest${i} "${out${i}}")
endforeach()
if(NOT digest1 OR NOT digest1 STREQUAL digest2)
  message(FATAL_ERROR "the same seed gave different digests: '${digest1}' and '${digest2}'")
endif()
message(STATUS "both runs: ${digest1}")
