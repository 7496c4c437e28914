# `capstan sandbox` over HTTP on 127.0.0.1 (#3): each file starts the real binary on port 0 and
# checks it against the Midjourney contracts in ../shared/reference/midjourney/.
foreach(sandbox_e2e http_contract lifecycle restart faults)
  add_test(NAME e2e.sandbox.${sandbox_e2e}
    COMMAND node --test ${CMAKE_CURRENT_LIST_DIR}/sandbox/${sandbox_e2e}.test.mjs)
  set_tests_properties(e2e.sandbox.${sandbox_e2e} PROPERTIES LABELS e2e TIMEOUT 180
    ENVIRONMENT "CAPSTAN_BIN=$<TARGET_FILE:capstan>;CAPSTAN_SHARED_DIR=${CAPSTAN_SHARED_DIR}")
endforeach()
